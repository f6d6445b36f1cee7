/**
 * What the therapy end-to-end suites share: an Aura with every module (embedded, or PostgreSQL
 * + Redis), its worker, its HTTP app listening on a loopback port (so concurrent requests
 * really overlap), accounts made quickly (through the users module's repository, one password
 * hash for all, tokens from Aura's own issuer), and fetch helpers.
 */
import type { Aura } from '@aura/adapters/platform';
import { AccessTokenIssuer, IdGenerator, type Role } from '@aura/application/platform';
import { PasswordHasher, UserRepository } from '@aura/application/users';
import type { PasswordHash } from '@aura/domain/users';
import { parseDisplayName, parseEmail, parseLocale, parseTimeZone, User } from '@aura/domain/users';
import { expect } from 'vitest';
import { startHttpServer } from '../../src/server.js';
import { FAST_NOTIFICATIONS, perTarget, TARGETS } from '../notifications/notifications-e2e-support.js';
import { type Overrides, startAura, type Target, type TestAura, uniqueEmail } from '../users/users-e2e-support.js';

export { perTarget, TARGETS, type Target };

export interface Served extends TestAura {
  readonly base: string;
}

/** An Aura with every module and its worker, its app listening on 127.0.0.1 (a free port). */
export async function serveTherapy(target: Target, overrides: Overrides = {}): Promise<Served> {
  const t = await startAura(target, { ...FAST_NOTIFICATIONS, PORT: '0', ...overrides });
  try {
    const running = await startHttpServer(t.aura, t.app);
    return {
      ...t,
      base: running.url,
      close: async () => {
        running.server.closeAllConnections();
        await running.close();
        await t.close();
      },
    };
  } catch (error) {
    await t.close();
    throw error;
  }
}

export interface Person {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly token: string;
}

const hashes = new WeakMap<Aura, Promise<PasswordHash>>();

/**
 * An active, verified account with a valid access token, made through the users module's own
 * aggregate and repository (registration over HTTP is tested elsewhere; here it would only add
 * a password hash and an email round trip per person).
 */
export async function person(
  aura: Aura,
  role: Role,
  options: { displayName?: string; timeZone?: string; locale?: string } = {},
): Promise<Person> {
  let hash = hashes.get(aura);
  if (hash === undefined) {
    hash = aura.get<PasswordHasher>(PasswordHasher).then((hasher) => hasher.hash('correct horse battery staple violet'));
    hashes.set(aura, hash);
  }
  const email = uniqueEmail(role);
  const user = User.createByOperator(
    {
      id: (await aura.get<IdGenerator>(IdGenerator)).next(),
      email: parseEmail(email)._unsafeUnwrap(),
      displayName: parseDisplayName(options.displayName ?? `Test ${role}`)._unsafeUnwrap(),
      role,
      passwordHash: await hash,
      timeZone: parseTimeZone(options.timeZone ?? 'UTC')._unsafeUnwrap(),
      locale: parseLocale(options.locale ?? 'en')._unsafeUnwrap(),
    },
    new Date(),
  );
  (await (await aura.get<UserRepository>(UserRepository)).add(user))._unsafeUnwrap();
  const issued = await (await aura.get<AccessTokenIssuer>(AccessTokenIssuer)).issue({ userId: user.id, roles: [role] });
  return { id: user.id, email, role, token: issued.token };
}

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly type: string | null;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

/** One request to the listening server; the body parsed when it is JSON. */
export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await res.text();
  const type = res.headers.get('content-type');
  const body = (type?.includes('json') && text !== '' ? JSON.parse(text) : {}) as T;
  return { status: res.status, type, body, text, headers: res.headers };
}

/** Expects `status`; on anything else, fails with the body. */
export async function expectStatus<T = Record<string, unknown>>(answer: Promise<Answer<T>>, status: number): Promise<T> {
  const a = await answer;
  expect(a.status, `${a.status} ${a.text.slice(0, 500)}`).toBe(status);
  return a.body;
}

/** Every day 00:00–24:00: some time is always bookable, however close. */
export const ALWAYS = {
  weeklyRules: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
  overrides: [],
};

export interface TherapistSetUp extends Person {
  readonly typeId: string;
}

/** A therapist with a profile (one 50-minute video type at €90) and availability. */
export async function therapist(
  served: Served,
  profile: Record<string, unknown> = {},
  availability: unknown = ALWAYS,
): Promise<TherapistSetUp> {
  const who = await person(served.aura, 'therapist', { displayName: 'Bia Lima' });
  const body = await expectStatus<{ sessionTypes: Array<{ id: string }> }>(
    call(served.base, 'PUT', '/api/mental-health/therapists/me', {
      token: who.token,
      body: {
        bio: 'Cognitive behavioural approach.',
        specialties: ['anxiety'],
        languages: ['en', 'pt-BR'],
        timeZone: 'Europe/Berlin',
        sessionTypes: [{ name: 'Individual session', durationMinutes: 50, modality: 'video', priceMinor: 9000, currency: 'EUR' }],
        policy: { minBookingNoticeMinutes: 0, bookingHorizonDays: 365 },
        ...profile,
      },
    }),
    200,
  );
  await expectStatus(
    call(served.base, 'PUT', '/api/mental-health/therapists/me/availability', { token: who.token, body: availability }),
    200,
  );
  return { ...who, typeId: body.sessionTypes[0]?.id as string };
}

export interface SlotJson {
  startsAt: string;
  endsAt: string;
  localStartsAt: string;
  localEndsAt: string;
}

/** The bookable times of a therapist's first session type in [from, to). */
export async function slots(
  served: Served,
  who: Person,
  t: TherapistSetUp,
  from: Date,
  to: Date,
  timeZone?: string,
): Promise<SlotJson[]> {
  const query = new URLSearchParams({
    sessionTypeId: t.typeId,
    from: from.toISOString(),
    to: to.toISOString(),
    ...(timeZone ? { timeZone } : {}),
  });
  const body = await expectStatus<{ slots: SlotJson[] }>(
    call(served.base, 'GET', `/api/mental-health/therapists/${t.id}/slots?${query}`, { token: who.token }),
    200,
  );
  return body.slots;
}

/** Books `startsAt` as `who` (a patient, or an admin for `patientId`). */
export function book<T = Record<string, unknown>>(
  served: Served,
  who: Person,
  t: TherapistSetUp,
  startsAt: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  return call<T>(served.base, 'POST', '/api/mental-health/therapy-sessions', {
    token: who.token,
    body: { therapistId: t.id, sessionTypeId: t.typeId, startsAt, ...extra },
    headers,
  });
}

/** A time at least `hours` ahead on the hour (UTC). */
export function hoursAhead(hours: number): string {
  const at = new Date(Date.now() + hours * 3_600_000);
  at.setUTCMinutes(0, 0, 0);
  return new Date(at.getTime() + 3_600_000).toISOString();
}
