/**
 * The therapy module under load, through the full HTTP stack on a listening server (fetch, on
 * loopback), with a baseline measured in the same run on the same database:
 *
 * 1. Slot search for a therapist with a year of history and a full calendar: sequential
 *    `GET /api/mental-health/therapists/{id}/slots` for 7-day ranges (p50/p95 per request),
 *    next to the bare SQL the search cannot do without (the therapist's row and the booked
 *    ranges of that week).
 * 2. A booking storm: `BENCH_STORM_REQUESTS` concurrent `POST /api/mental-health/therapy-sessions`
 *    for 50 free slots across 10 therapists (one patient per request). Successes must equal the
 *    free slots exactly. Next to it, the bare INSERT of the same rows (the same 500 attempts,
 *    concurrently, into a copy of `therapy.sessions` with the same exclusion constraints).
 *
 * (a) PGlite in a fresh temporary directory; (b) PostgreSQL when DATABASE_URL is set (a fresh
 * database, dropped afterwards). The queue is in memory and the worker is not started: bookings
 * are measured, not their messages. Server and client share this process (the client's work is
 * a few hundred fetch calls; the server's is everything else).
 *
 *   node --conditions=aura-source --import tsx bench/therapy.bench.ts
 *   env: BENCH_SLOT_SEARCHES (200), BENCH_STORM_REQUESTS (500), DATABASE_URL
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AccessTokenIssuer, IdGenerator } from '@aura/application/platform';
import { PasswordHasher, UserRepository } from '@aura/application/users';
import { parseDisplayName, parseEmail, parseLocale, parseTimeZone, User } from '@aura/domain/users';
import { sql } from 'kysely';
import { createHttpApp } from '../apps/http/src/app.js';
import { httpModules } from '../apps/http/src/http-modules.js';
import { startHttpServer } from '../apps/http/src/server.js';
import { auraModules } from '../packages/adapters/src/modules.js';
import { configFrom } from '../packages/adapters/src/platform/config/config.js';
import { type Aura, createAura } from '../packages/adapters/src/platform/create-aura.js';
import {
  envInt,
  fmt,
  log,
  percentile,
  redactUrl,
  round,
  runStandalone,
  type ServerUrls,
  serverUrlsFromEnv,
  withScratch,
} from './support.js';

export interface TherapyBenchOptions extends ServerUrls {
  readonly searches: number;
  readonly stormRequests: number;
}

export function therapyOptionsFromEnv(): TherapyBenchOptions {
  return {
    searches: envInt('BENCH_SLOT_SEARCHES', 200, 10, 100_000),
    stormRequests: envInt('BENCH_STORM_REQUESTS', 500, 50, 20_000),
    ...serverUrlsFromEnv(),
  };
}

interface Latencies {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
}

function latencies(samples: readonly number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(sorted, 50), 2),
    p95Ms: round(percentile(sorted, 95), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    meanMs: round(sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length), 2),
  };
}

export interface SlotSearchResult {
  readonly historySessions: number;
  readonly futureSessions: number;
  readonly requests: number;
  readonly slotsPerResponse: number;
  readonly search: Latencies;
  /** The bare SQL of one search: the therapist's row and the week's booked ranges. */
  readonly bare: Latencies;
  /** search p50 / bare p50. */
  readonly ratio: number;
}

export interface StormResult {
  readonly requests: number;
  readonly freeSlots: number;
  readonly created: number;
  readonly refused: number;
  readonly other: number;
  readonly wallMs: number;
  readonly requestsPerSecond: number;
  readonly bookingsPerSecond: number;
  readonly latency: Latencies;
  readonly bare: {
    readonly inserted: number;
    readonly wallMs: number;
    readonly attemptsPerSecond: number;
    readonly latency: Latencies;
  };
  /** HTTP requests/s ÷ bare insert attempts/s. */
  readonly ratio: number;
}

export interface TherapyScenario {
  readonly name: string;
  readonly database: 'pglite' | 'postgres';
  readonly slotSearch: SlotSearchResult;
  readonly storm: StormResult;
}

