/**
 * Throughput of an authenticated read: `GET /api/users/me` with a real access token on the
 * full Aura app, versus a bare Express 5 handler that verifies the same JWT with jose (against
 * the app's own `/.well-known/jwks.json`) and runs `SELECT * FROM users.users WHERE id = $1`
 * on the same database. Both servers live in one child process (bench/users-target.ts); each
 * is loaded by autocannon (here) while the other sits idle.
 *
 * PGlite in memory always (the bare handler queries the app's own PGlite instance);
 * PostgreSQL (+ Redis for the app when REDIS_URL is set) when DATABASE_URL is set (the bare
 * handler has its own `pg.Pool` of 10 on the same database).
 *
 *   node --conditions=aura-source --import tsx bench/users-me.bench.ts
 *   env: BENCH_DURATION_S (10), BENCH_WARMUP_S (2), BENCH_CONNECTIONS (10), DATABASE_URL, REDIS_URL
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import type { LoadStats } from './http-health.bench.js';
import {
  createScratchDatabase,
  deleteRedisPrefix,
  envInt,
  envUrl,
  fmt,
  redactUrl,
  round,
  runStandalone,
  uniqueName,
  withTimeout,
} from './support.js';
import { accessTokenFor, registerVerified, startUsersTarget, TimedClient, type UsersTarget } from './users-support.js';

export interface UsersMeOptions {
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
  readonly databaseUrl?: string | undefined;
  readonly redisUrl?: string | undefined;
}

export interface UsersMeComparison {
  readonly name: string;
  readonly database: 'pglite' | 'postgres';
  readonly queue: 'memory' | 'redis';
  readonly full: LoadStats;
  readonly bare: LoadStats;
  /** full / bare requests per second (1 = the stack costs nothing). */
  readonly ratio: number;
}

export interface UsersMeResult {
  readonly settings: { durationS: number; warmupS: number; connections: number; pipelining: 1 };
  readonly comparisons: readonly UsersMeComparison[];
  readonly skipped: readonly string[];
}

