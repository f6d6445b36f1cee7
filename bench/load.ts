/**
 * The autocannon side of the throughput benchmarks (http-health, users-me): their settings
 * from the environment, one measurement (probe, warm-up, measured run), the full-versus-bare
 * comparison and its markdown table.
 */
import autocannon from 'autocannon';
import { envInt, fmt, log, round, type ServerUrls, serverUrlsFromEnv, withTimeout } from './support.js';

export interface LoadOptions extends ServerUrls {
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
}

/** BENCH_DURATION_S, BENCH_WARMUP_S, BENCH_CONNECTIONS, DATABASE_URL, REDIS_URL. */
export function loadOptionsFromEnv(): LoadOptions {
  return {
    durationS: envInt('BENCH_DURATION_S', 10, 1, 600),
    warmupS: envInt('BENCH_WARMUP_S', 2, 0, 60),
    connections: envInt('BENCH_CONNECTIONS', 10, 1, 1_000),
    ...serverUrlsFromEnv(),
  };
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

/** The full app and a bare handler, measured on the same endpoint. */
export interface FullVersusBare {
  readonly full: LoadStats;
  readonly bare: LoadStats;
  /** full / bare requests per second (1 = the stack costs nothing). */
  readonly ratio: number;
}

export function fullVersusBare(full: LoadStats, bare: LoadStats): FullVersusBare {
  return { full, bare, ratio: round(full.reqPerSec / bare.reqPerSec, 3) };
}

export interface LoadComparison extends FullVersusBare {
  readonly name: string;
}

export interface LoadSettings {
  durationS: number;
  warmupS: number;
  connections: number;
  pipelining: 1;
}

export interface LoadBenchResult<C extends LoadComparison> {
  readonly settings: LoadSettings;
  readonly comparisons: readonly C[];
  readonly skipped: readonly string[];
}

export function loadSettings(options: LoadOptions): LoadSettings {
  return { durationS: options.durationS, warmupS: options.warmupS, connections: options.connections, pipelining: 1 };
}

async function cannon(
  url: string,
  headers: Record<string, string> | undefined,
  durationS: number,
  connections: number,
): Promise<autocannon.Result> {
  return withTimeout(
    autocannon({ url, connections, duration: durationS, pipelining: 1, timeout: 10, ...(headers ? { headers } : {}) }),
    (durationS + 30) * 1_000,
    `autocannon ${url}`,
  );
}

export interface LoadRequest {
  /** Shown in the progress lines, e.g. `full Aura GET /health/live`. */
  readonly label: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** Throws when the probe's body (status 200) is not the expected answer. */
  readonly check?: (body: string) => void;
}

/** Checks the endpoint answers 200 (and `check`), then a warm-up run (discarded), then the measured run. */
export async function measureLoad(request: LoadRequest, options: LoadOptions): Promise<LoadStats> {
  const { label, url, headers } = request;
  log(`  ${label} …`);
  const probe = await fetch(url, { ...(headers ? { headers } : {}), signal: AbortSignal.timeout(10_000) });
  const body = await probe.text();
  if (probe.status !== 200) throw new Error(`GET ${url} answered ${probe.status}: ${body.slice(0, 300)}`);
  request.check?.(body);
  if (options.warmupS > 0) await cannon(url, headers, options.warmupS, options.connections);
  const result = await cannon(url, headers, options.durationS, options.connections);
  const stats: LoadStats = {
    reqPerSec: round(result.requests.mean, 1),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: round(result.latency.mean, 2),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  log(`  ${label}: ${fmt(stats.reqPerSec, 0)} req/s, p50 ${stats.latencyP50Ms} ms`);
  return stats;
}

/** `heading`, then one table row per comparison, then the skipped scenarios. */
export function loadMarkdown(heading: string, result: LoadBenchResult<LoadComparison>): string {
  const lines = [
    heading,
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