export interface TherapyBenchResult {
  readonly options: Omit<TherapyBenchOptions, 'databaseUrl' | 'redisUrl'>;
  readonly scenarios: readonly TherapyScenario[];
  readonly skipped: readonly string[];
}

interface Person {
  readonly id: string;
  readonly token: string;
}

/** Accounts straight through the users module's aggregate and repository (one password hash for all). */
async function people(aura: Aura, role: 'patient' | 'therapist', count: number): Promise<Person[]> {
  const hash = await (await aura.get<PasswordHasher>(PasswordHasher)).hash('violet-anchor-7-harbour-quilt');
  const users = await aura.get<UserRepository>(UserRepository);
  const ids = await aura.get<IdGenerator>(IdGenerator);
  const issuer = await aura.get<AccessTokenIssuer>(AccessTokenIssuer);
  const made: Person[] = [];
  for (let i = 0; i < count; i++) {
    const user = User.createByOperator(
      {
        id: ids.next(),
        email: parseEmail(`${role}-${randomUUID()}@bench.example`)._unsafeUnwrap(),
        displayName: parseDisplayName(`Bench ${role} ${i}`)._unsafeUnwrap(),
        role,
        passwordHash: hash,
        timeZone: parseTimeZone('UTC')._unsafeUnwrap(),
        locale: parseLocale('en')._unsafeUnwrap(),
      },
      new Date(),
    );
    (await users.add(user))._unsafeUnwrap();
    made.push({ id: user.id, token: (await issuer.issue({ userId: user.id, roles: [role] })).token });
  }
  return made;
}

