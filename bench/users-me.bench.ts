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
import {
  type FullVersusBare,
  fullVersusBare,
  type LoadBenchResult,
  type LoadOptions,
  loadMarkdown,
  loadOptionsFromEnv,
  loadSettings,
  measureLoad,
} from './load.js';
import { log, redactUrl, runStandalone, withScratch } from './support.js';
import { accessTokenFor, registerVerified, TimedClient, type UsersTarget, withUsersTarget } from './users-support.js';

export type UsersMeOptions = LoadOptions;

export interface UsersMeComparison extends FullVersusBare {
  readonly name: string;
  readonly database: 'pglite' | 'postgres';
  readonly queue: 'memory' | 'redis';
}

export type UsersMeResult = LoadBenchResult<UsersMeComparison>;

export const usersMeOptionsFromEnv: () => UsersMeOptions = loadOptionsFromEnv;

const PATH = '/api/users/me';

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
  /** Checks the endpoint answers 200 with the account, then a warm-up run (discarded), then the measured run. */
  const one = (which: 'full Aura' | 'bare', base: string) => {
    const url = `${base}${PATH}`;
    return measureLoad(
      {
        label: `${which.padEnd(9)} GET ${PATH}`,
        url,
        headers: { authorization: `Bearer ${token}` },
        check: (body) => {
          if ((JSON.parse(body) as { id?: unknown }).id !== userId)
            throw new Error(`GET ${url} answered another account: ${body}`);
        },
      },
      options,
    );
  };
  const full = await one('full Aura', target.url);
  const bare = await one('bare', target.bareUrl);
  return { name, ...kind, ...fullVersusBare(full, bare) };
}

export async function runUsersMeBench(options: UsersMeOptions = usersMeOptionsFromEnv()): Promise<UsersMeResult> {
  const comparisons: UsersMeComparison[] = [];
  const skipped: string[] = [];
  log(
    `users-me: ${options.connections} connections, ${options.warmupS} s warm-up + ${options.durationS} s per run, full app then bare handler on the same database`,
  );

  comparisons.push(
    await withUsersTarget({ bare: true }, (embedded) =>
      compare(`GET ${PATH} (PGlite)`, embedded, options, { database: 'pglite', queue: 'memory' }),
    ),
  );

  if (options.databaseUrl) {
    const queue = options.redisUrl ? 'redis' : 'memory';
    log(
      `users-me: PostgreSQL at ${redactUrl(options.databaseUrl)}${queue === 'redis' ? ', Aura queue and rate limiter on Redis' : ''}`,
    );
    comparisons.push(
      await withScratch(options.databaseUrl, options.redisUrl, 'aurabench_me', (scratch) =>
        withUsersTarget({ bare: true, ...scratch.backends }, (target) =>
          compare(`GET ${PATH} (PostgreSQL)`, target, options, { database: 'postgres', queue }),
        ),
      ),
    );
  } else {
    skipped.push(`GET ${PATH} on PostgreSQL: DATABASE_URL is not set`);
  }
  return { settings: loadSettings(options), comparisons, skipped };
}

export function usersMeMarkdown(result: UsersMeResult): string {
  return loadMarkdown(
    `Authenticated read: autocannon, ${result.settings.connections} connections, pipelining 1, ${result.settings.warmupS} s warm-up + ${result.settings.durationS} s measured, \`Authorization: Bearer <access token>\`; bare = Express 5 + jose \`jwtVerify\` + \`SELECT * FROM users.users WHERE id = $1\`.`,
    result,
  );
}

runStandalone(import.meta.url, runUsersMeBench, usersMeMarkdown);
