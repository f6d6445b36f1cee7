/**
 * HTTP overhead of the full Aura app versus a bare Express 5 app, measured in the same run
 * with the same autocannon settings:
 *
 * - `GET /health/live`: Aura (request id, pino-http, metrics, helmet, body parser, routers)
 *   versus one Express handler returning the same `{"status":"up"}`.
 * - `GET /health/ready`: Aura's readiness (database `SELECT 1`, queue ping, pending-migration
 *   check per module) versus one handler doing `select 1` on the same kind of database:
 *   in-memory PGlite always; PostgreSQL too when DATABASE_URL is set.
 *
 * Each server runs alone in a child process (bench/http-target.ts); autocannon runs here.
 *
 *   node --conditions=aura-source --import tsx bench/http-health.bench.ts
 *   env: BENCH_DURATION_S (10), BENCH_WARMUP_S (2), BENCH_CONNECTIONS (10), DATABASE_URL, REDIS_URL
 */
import type { TargetReady, TargetSpec } from './http-target.js';
import {
  type FullVersusBare,
  fullVersusBare,
  type LoadBenchResult,
  type LoadOptions,
  type LoadStats,
  loadMarkdown,
  loadOptionsFromEnv,
  loadSettings,
  measureLoad,
} from './load.js';
import { log, redactUrl, runStandalone, withScratch } from './support.js';
import { forkTarget, withTarget } from './target-process.js';

export type HttpBenchOptions = LoadOptions;

export interface HttpComparison extends FullVersusBare {
  readonly name: string;
  readonly path: string;
  readonly database: 'none' | 'pglite' | 'postgres';
}

export type HttpBenchResult = LoadBenchResult<HttpComparison>;

export const httpOptionsFromEnv: () => HttpBenchOptions = loadOptionsFromEnv;

/** Forks bench/http-target.ts with `spec` and waits (bounded) for its URL. */
function startTarget(spec: TargetSpec) {
  return forkTarget<TargetReady>(new URL('./http-target.ts', import.meta.url), spec, `target ${spec.kind}`);
}

/**
 * Starts both servers (each idle while the other is loaded), then measures each path on the
 * full app and right after on the bare one, so the pair sees the same machine conditions.
 */
async function measurePair(fullSpec: TargetSpec, bareSpec: TargetSpec, paths: readonly string[], options: HttpBenchOptions) {
  return withTarget(startTarget(fullSpec), (full) =>
    withTarget(startTarget(bareSpec), async (bare) => {
      const pairs = new Map<string, { full: LoadStats; bare: LoadStats }>();
      for (const path of paths) {
        const one = (kind: string, url: string) =>
          measureLoad({ label: `${kind.padEnd(11)} GET ${path}`, url: `${url}${path}` }, options);
        const fullStats = await one(fullSpec.kind, full.ready.url);
        const bareStats = await one(bareSpec.kind, bare.ready.url);
        pairs.set(path, { full: fullStats, bare: bareStats });
      }
      return pairs;
    }),
  );
}

function compare(
  name: string,
  path: string,
  database: HttpComparison['database'],
  pair: { full: LoadStats; bare: LoadStats } | undefined,
): HttpComparison {
  if (!pair) throw new Error(`missing measurement for ${name}`);
  return { name, path, database, ...fullVersusBare(pair.full, pair.bare) };
}

export async function runHttpBench(options: HttpBenchOptions = httpOptionsFromEnv()): Promise<HttpBenchResult> {
  const comparisons: HttpComparison[] = [];
  const skipped: string[] = [];
  log(
    `http: ${options.connections} connections, ${options.warmupS} s warm-up + ${options.durationS} s per run, each server in its own process, full and bare measured back to back`,
  );

  const pglite = await measurePair({ kind: 'aura' }, { kind: 'bare-pglite' }, ['/health/live', '/health/ready'], options);
  comparisons.push(
    compare('GET /health/live', '/health/live', 'none', pglite.get('/health/live')),
    compare('GET /health/ready (PGlite)', '/health/ready', 'pglite', pglite.get('/health/ready')),
  );

  if (options.databaseUrl) {
    log(`http: PostgreSQL at ${redactUrl(options.databaseUrl)}${options.redisUrl ? ', Aura queue on Redis' : ''}`);
    const postgres = await withScratch(options.databaseUrl, options.redisUrl, 'aurabench_http', (scratch) =>
      measurePair(
        { kind: 'aura', ...scratch.backends },
        { kind: 'bare-pg', databaseUrl: scratch.databaseUrl, poolSize: 10 },
        ['/health/ready'],
        options,
      ),
    );
    comparisons.push(compare('GET /health/ready (PostgreSQL)', '/health/ready', 'postgres', postgres.get('/health/ready')));
  } else {
    skipped.push('GET /health/ready on PostgreSQL: DATABASE_URL is not set');
  }
  return { settings: loadSettings(options), comparisons, skipped };
}

export function httpMarkdown(result: HttpBenchResult): string {
  return loadMarkdown(
    `HTTP: autocannon, ${result.settings.connections} connections, pipelining 1, ${result.settings.warmupS} s warm-up + ${result.settings.durationS} s measured; server in its own process.`,
    result,
  );
}

runStandalone(import.meta.url, runHttpBench, httpMarkdown);
