import { DEFAULT_CONTENT_POLICY } from '@aura/domain/notifications';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { builtInTemplates } from './built-in.templates.js';
import { type ChannelText, defineTemplate, TemplateCatalog, type TemplateDefinition } from './template.js';

const variables = z.strictObject({ name: z.string().min(1), at: z.iso.datetime({ offset: true }), link: z.string() });

/** A valid template; each test breaks one thing. */
function greeting(texts: TemplateDefinition['texts'] = {}, extra: Partial<TemplateDefinition> = {}): TemplateDefinition {
  return defineTemplate({
    key: 'test.greeting',
    category: 'transactional',
    channels: ['email', 'sms'],
    variables,
    dateTimes: ['at'],
    discreet: ['at', 'link'],
    texts: {
      en: {
        email: { subject: 'Hi {{name}}', text: 'Hello {{ name }},\n\nSee you on {{at}}.\nBye' },
        sms: { text: 'See you on {{at}}: {{link}}' },
      },
      ...texts,
    },
    ...extra,
  });
}

const catalog = (...templates: TemplateDefinition[]) => new TemplateCatalog(templates, DEFAULT_CONTENT_POLICY);
const en = (email: ChannelText, sms: ChannelText = { text: 'See you on {{at}}' }) => ({ en: { email, sms } });

describe('TemplateCatalog refuses at construction', () => {
  it('a text using a variable it does not declare (in the subject, the text or the html)', () => {
    expect(() => catalog(greeting(en({ subject: 'Hi', text: 'Hello {{nickname}}' })))).toThrow(
      'template "test.greeting" (en, email) uses {{nickname}}, which is not a declared variable',
    );
    expect(() => catalog(greeting(en({ subject: 'Hi {{who}}', text: 'Hello' })))).toThrow('uses {{who}}');
    expect(() => catalog(greeting(en({ subject: 'Hi', text: 'Hello', html: '<p>{{who}}</p>' })))).toThrow('uses {{who}}');
  });

  it('an SMS or push text using a variable not marked discreet', () => {
    expect(() => catalog(greeting(en({ subject: 'Hi', text: 'Hello' }, { text: 'Hi {{name}}' })))).toThrow(
      'template "test.greeting" (en, sms) uses {{name}}, which is not marked discreet (SMS and push must not carry clinical details)',
    );
    const { discreet: _, ...undiscreet } = greeting();
    expect(() => catalog(undiscreet)).toThrow('uses {{at}}, which is not marked discreet');
  });

  it('an SMS or push text with a clinical term, which an email may have', () => {
    expect(() => catalog(greeting(en({ subject: 'Hi', text: 'Hello' }, { text: 'Your Therapy session on {{at}}' })))).toThrow(
      'template "test.greeting" (en, sms) mentions "therapy": SMS and push must not carry clinical details',
    );
    expect(() => catalog(greeting(en({ subject: 'Your therapy session', text: 'About your therapy' })))).not.toThrow();
  });

  it('follows the policy it is given', () => {
    const strict = { ...DEFAULT_CONTENT_POLICY, clinicalTerms: ['appointment'] };
    expect(() => new TemplateCatalog(builtInTemplates, strict)).toThrow('mentions "appointment"');
  });

  it('a channel without an English text', () => {
    expect(() =>
      catalog(greeting({}, { texts: { en: { email: { subject: 'Hi', text: 'Hello' } }, pt: { sms: { text: 'Até {{at}}' } } } })),
    ).toThrow('template "test.greeting" has no English (en) text for sms');
  });

  it('a text for a channel the template does not list', () => {
    expect(() => catalog(greeting({ pt: { push: { text: 'Até já' } } }))).toThrow(
      'template "test.greeting" (pt, push): push is not one of its channels',
    );
  });

  it('an email without a subject', () => {
    expect(() => catalog(greeting(en({ text: 'Hello' })))).toThrow(
      'template "test.greeting" (en, email): an email needs a subject',
    );
    expect(() => catalog(greeting(en({ subject: '  ', text: 'Hello' })))).toThrow('an email needs a subject');
  });

  it('a key defined twice', () => {
    expect(() => catalog(greeting(), greeting())).toThrow('template "test.greeting" is defined twice');
    const one = catalog(greeting());
    expect(() => one.add(greeting())).toThrow('defined twice');
  });
});