export function usersMeOptionsFromEnv(): UsersMeOptions {
  return {
    durationS: envInt('BENCH_DURATION_S', 10, 1, 600),
    warmupS: envInt('BENCH_WARMUP_S', 2, 0, 60),
    connections: envInt('BENCH_CONNECTIONS', 10, 1, 1_000),
    databaseUrl: envUrl('DATABASE_URL'),
    redisUrl: envUrl('REDIS_URL'),
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const PATH = '/api/users/me';

async function cannon(url: string, token: string, durationS: number, connections: number): Promise<autocannon.Result> {
  return withTimeout(
    autocannon({
      url,
      connections,
      duration: durationS,
      pipelining: 1,
      timeout: 10,
      headers: { authorization: `Bearer ${token}` },
    }),
    (durationS + 30) * 1_000,
    `autocannon ${url}`,
  );
}

/** Checks the endpoint answers 200 with the account, then a warm-up run (discarded), then the measured run. */
async function measure(base: string, token: string, userId: string, options: UsersMeOptions): Promise<LoadStats> {
  const url = `${base}${PATH}`;
  const probe = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  const body = await probe.text();
  if (probe.status !== 200) throw new Error(`GET ${url} answered ${probe.status}: ${body.slice(0, 300)}`);
  if ((JSON.parse(body) as { id?: unknown }).id !== userId) throw new Error(`GET ${url} answered another account: ${body}`);
  if (options.warmupS > 0) await cannon(url, token, options.warmupS, options.connections);
  const result = await cannon(url, token, options.durationS, options.connections);
  return {
    reqPerSec: round(result.requests.mean, 1),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: round(result.latency.mean, 2),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function compare(
  name: string,
  target: UsersTarget,
  options: UsersMeOptions,
  kind: Pick<UsersMeComparison, 'database' | 'queue'>,
): Promise<UsersMeComparison> {
  if (target.bareUrl === null) throw new Error('the users target serves no bare handler');
  const client = new TimedClient(target.url);
  let token: string;
  let userId: string;
  try {
    const email = `me-${randomBytes(3).toString('hex')}@bench.example`;
    userId = (await registerVerified(client, email)).id;
    token = await accessTokenFor(client, email);
  } finally {
    client.close();
  }
  const one = async (which: 'full Aura' | 'bare', base: string) => {
    log(`  ${which.padEnd(9)} GET ${PATH} …`);
    const stats = await measure(base, token, userId, options);
    log(`  ${which.padEnd(9)} GET ${PATH}: ${fmt(stats.reqPerSec, 0)} req/s, p50 ${stats.latencyP50Ms} ms`);
    return stats;
  };
  const full = await one('full Aura', target.url);
  const bare = await one('bare', target.bareUrl);
  return { name, ...kind, full, bare, ratio: round(full.reqPerSec / bare.reqPerSec, 3) };
}

export async function runUsersMeBench(options: UsersMeOptions = usersMeOptionsFromEnv()): Promise<UsersMeResult> {
  const comparisons: UsersMeComparison[] = [];
  const skipped: string[] = [];
  log(
    `users-me: ${options.connections} connections, ${options.warmupS} s warm-up + ${options.durationS} s per run, full app then bare handler on the same database`,
  );

  const embedded = await startUsersTarget({ bare: true });
  try {
    comparisons.push(await compare(`GET ${PATH} (PGlite)`, embedded, options, { database: 'pglite', queue: 'memory' }));
  } finally {
    await embedded.stop();
  }

  if (options.databaseUrl) {
    const queue = options.redisUrl ? 'redis' : 'memory';
    log(
      `users-me: PostgreSQL at ${redactUrl(options.databaseUrl)}${queue === 'redis' ? ', Aura queue and rate limiter on Redis' : ''}`,
    );
    const database = await createScratchDatabase(options.databaseUrl);
    const queuePrefix = uniqueName('aurabench_me');
    try {
      const target = await startUsersTarget({
        bare: true,
        databaseUrl: database.url,
        ...(options.redisUrl ? { redisUrl: options.redisUrl, queuePrefix } : {}),
      });
      try {
        comparisons.push(await compare(`GET ${PATH} (PostgreSQL)`, target, options, { database: 'postgres', queue }));
      } finally {
        await target.stop();
      }
    } finally {
      await database.drop();
      if (options.redisUrl) await deleteRedisPrefix(options.redisUrl, queuePrefix);
    }
  } else {
    skipped.push(`GET ${PATH} on PostgreSQL: DATABASE_URL is not set`);
  }
  return {
    settings: { durationS: options.durationS, warmupS: options.warmupS, connections: options.connections, pipelining: 1 },
    comparisons,
    skipped,
  };
}

export function usersMeMarkdown(result: UsersMeResult): string {
  const lines = [
    `Authenticated read: autocannon, ${result.settings.connections} connections, pipelining 1, ${result.settings.warmupS} s warm-up + ${result.settings.durationS} s measured, \`Authorization: Bearer <access token>\`; bare = Express 5 + jose \`jwtVerify\` + \`SELECT * FROM users.users WHERE id = $1\`.`,
    '',
    '| endpoint | full Aura req/s | bare req/s | full/bare | full p50 / p99 ms | bare p50 / p99 ms | non-2xx + errors (full, bare) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...result.comparisons.map(
      (c) =>
        `| ${c.name} | ${fmt(c.full.reqPerSec, 0)} | ${fmt(c.bare.reqPerSec, 0)} | ${fmt(c.ratio, 3)} | ${c.full.latencyP50Ms} / ${c.full.latencyP99Ms} | ${c.bare.latencyP50Ms} / ${c.bare.latencyP99Ms} | ${c.full.non2xx + c.full.errors}, ${c.bare.non2xx + c.bare.errors} |`,
    ),
    ...result.skipped.map((s) => `\nSkipped: ${s}`),
  ];
  return lines.join('\n');
}

runStandalone(import.meta.url, runUsersMeBench, usersMeMarkdown);
