import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, fillPlaceholders, placeholdersOf } from './template-text.js';

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/);
/** Text with no braces, so it holds no placeholder. */
const plain = fc.string({ maxLength: 20 }).map((text) => text.replace(/[{}]/g, ''));
const spaces = fc.string({ unit: fc.constantFrom(' ', '\t', '\n'), maxLength: 2 });

/** A template made of plain text and `{{ name }}`s; `fill` builds what it becomes for given values. */
const templateArbitrary = fc
  .tuple(fc.array(fc.tuple(plain, name, spaces, spaces), { maxLength: 6 }), plain)
  .map(([parts, tail]) => ({
    source: `${parts.map(([text, variable, before, after]) => `${text}{{${before}${variable}${after}}}`).join('')}${tail}`,
    names: parts.map(([, variable]) => variable),
    fill: (values: Record<string, string>) => `${parts.map(([text, variable]) => `${text}${values[variable]}`).join('')}${tail}`,
  }));

const unescapeHtml = (text: string) =>
  text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[entity] as string,
  );

describe('placeholdersOf', () => {
  it('lists each variable once, in order of first use', () => {
    fc.assert(
      fc.property(templateArbitrary, ({ source, names }) => {
        expect(placeholdersOf(source)).toEqual([...new Set(names)]);
      }),
    );
    expect(placeholdersOf('Hi {{ name }}, {{code}} / {{  name\t}} {{ link_1 }}')).toEqual(['name', 'code', 'link_1']);
  });

  it('ignores what is not a placeholder', () => {
    expect(placeholdersOf('')).toEqual([]);
    expect(placeholdersOf('{{}} {{ 1abc }} {{ _x }} {{ a-b }} { name } {{ name } {{ a.b }} {{#if x}}')).toEqual([]);
  });
});

describe('fillPlaceholders', () => {
  it('replaces every placeholder with its value and leaves the rest alone', () => {
    fc.assert(
      fc.property(templateArbitrary, fc.string({ maxLength: 10 }), ({ source, names, fill }, value) => {
        const values = Object.fromEntries(names.map((variable, i) => [variable, `${value}#${i}`]));
        expect(fillPlaceholders(source, values)).toBe(fill(values));
      }),
    );
    expect(
      fillPlaceholders('Hi {{ name }}, your code is {{code}}. Bye {{name}}.', { name: 'Ana', code: '123456', extra: 'x' }),
    ).toBe('Hi Ana, your code is 123456. Bye Ana.');
    expect(fillPlaceholders('no placeholders', {})).toBe('no placeholders');
  });

  it('passes values, not the template, through escape', () => {
    expect(fillPlaceholders('<p>{{ name }}</p>', { name: '<script>"x" & \'y\'</script>' }, escapeHtml)).toBe(
      '<p>&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;</p>',
    );
    expect(fillPlaceholders('{{ a }}{{ b }}', { a: '1', b: '2' }, (text) => `[${text}]`)).toBe('[1][2]');
    // A value that looks like a placeholder is not expanded again.
    expect(fillPlaceholders('{{ a }}', { a: '{{ b }}', b: 'no' })).toBe('{{ b }}');
  });

  it('throws a RangeError naming a variable without a value', () => {
    fc.assert(
      fc.property(templateArbitrary, ({ source, names }) => {
        fc.pre(names.length > 0);
        const missing = names[names.length - 1] as string;
        const values = Object.fromEntries(names.filter((variable) => variable !== missing).map((variable) => [variable, 'v']));
        expect(() => fillPlaceholders(source, values)).toThrow(new RangeError(`template variable "${missing}" has no value`));
      }),
    );
  });

  it('does not take inherited properties for values', () => {
    for (const variable of ['toString', 'constructor', 'valueOf', 'hasOwnProperty']) {
      expect(() => fillPlaceholders(`x {{ ${variable} }}`, {})).toThrow(
        new RangeError(`template variable "${variable}" has no value`),
      );
    }
    expect(fillPlaceholders('{{ toString }}', { toString: 'fine' })).toBe('fine');
  });
});

describe('escapeHtml', () => {
  it('leaves no markup character and round-trips', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", 'a', ';', '#', 'amp', 'lt') })),
        (text) => {
          const escaped = escapeHtml(text);
          expect(escaped).not.toMatch(/[<>"']/);
          expect(escaped.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
          expect(unescapeHtml(escaped)).toBe(text);
        },
      ),
    );
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    expect(escapeHtml('plain text é 📅')).toBe('plain text é 📅');
  });
});
