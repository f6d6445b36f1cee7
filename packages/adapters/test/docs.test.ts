import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { configSchema } from '../src/platform/config/config.js';

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
