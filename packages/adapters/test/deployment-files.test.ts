/**
 * The Dockerfile and compose.yaml, checked without a container engine (none runs on the
 * machines Aura is built on): every environment variable they set is one the configuration
 * schema knows, each Aura service's environment is a valid production configuration, every
 * command they run exists (a compiled entry point whose source exists, or an npm script), and
 * the image follows the rules operators expect (slim Node 20, production dependencies only,
 * non-root, health check on readiness, node as the main process).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../src/platform/config/config.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const known = new Set(Object.keys(configSchema.shape));
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

/** A compiled entry point (`apps/http/dist/main.js`) is one whose TypeScript source exists (and whose build, if built, too). */
function entryExists(path: string): boolean {
  const source = path.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
  return (
    /^(apps|packages)\/[^/]+\/dist\/.+\.js$/.test(path) &&
    existsSync(`${root}${source}`) &&
    (!existsSync(`${root}${path.split('/dist/')[0]}/dist`) || existsSync(`${root}${path}`))
  );
}

/** A command is `node <compiled entry>` or `npm run <script>`. */
function commandExists(command: readonly string[]): boolean {
  if (command[0] === 'node') return command.length === 2 && entryExists(command[1] as string);
  if (command[0] === 'npm' && command[1] === 'run') return command[2] !== undefined && command[2] in scripts;
  return false;
}

interface Instruction {
  readonly stage: number;
  readonly keyword: string;
  readonly args: string;
}

/** The Dockerfile's instructions (continuations joined, comments dropped), each with its stage. */
function dockerfile(): Instruction[] {
  const text = read('Dockerfile').replace(/\\\n/g, ' ');
  let stage = -1;
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      if (keyword.toUpperCase() === 'FROM') stage += 1;
      return { stage, keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** `KEY=value KEY2="value 2"` → entries. */
function envPairs(args: string): Array<[string, string]> {
  return [...args.matchAll(/([A-Z_][A-Z0-9_]*)=("([^"]*)"|\S+)/g)].map((m) => [m[1] as string, (m[3] ?? m[2]) as string]);
}

describe('Dockerfile', () => {
  const instructions = dockerfile();
  const last = Math.max(...instructions.map((i) => i.stage));
  const final = instructions.filter((i) => i.stage === last);
  const imageEnv = Object.fromEntries(final.filter((i) => i.keyword === 'ENV').flatMap((i) => envPairs(i.args)));

  it('builds in one stage and runs slim Node 20 with production dependencies only in the last', () => {
    expect(instructions.filter((i) => i.keyword === 'FROM').length).toBeGreaterThanOrEqual(2);
    expect(final[0]?.args).toMatch(/^node:20[-.\w]*slim\b/);
    expect(final.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    expect(instructions.some((i) => i.stage < last && i.keyword === 'RUN' && /npm run build/.test(i.args))).toBe(true);
  });

  it('runs as a non-root user, checks readiness, and has node itself as the command', () => {
    const user = final.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const health = final.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
    expect(health).toContain('/health/ready');
    const cmd = JSON.parse(final.filter((i) => i.keyword === 'CMD').at(-1)?.args ?? 'null') as string[];
    expect(cmd[0]).toBe('node');
    expect(commandExists(cmd)).toBe(true);
  });

  it('sets only variables the configuration knows, and copies only files that exist', () => {
    for (const name of Object.keys(imageEnv)) expect(known, name).toContain(name);
    for (const copy of instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(`${root}${source}`), source).toBe(true);
    }
  });

  it('is a valid production configuration once the deployment adds its services and secrets', () => {
    expect(() =>
      loadConfig({
        ...imageEnv,
        DATABASE_URL: 'postgres://aura@db/aura',
        REDIS_URL: 'redis://redis:6379',
        SMTP_URL: 'smtp://relay:587',
        AUTH_SIGNING_KEY: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', kid: 'k', d: 'x', x: 'y' }),
      }),
    ).not.toThrow();
  });
});

interface ComposeService {
  readonly build?: unknown;
  readonly image?: string;
  readonly command?: string[];
  readonly environment?: Record<string, string>;
  readonly depends_on?: Record<string, unknown> | string[];
  readonly deploy?: { replicas?: number };
}

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, ComposeService> };
  const services = compose.services;
  const aura = Object.entries(services).filter(([, service]) => service.build !== undefined);
  /** `${NAME:?message}` / `${NAME:-default}` interpolations, as an operator's shell would fill them. */
  const interpolate = (value: string) =>
    value.replace(/\$\{(\w+)(:[?-][^}]*)?\}/g, (_, name: string) =>
      name === 'AUTH_SIGNING_KEY' ? JSON.stringify({ kty: 'OKP', crv: 'Ed25519', kid: 'k', d: 'x', x: 'y' }) : `filled-${name}`,
    );

  it('describes the production topology: PostgreSQL, Redis, migrations once, two HTTP and two workers, an SMTP catcher', () => {
    expect(services.postgres?.image).toMatch(/^postgres:15/);
    expect(services.redis?.image).toMatch(/^redis:7/);
    expect(services.http?.deploy?.replicas).toBe(2);
    expect(services.worker?.deploy?.replicas).toBe(2);
    expect(services.migrate?.command).toEqual(['node', 'packages/adapters/dist/platform/cli/migrate.js']);
    expect(services.http?.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
    expect(services.worker?.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
    expect(services.mailpit?.image).toMatch(/mailpit/);
    for (const [name, service] of Object.entries(services)) {
      const dependencies = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dependency of dependencies)
        expect(Object.keys(services), `${name} depends on ${dependency}`).toContain(dependency);
    }
  });

  it('sets only variables the configuration knows on Aura services, each a valid production configuration', () => {
    expect(aura.map(([name]) => name).sort()).toEqual(['http', 'migrate', 'worker']);
    const imageEnv = Object.fromEntries(
      dockerfile()
        .filter((i) => i.keyword === 'ENV')
        .flatMap((i) => envPairs(i.args)),
    );
    for (const [name, service] of aura) {
      const environment = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
      );
      for (const variable of Object.keys(environment)) expect(known, `${name}: ${variable}`).toContain(variable);
      expect(() => loadConfig({ ...imageEnv, ...environment }), name).not.toThrow();
    }
    expect(services.http?.environment?.AURA_ROLE).toBe('http');
    expect(services.worker?.environment?.AURA_ROLE).toBe('worker');
  });

  it('runs commands that exist', () => {
    for (const [name, service] of aura)
      expect(commandExists(service.command ?? []), `${name}: ${service.command?.join(' ')}`).toBe(true);
  });
});

describe('the checks themselves', () => {
  it('refuse a command that does not exist and accept the real ones', () => {
    expect(commandExists(['node', 'apps/http/dist/main.js'])).toBe(true);
    expect(commandExists(['node', 'apps/http/dist/nope.js'])).toBe(false);
    expect(commandExists(['npm', 'run', 'db:migrate'])).toBe(true);
    expect(commandExists(['npm', 'run', 'db:nope'])).toBe(false);
    expect(commandExists(['sh', '-c', 'node apps/http/dist/main.js'])).toBe(false);
  });
});
