/**
 * What the users end-to-end suites share: an Aura (embedded, or PostgreSQL + Redis) with the
 * users module, its worker and its HTTP app; unique addresses; the development mailbox; and
 * the steps every suite repeats (register, verify, log in, create an admin).
 */
import { auraModules } from '@aura/adapters';
import { type Aura, type AuraConfig, configFrom, createAura } from '@aura/adapters/platform';
import { CreateAdministrator } from '@aura/application/users';
import type { Express } from 'express';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { expect } from 'vitest';
import { waitUntil } from '../../../../packages/adapters/test/support/wait.js';
import { createPostgresDatabase, redisUrl, uniqueName } from '../../../../test/support/services.js';
import { createHttpApp } from '../../src/app.js';
import { httpModules } from '../../src/http-modules.js';

export type Target = 'embedded' | 'postgres';

export type Overrides = Partial<Record<keyof AuraConfig, string>>;

export interface TestAura {
  readonly target: Target;
  readonly aura: Aura;
  readonly app: Express;
  close(): Promise<void>;
}

/** Fast, deterministic defaults: emails at once, a quick relay, no rate limiting in the way. */
const FAST: Overrides = {
  AUTH_ACCOUNT_EMAIL_INTERVAL_S: '0',
  OUTBOX_POLL_INTERVAL_MS: '20',
  AUTH_RATE_LIMIT_MAX: '1000000',
};

/**
 * An Aura with the users module, its worker (outbox relay + account-email jobs) and its HTTP
 * app. `postgres` gets a fresh PostgreSQL database and its own Redis key prefix; a missing
 * service fails the suite (never a skip).
 */
export async function startAura(target: Target, overrides: Overrides = {}): Promise<TestAura> {
  let drop: (() => Promise<void>) | undefined;
  let services: Overrides = {};
  if (target === 'postgres') {
    if (redisUrl === null) throw new Error('no Redis for this test run: install redis-server or set REDIS_URL');
    const database = await createPostgresDatabase();
    drop = database.drop;
    services = {
      DATABASE_URL: database.url,
      DATABASE_MIGRATE_ON_START: 'true',
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: uniqueName('users_e2e'),
    };
  }
  let aura: Aura;
  try {
    aura = await createAura({ config: configFrom({ ...FAST, ...services, ...overrides }), modules: auraModules });
  } catch (error) {
    await drop?.();
    throw error;
  }
  await aura.startWorker();
  const { app } = await createHttpApp(aura, { modules: httpModules });
  return {
    target,
    aura,
    app,
    close: async () => {
      await aura.close();
      await drop?.();
    },
  };
}

let counter = 0;
/** A unique address on a reserved domain. */
export const uniqueEmail = (label = 'user') =>
  `${label}.${Date.now().toString(36)}${(counter++).toString(36)}.${uniqueName('x').slice(2)}@example.com`;

/** Passwords zxcvbn scores 4, unrelated to any test's name or address. */
export const PASSWORD = 'correct horse battery staple violet';
export const OTHER_PASSWORD = 'tangerine lighthouse galloping quartz';
export const THIRD_PASSWORD = 'marmalade submarine whistling cobalt';

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A problem+json response with this status and `urn:aura:problem:<type>`. */
export function expectProblem(res: request.Response, status: number, type?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(status);
  if (type !== undefined) expect(res.body.type).toBe(`urn:aura:problem:${type}`);
}

/** 401 with `WWW-Authenticate: Bearer`, as every refused access token gets. */
export function expectUnauthorized(res: request.Response): void {
  expectProblem(res, 401, 'unauthorized');
  expect(res.headers['www-authenticate']).toBe('Bearer');
}

export type MailKind = 'verification' | 'reset';
const SUBJECTS: Record<MailKind, string> = {
  verification: 'Confirm your email address',
  reset: 'Reset your password',
};

interface MailSummary {
  id: string;
  to: string;
  subject: string;
  text: string;
}

/** The emails of one kind sent to `email`, oldest first. */
export async function mails(app: Express, email: string, kind: MailKind): Promise<MailSummary[]> {
  const res = await request(app).get('/dev/mailbox').query({ to: email, limit: '200' });
  expect(res.status).toBe(200);
  return (res.body.items as MailSummary[]).filter((mail) => mail.subject === SUBJECTS[kind]).reverse();
}

/**
 * The code in the `nth` (0-based, oldest first) email of this kind to `email`, waiting for
 * the worker to send it (after the outbox relays the event).
 */
export async function mailCode(app: Express, email: string, kind: MailKind, nth = 0): Promise<string> {
  let found: MailSummary[] = [];
  await waitUntil(
    async () => {
      found = await mails(app, email, kind);
      return found.length > nth;
    },
    `${kind} email #${nth + 1} reached ${email}`,
    15_000,
  );
  const text = found[nth]?.text ?? '';
  const code = /Your code: (\S+)/.exec(text)?.[1];
  if (code === undefined) throw new Error(`no code in the ${kind} email to ${email}:\n${text}`);
  return code;
}

export interface RegisteredUser {
  readonly id: string;
  readonly email: string;
  readonly password: string;
}

export async function register(
  app: Express,
  input: { email?: string; password?: string; role?: 'patient' | 'therapist'; displayName?: string } = {},
): Promise<RegisteredUser> {
  const email = input.email ?? uniqueEmail(input.role ?? 'patient');
  const password = input.password ?? PASSWORD;
  const res = await request(app)
    .post('/api/auth/register')
    .send({ email, password, displayName: input.displayName ?? 'Test Person', role: input.role ?? 'patient' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, email, password };
}

/** Registers and verifies through the mailbox: an active account. */
export async function activeUser(
  app: Express,
  input: { email?: string; password?: string; role?: 'patient' | 'therapist' } = {},
): Promise<RegisteredUser> {
  const user = await register(app, input);
  const token = await mailCode(app, user.email, 'verification');
  const res = await request(app).post('/api/auth/verify-email').send({ token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return user;
}

export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export async function login(app: Express, email: string, password: string): Promise<Tokens> {
  const res = await request(app).post('/api/auth/login').send({ email, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { accessToken: res.body.accessToken as string, refreshToken: res.body.refreshToken as string };
}

/** The first admin, created as an operator would (the use case), then logged in over HTTP. */
export async function adminUser(aura: Aura, app: Express): Promise<RegisteredUser & Tokens> {
  const email = uniqueEmail('admin');
  const created = await (await aura.get(CreateAdministrator)).execute({
    email,
    displayName: 'Operator Admin',
    password: PASSWORD,
  });
  if (created.isErr()) throw new Error(`CreateAdministrator failed: ${created.error.type}: ${created.error.message}`);
  const tokens = await login(app, email, PASSWORD);
  return { id: created.value.id, email, password: PASSWORD, ...tokens };
}

/**
 * Waits until the wall clock enters a new second. Revocations (logout-all, password change)
 * refuse access tokens issued in an earlier second than the revocation, so a test waits
 * past the second its token was issued in before revoking.
 */
export async function nextSecond(): Promise<void> {
  const now = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 1000 - (now % 1000) + 20));
}

export const jwtParts = (token: string) => ({
  header: decodeProtectedHeader(token),
  claims: decodeJwt(token),
});