describe('TemplateCatalog', () => {
  it('lists its keys, sorted, and gives each definition', () => {
    const templates = catalog(...builtInTemplates);
    expect(templates.keys()).toEqual([
      'account.email-verification',
      'account.password-reset',
      'appointment.booked',
      'appointment.cancelled',
      'appointment.confirmed',
      'appointment.reminder',
      'appointment.rescheduled',
      'user.welcome',
    ]);
    expect(templates.get('user.welcome')?.category).toBe('transactional');
    expect(templates.get('nope')).toBeUndefined();
  });
});

describe('TemplateCatalog.render', () => {
  const templates = catalog(
    greeting({
      'pt-br': { email: { subject: 'Oi {{name}}', text: 'Olá {{name}}' } },
      pt: { email: { subject: 'Olá {{name}}', text: 'Olá {{name}}' } },
    }),
    defineTemplate({
      key: 'test.html',
      category: 'announcement',
      channels: ['email'],
      variables: z.strictObject({ name: z.string(), nickname: z.string().nullable().optional() }),
      texts: {
        en: {
          email: {
            subject: 'News for {{name}}',
            text: 'Hello {{name}} ({{nickname}})',
            html: '<p title="{{name}}">Hello {{name}}</p>',
          },
        },
      },
    }),
    defineTemplate({
      key: 'test.optional',
      category: 'reminder',
      channels: ['push'],
      variables: z.strictObject({ since: z.iso.datetime({ offset: true }).nullable().optional() }),
      dateTimes: ['since'],
      discreet: ['since'],
      texts: { en: { push: { text: 'Open the app [{{since}}]' } } },
    }),
  );
  const render = (input: Partial<Parameters<TemplateCatalog['render']>[0]>) =>
    templates.render({
      key: 'test.greeting',
      channel: 'email',
      locale: 'en',
      timeZone: 'UTC',
      variables: { name: 'Ana', at: '2026-12-01T15:00:00Z', link: 'https://x.org/a' },
      ...input,
    });

  it('escapes variables in the html, and only there', () => {
    const name = '<script>alert("x&y")</script>';
    const rendered = render({ key: 'test.html', variables: { name, nickname: "o'neil" } })._unsafeUnwrap();
    expect(rendered).toEqual({
      subject: `News for ${name}`,
      message: `Hello ${name} (o'neil)`,
      html: '<p title="&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;">Hello &lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;</p>',
      locale: 'en',
      category: 'announcement',
    });
  });

  it('makes the html of an email without one from its text, escaped, in paragraphs', () => {
    const rendered = render({ variables: { name: '<b>Ana</b>', at: '2026-12-01T15:00:00Z', link: 'x' } })._unsafeUnwrap();
    const at = new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }).format(
      new Date('2026-12-01T15:00:00Z'),
    );
    expect(rendered.message).toBe(`Hello <b>Ana</b>,\n\nSee you on ${at} (UTC).\nBye`);
    expect(rendered.html).toBe(`<p>Hello &lt;b&gt;Ana&lt;/b&gt;,</p>\n<p>See you on ${at} (UTC).<br>\nBye</p>`);
    expect(rendered.subject).toBe('Hi <b>Ana</b>');
  });

  it('gives SMS and push no subject and no html', () => {
    const rendered = render({ channel: 'sms' })._unsafeUnwrap();
    expect(rendered).toMatchObject({ subject: null, html: null, category: 'transactional' });
    expect(rendered.message).toMatch(/^See you on .+ \(UTC\): https:\/\/x\.org\/a$/);
  });

  it('shows date-times in the recipient’s zone and language', () => {
    const rendered = render({ channel: 'sms', locale: 'de-DE', timeZone: 'Europe/Berlin' })._unsafeUnwrap();
    const at = new Intl.DateTimeFormat('de-DE', { dateStyle: 'full', timeStyle: 'short', timeZone: 'Europe/Berlin' }).format(
      new Date('2026-12-01T15:00:00Z'),
    );
    expect(at).toContain('16:00');
    expect(rendered.message).toBe(`See you on ${at} (Europe/Berlin): https://x.org/a`);
  });

  it('shows date-times in English when the language is not one the runtime knows', () => {
    const rendered = render({ channel: 'sms', locale: 'en_US' })._unsafeUnwrap();
    const at = new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }).format(
      new Date('2026-12-01T15:00:00Z'),
    );
    expect(rendered.message).toBe(`See you on ${at} (UTC): https://x.org/a`);
  });

  it.each([
    ['pt-BR', 'pt-br', 'Oi Ana'],
    ['pt-PT', 'pt', 'Olá Ana'],
    ['PT', 'pt', 'Olá Ana'],
    ['fr', 'en', 'Hi Ana'],
  ])('renders %s in %s', (locale, used, subject) => {
    const rendered = render({ locale })._unsafeUnwrap();
    expect(rendered.locale).toBe(used);
    expect(rendered.subject).toBe(subject);
  });

  it('falls back to English for a channel a language has no text for', () => {
    expect(render({ locale: 'pt-BR', channel: 'sms' })._unsafeUnwrap().locale).toBe('en');
  });

  // BUG (fixed in template.ts): an optional variable left out had no value, and render threw a RangeError at send time.
  it('renders an optional variable left out, or null, as nothing', () => {
    expect(render({ key: 'test.html', variables: { name: 'Ana' } })._unsafeUnwrap().message).toBe('Hello Ana ()');
    expect(render({ key: 'test.html', variables: { name: 'Ana', nickname: null } })._unsafeUnwrap().message).toBe('Hello Ana ()');
    expect(render({ key: 'test.html', variables: { name: 'Ana', nickname: undefined } })._unsafeUnwrap().message).toBe(
      'Hello Ana ()',
    );
    const optional = { key: 'test.optional', channel: 'push' } as const;
    expect(render({ ...optional, variables: {} })._unsafeUnwrap().message).toBe('Open the app []');
    expect(render({ ...optional, variables: { since: null } })._unsafeUnwrap().message).toBe('Open the app []');
    expect(render({ ...optional, variables: { since: '2026-12-01T15:00:00Z' } })._unsafeUnwrap().message).toMatch(
      /^Open the app \[.+2026.+ \(UTC\)\]$/,
    );
  });

  it('refuses an unknown template', () => {
    expect(render({ key: 'nope' })._unsafeUnwrapErr()).toEqual({
      type: 'notifications.unknown_template',
      message: 'there is no template "nope"',
      details: { field: 'template' },
    });
  });

  it('refuses a channel the template does not have', () => {
    expect(render({ channel: 'push' })._unsafeUnwrapErr()).toEqual({
      type: 'notifications.template_channel_unsupported',
      message: 'template "test.greeting" has no push version (it has email, sms)',
      details: { field: 'channel' },
    });
  });

  it('refuses invalid variables, listing each issue', () => {
    const error = render({ variables: { name: '', at: 'tomorrow', link: 'x', extra: 1 } })._unsafeUnwrapErr();
    expect(error.type).toBe('notifications.invalid_template_variables');
    expect(error.message).toMatch(/^the variables of template "test.greeting" are not valid: /);
    expect(error.details).toMatchObject({ field: 'variables' });
    const issues = (error.details as { issues: { path: string[] }[] }).issues.map((issue) => issue.path);
    expect(issues).toEqual(expect.arrayContaining([['name'], ['at'], []]));
  });

  it('refuses variables that are not an object, and missing ones', () => {
    const notAnObject = render({ variables: 'Ana' })._unsafeUnwrapErr();
    expect(notAnObject.message).toContain('(variables): ');
    expect(render({ variables: undefined })._unsafeUnwrapErr().type).toBe('notifications.invalid_template_variables');
  });
});