async function json(
  base: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function expectOk(
  answer: Promise<{ status: number; body: Record<string, unknown> }>,
  status = 200,
): Promise<Record<string, unknown>> {
  const a = await answer;
  if (a.status !== status) throw new Error(`expected ${status}, got ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
  return a.body;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Midnight UTC `days` from today. */
const dayStart = (days: number) => {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + days * DAY_MS;
};

async function slotSearch(aura: Aura, base: string, options: TherapyBenchOptions): Promise<SlotSearchResult> {
  const [therapist] = await people(aura, 'therapist', 1);
  const [patient] = await people(aura, 'patient', 1);
  if (therapist === undefined || patient === undefined) throw new Error('no people');
  const profile = await expectOk(
    json(base, 'PUT', '/api/mental-health/therapists/me', therapist.token, {
      timeZone: 'UTC',
      sessionTypes: [{ name: 'Session', durationMinutes: 50, modality: 'video', priceMinor: 9000, currency: 'EUR' }],
      policy: {
        bufferAfterMinutes: 10,
        minBookingNoticeMinutes: 0,
        bookingHorizonDays: 60,
        maxSessionsPerDay: 8,
        slotStepMinutes: 30,
      },
    }),
  );
  const typeId = (profile.sessionTypes as Array<{ id: string }>)[0]?.id as string;
  await expectOk(
    json(base, 'PUT', '/api/mental-health/therapists/me/availability', therapist.token, {
      weeklyRules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })),
      overrides: [],
    }),
  );
  // A year of history (completed) and the next 30 days booked solid except 16:00 each weekday.
  const rows: Array<Record<string, unknown>> = [];
  for (let day = -365; day < 30; day++) {
    const midnight = dayStart(day);
    const weekday = new Date(midnight).getUTCDay();
    if (weekday === 0 || weekday === 6 || day === 0) continue;
    for (let hour = 9; hour < (day > 0 ? 16 : 17); hour++) {
      const startsAt = new Date(midnight + hour * HOUR_MS);
      rows.push({
        id: randomUUID(),
        patient_id: randomUUID(),
        therapist_id: therapist.id,
        session_type_id: typeId,
        modality: 'video',
        duration_minutes: 50,
        price_minor: 9000,
        currency: 'EUR',
        starts_at: startsAt,
        ends_at: new Date(startsAt.getTime() + 50 * 60_000),
        blocked_from: startsAt,
        blocked_until: new Date(startsAt.getTime() + HOUR_MS),
        cancellation_notice_minutes: 1440,
        no_show_grace_minutes: 15,
        status: day < 0 ? 'completed' : 'scheduled',
        version: day < 0 ? 3 : 1,
        booked_by: JSON.stringify({ role: 'patient', userId: null }),
        created_at: new Date(),
        updated_at: new Date(),
        reschedule_count: 0,
        cancelled_late: false,
        fee_applies: false,
      });
    }
  }
  const db = aura.database.db;
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('therapy.sessions')
      .values(rows.slice(i, i + 500))
      .execute();
  const history = rows.filter((r) => r.status === 'completed').length;
  log(`  slot search: ${history} past and ${rows.length - history} future sessions in place`);
  const ranges = Array.from({ length: options.searches }, (_, i) => {
    const from = dayStart(1 + (i % 23));
    return { from: new Date(from).toISOString(), to: new Date(from + 7 * DAY_MS).toISOString() };
  });
  const run = async (which: 'search' | 'bare', range: { from: string; to: string }) => {
    const started = performance.now();
    if (which === 'search') {
      const query = new URLSearchParams({ sessionTypeId: typeId, ...range, timeZone: 'America/Sao_Paulo' });
      const answer = await expectOk(
        json(base, 'GET', `/api/mental-health/therapists/${therapist.id}/slots?${query}`, patient.token),
      );
      return { ms: performance.now() - started, slots: (answer.slots as unknown[]).length };
    }
    await sql`SELECT * FROM therapy.therapists WHERE therapist_id = ${therapist.id}`.execute(db);
    await sql`SELECT starts_at, blocked_from, blocked_until FROM therapy.sessions
              WHERE therapist_id = ${therapist.id} AND status <> 'cancelled'
                AND blocked_from < ${new Date(Date.parse(range.to) + 2 * DAY_MS)} AND blocked_until > ${new Date(Date.parse(range.from) - 2 * DAY_MS)}
              ORDER BY starts_at`.execute(db);
    return { ms: performance.now() - started, slots: 0 };
  };
  for (const range of ranges.slice(0, 20)) {
    await run('search', range);
    await run('bare', range);
  }
  const search: number[] = [];
  const bare: number[] = [];
  let slotCount = 0;
  // Interleaved, so both sides see the same machine conditions.
  for (const range of ranges) {
    const s = await run('search', range);
    search.push(s.ms);
    slotCount += s.slots;
    bare.push((await run('bare', range)).ms);
  }
  const searchLatency = latencies(search);
  const bareLatency = latencies(bare);
  log(`  slot search: p50 ${searchLatency.p50Ms} ms (bare ${bareLatency.p50Ms} ms)`);
  return {
    historySessions: history,
    futureSessions: rows.length - history,
    requests: search.length,
    slotsPerResponse: round(slotCount / search.length, 1),
    search: searchLatency,
    bare: bareLatency,
    ratio: round(searchLatency.p50Ms / bareLatency.p50Ms, 2),
  };
}

async function storm(aura: Aura, base: string, options: TherapyBenchOptions): Promise<StormResult> {
  const day = dayStart(10);
  const date = new Date(day).toISOString().slice(0, 10);
  const therapists = await people(aura, 'therapist', 10);
  const targets: Array<{ therapistId: string; typeId: string; startsAt: string }> = [];
  for (const t of therapists) {
    const profile = await expectOk(
      json(base, 'PUT', '/api/mental-health/therapists/me', t.token, {
        timeZone: 'UTC',
        sessionTypes: [{ name: 'Session', durationMinutes: 50, modality: 'video', priceMinor: 9000, currency: 'EUR' }],
        policy: { bufferAfterMinutes: 0, minBookingNoticeMinutes: 0, slotStepMinutes: 60 },
      }),
    );
    const typeId = (profile.sessionTypes as Array<{ id: string }>)[0]?.id as string;
    await expectOk(
      json(base, 'PUT', '/api/mental-health/therapists/me/availability', t.token, {
        weeklyRules: [],
        overrides: [9, 10, 11, 12, 13].map((hour) => ({
          date,
          kind: 'extra',
          start: `${String(hour).padStart(2, '0')}:00`,
          end: `${String(hour).padStart(2, '0')}:50`,
        })),
      }),
    );
    const query = new URLSearchParams({
      sessionTypeId: typeId,
      from: new Date(day).toISOString(),
      to: new Date(day + DAY_MS).toISOString(),
    });
    const found = await expectOk(json(base, 'GET', `/api/mental-health/therapists/${t.id}/slots?${query}`, t.token));
    for (const slot of found.slots as Array<{ startsAt: string }>)
      targets.push({ therapistId: t.id, typeId, startsAt: slot.startsAt });
  }
  const freeSlots = targets.length;
  const patients = await people(aura, 'patient', options.stormRequests);
  log(`  storm: ${options.stormRequests} requests for ${freeSlots} free slots across ${therapists.length} therapists`);
  const request = async (i: number) => {
    const target = targets[i % targets.length] as (typeof targets)[number];
    const started = performance.now();
    const answer = await json(base, 'POST', '/api/mental-health/therapy-sessions', (patients[i] as Person).token, {
      therapistId: target.therapistId,
      sessionTypeId: target.typeId,
      startsAt: target.startsAt,
    });
    return {
      status: answer.status,
      reason: (answer.body.details as { reason?: string } | undefined)?.reason,
      ms: performance.now() - started,
    };
  };
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: options.stormRequests }, (_, i) => request(i)));
  const wallMs = performance.now() - started;
  const created = answers.filter((a) => a.status === 201).length;
  const refused = answers.filter((a) => a.status === 409).length;
  if (created !== freeSlots) log(`  WARNING: ${created} bookings for ${freeSlots} free slots`);

  // Baseline: the same attempts as bare INSERTs into a copy of the table with the same constraints.
  const db = aura.database.db;
  await sql`CREATE TABLE therapy.sessions_bare (LIKE therapy.sessions INCLUDING ALL)`.execute(db);
  const bareRows = answers.map((_, i) => {
    const target = targets[i % targets.length] as (typeof targets)[number];
    const startsAt = new Date(target.startsAt);
    return {
      id: randomUUID(),
      patient_id: (patients[i] as Person).id,
      therapist_id: target.therapistId,
      session_type_id: target.typeId,
      modality: 'video',
      duration_minutes: 50,
      price_minor: 9000,
      currency: 'EUR',
      starts_at: startsAt,
      ends_at: new Date(startsAt.getTime() + 50 * 60_000),
      blocked_from: startsAt,
      blocked_until: new Date(startsAt.getTime() + 50 * 60_000),
      cancellation_notice_minutes: 1440,
      no_show_grace_minutes: 15,
      status: 'scheduled',
      version: 1,
      booked_by: JSON.stringify({ role: 'patient', userId: null }),
      created_at: new Date(),
      updated_at: new Date(),
      reschedule_count: 0,
      cancelled_late: false,
      fee_applies: false,
    };
  });
  const bareStarted = performance.now();
  const bareAnswers = await Promise.all(
    bareRows.map(async (row) => {
      const t0 = performance.now();
      try {
        await db.insertInto('therapy.sessions_bare').values(row).execute();
        return { ok: true, ms: performance.now() - t0 };
      } catch (error) {
        if ((error as { code?: string }).code !== '23P01') throw error;
        return { ok: false, ms: performance.now() - t0 };
      }
    }),
  );
  const bareWallMs = performance.now() - bareStarted;
  await sql`DROP TABLE therapy.sessions_bare`.execute(db);
  const requestsPerSecond = round((answers.length / wallMs) * 1000, 1);
  const bareAttemptsPerSecond = round((bareAnswers.length / bareWallMs) * 1000, 1);
  log(`  storm: ${created} created, ${refused} refused in ${round(wallMs, 0)} ms (bare ${round(bareWallMs, 0)} ms)`);
  return {
    requests: answers.length,
    freeSlots,
    created,
    refused,
    other: answers.length - created - refused,
    wallMs: round(wallMs, 1),
    requestsPerSecond,
    bookingsPerSecond: round((created / wallMs) * 1000, 1),
    latency: latencies(answers.map((a) => a.ms)),
    bare: {
      inserted: bareAnswers.filter((a) => a.ok).length,
      wallMs: round(bareWallMs, 1),
      attemptsPerSecond: bareAttemptsPerSecond,
      latency: latencies(bareAnswers.map((a) => a.ms)),
    },
    ratio: round(requestsPerSecond / bareAttemptsPerSecond, 3),
  };
}

async function scenario(
  name: string,
  database: 'pglite' | 'postgres',
  overrides: Record<string, string>,
  options: TherapyBenchOptions,
): Promise<TherapyScenario> {
  log(`therapy: ${name}`);
  const aura = await createAura({
    config: configFrom({ NODE_ENV: 'development', LOG_LEVEL: 'silent', PORT: '0', ...overrides }),
    modules: auraModules,
  });
  try {
    const { app } = await createHttpApp(aura, { modules: httpModules });
    const running = await startHttpServer(aura, app);
    try {
      const slotResult = await slotSearch(aura, running.url, options);
      const stormResult = await storm(aura, running.url, options);
      return { name, database, slotSearch: slotResult, storm: stormResult };
    } finally {
      running.server.closeAllConnections();
      await running.close();
    }
  } finally {
    await aura.close();
  }
}

export async function runTherapyBench(options: TherapyBenchOptions): Promise<TherapyBenchResult> {
  const scenarios: TherapyScenario[] = [];
  const skipped: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'aura-bench-therapy-'));
  try {
    scenarios.push(await scenario('(a) PGlite (disk)', 'pglite', { AURA_DATA_DIR: dir }, options));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (options.databaseUrl) {
    log(`therapy: PostgreSQL at ${redactUrl(options.databaseUrl)}`);
    scenarios.push(
      await withScratch(options.databaseUrl, undefined, 'therapybench', (scratch) =>
        scenario(
          '(b) PostgreSQL',
          'postgres',
          { DATABASE_URL: scratch.databaseUrl, DATABASE_MIGRATE_ON_START: 'true', DATABASE_POOL_SIZE: '20' },
          options,
        ),
      ),
    );
  } else skipped.push('(b) PostgreSQL: DATABASE_URL is not set');
  return { options: { searches: options.searches, stormRequests: options.stormRequests }, scenarios, skipped };
}

export function therapyMarkdown(result: TherapyBenchResult): string {
  const lines = [
    `### Therapy: slot search and booking storm (${result.options.searches} searches; ${result.options.stormRequests} concurrent bookings)`,
    '',
    '| scenario | history / future sessions | slot search p50 / p95 ms | bare SQL p50 / p95 ms | p50 ratio | slots per response |',
    '|---|---:|---:|---:|---:|---:|',
    ...result.scenarios.map(
      (s) =>
        `| ${s.name} | ${fmt(s.slotSearch.historySessions, 0)} / ${fmt(s.slotSearch.futureSessions, 0)} | ${s.slotSearch.search.p50Ms} / ${s.slotSearch.search.p95Ms} | ${s.slotSearch.bare.p50Ms} / ${s.slotSearch.bare.p95Ms} | ${s.slotSearch.ratio} | ${s.slotSearch.slotsPerResponse} |`,
    ),
    '',
    '| scenario | requests | free slots | 201 | 409 | other | requests/s | bookings/s | p50 / p99 ms | bare inserts: ok, attempts/s, p99 ms | ratio |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
    ...result.scenarios.map((s) => {
      const m = s.storm;
      const created = m.created === m.freeSlots ? String(m.created) : `**${m.created}**`;
      return `| ${s.name} | ${m.requests} | ${m.freeSlots} | ${created} | ${m.refused} | ${m.other} | ${fmt(m.requestsPerSecond, 0)} | ${fmt(m.bookingsPerSecond, 1)} | ${m.latency.p50Ms} / ${m.latency.p99Ms} | ${m.bare.inserted}, ${fmt(m.bare.attemptsPerSecond, 0)}, ${m.bare.latency.p99Ms} | ${m.ratio} |`;
    }),
    ...result.skipped.map((s) => `\nSkipped: ${s}`),
  ];
  return lines.join('\n');
}

runStandalone(import.meta.url, () => runTherapyBench(therapyOptionsFromEnv()), therapyMarkdown);
