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
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { TargetMessage, TargetSpec } from './http-target.js';
import {
  createScratchDatabase,
  deleteRedisPrefix,
  envInt,
  envUrl,
  fmt,
  redactUrl,
  repoRoot,
  round,
  runStandalone,
  uniqueName,
  withTimeout,
} from './support.js';

export interface HttpBenchOptions {
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
  readonly databaseUrl?: string | undefined;
  readonly redisUrl?: string | undefined;
}

export interface LoadStats {
  /** Mean of the per-second request counts (autocannon `requests.mean`). */
  readonly reqPerSec: number;
  /** Latency percentiles in ms (autocannon records whole milliseconds). */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMeanMs: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface HttpComparison {
  readonly name: string;
  readonly path: string;
  readonly database: 'none' | 'pglite' | 'postgres';
  readonly full: LoadStats;
  readonly bare: LoadStats;
  /** full / bare requests per second (1 = no overhead). */
  readonly ratio: number;
}

export interface HttpBenchResult {
  readonly settings: { durationS: number; warmupS: number; connections: number; pipelining: 1 };
  readonly comparisons: readonly HttpComparison[];
  readonly skipped: readonly string[];
}

export function httpOptionsFromEnv(): HttpBenchOptions {
  return {
    durationS: envInt('BENCH_DURATION_S', 10, 1, 600),
    warmupS: envInt('BENCH_WARMUP_S', 2, 0, 60),
    connections: envInt('BENCH_CONNECTIONS', 10, 1, 1_000),
    databaseUrl: envUrl('DATABASE_URL'),
    redisUrl: envUrl('REDIS_URL'),
  };
}

const targetFile = fileURLToPath(new URL('./http-target.ts', import.meta.url));

interface Target {
  readonly url: string;
  stop(): Promise<void>;
}

/** Forks bench/http-target.ts with `spec` and waits (bounded) for its URL. */
async function startTarget(spec: TargetSpec): Promise<Target> {
  const child: ChildProcess = fork(targetFile, [JSON.stringify(spec)], {
    cwd: repoRoot,
    execArgv: ['--conditions=aura-source', '--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const url = await withTimeout(
      new Promise<string>((resolve, reject) => {
        child.once('message', (message: TargetMessage) =>
          message.type === 'ready' ? resolve(message.url) : reject(new Error(`target ${spec.kind} failed:\n${message.message}`)),
        );
        child.once('exit', (code) => reject(new Error(`target ${spec.kind} exited with code ${code} before it was ready`)));
      }),
      120_000,
      `starting target ${spec.kind}`,
    );
    return {
      url,
      stop: async () => {
        if (child.connected) child.send('stop');
        try {
          await withTimeout(exited, 20_000, `stopping target ${spec.kind}`);
        } catch {
          kill();
          await exited;
        }
      },
    };
  } catch (error) {
    kill();
    await exited;
    throw error;
  }
}

async function cannon(url: string, durationS: number, connections: number): Promise<autocannon.Result> {
  return withTimeout(
    autocannon({ url, connections, duration: durationS, pipelining: 1, timeout: 10 }),
    (durationS + 30) * 1_000,
    `autocannon ${url}`,
  );
}

/** Checks the endpoint answers 200, then a warm-up run (discarded), then the measured run. */
async function measure(base: string, path: string, options: HttpBenchOptions): Promise<LoadStats> {
  const url = `${base}${path}`;
  const probe = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await probe.text();
  if (probe.status !== 200) throw new Error(`GET ${url} answered ${probe.status}: ${body.slice(0, 300)}`);
  if (options.warmupS > 0) await cannon(url, options.warmupS, options.connections);
  const result = await cannon(url, options.durationS, options.connections);
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

/**
 * Starts both servers (each idle while the other is loaded), then measures each path on the
 * full app and right after on the bare one, so the pair sees the same machine conditions.
 */
async function measurePair(fullSpec: TargetSpec, bareSpec: TargetSpec, paths: readonly string[], options: HttpBenchOptions) {
  const full = await startTarget(fullSpec);
  try {
    const bare = await startTarget(bareSpec);
    try {
      const pairs = new Map<string, { full: LoadStats; bare: LoadStats }>();
      for (const path of paths) {
        const one = async (kind: string, target: Target) => {
          log(`  ${kind.padEnd(11)} GET ${path} …`);
          const measured = await measure(target.url, path, options);
          log(`  ${kind.padEnd(11)} GET ${path}: ${fmt(measured.reqPerSec, 0)} req/s, p50 ${measured.latencyP50Ms} ms`);
          return measured;
        };
        const fullStats = await one(fullSpec.kind, full);
        const bareStats = await one(bareSpec.kind, bare);
        pairs.set(path, { full: fullStats, bare: bareStats });
      }
      return pairs;
    } finally {
      await bare.stop();
    }
  } finally {
    await full.stop();
  }
}

function compare(
  name: string,
  path: string,
  database: HttpComparison['database'],
  pair: { full: LoadStats; bare: LoadStats } | undefined,
): HttpComparison {
  if (!pair) throw new Error(`missing measurement for ${name}`);
  const { full, bare } = pair;
  return { name, path, database, full, bare, ratio: round(full.reqPerSec / bare.reqPerSec, 3) };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

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
    const database = await createScratchDatabase(options.databaseUrl);
    const queuePrefix = uniqueName('aurabench_http');
    try {
      const postgres = await measurePair(
        {
          kind: 'aura',
          databaseUrl: database.url,
          ...(options.redisUrl ? { redisUrl: options.redisUrl, queuePrefix } : {}),
        },
        { kind: 'bare-pg', databaseUrl: database.url, poolSize: 10 },
        ['/health/ready'],
        options,
      );
      comparisons.push(compare('GET /health/ready (PostgreSQL)', '/health/ready', 'postgres', postgres.get('/health/ready')));
    } finally {
      await database.drop();
      if (options.redisUrl) await deleteRedisPrefix(options.redisUrl, queuePrefix);
    }
  } else {
    skipped.push('GET /health/ready on PostgreSQL: DATABASE_URL is not set');
  }
  return {
    settings: { durationS: options.durationS, warmupS: options.warmupS, connections: options.connections, pipelining: 1 },
    comparisons,
    skipped,
  };
}

export function httpMarkdown(result: HttpBenchResult): string {
  const lines = [
    `HTTP: autocannon, ${result.settings.connections} connections, pipelining 1, ${result.settings.warmupS} s warm-up + ${result.settings.durationS} s measured; server in its own process.`,
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

runStandalone(import.meta.url, runHttpBench, httpMarkdown);
