import { readFileSync } from 'node:fs';
import { builtInTemplates } from '@aura/application/notifications';
import { DEFAULT_CLINICAL_TERMS } from '@aura/domain/notifications';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/platform/config/config.js';
import { templateRow } from './support/template-docs.js';

const readme = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

it('documents every configuration variable in the docs/configuration.md table, and no other', () => {
  const documented = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
  expect(documented.sort()).toEqual(Object.keys(configSchema.shape).sort());
});

it('documents each default the schema applies', () => {
  const defaults = configSchema.parse({});
  for (const [name, value] of Object.entries(defaults)) {
    if (value === undefined) continue;
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
    expect(row, name).toContain(`| \`${String(value)}\` |`);
  }
});

describe('docs/notifications.md', () => {
  const notifications = readFileSync(new URL('../../../docs/notifications.md', import.meta.url), 'utf8');

  it('lists every built-in template with its category, channels, variables and languages', () => {
    for (const template of builtInTemplates) expect(notifications, template.key).toContain(templateRow(template));
    const listed = [...notifications.matchAll(/^\| `([a-z.-]+)` \| (security|transactional|reminder|announcement) \|/gm)].map(
      (m) => m[1],
    );
    expect(listed.sort()).toEqual(builtInTemplates.map((t) => t.key).sort());
  });

  it('publishes every clinical term SMS and push refuse', () => {
    const section = notifications.slice(notifications.indexOf('## Terms SMS and push texts never carry')).replace(/\s+/g, ' ');
    for (const term of DEFAULT_CLINICAL_TERMS) expect(section, term).toContain(`\`${term}\``);
  });
});
