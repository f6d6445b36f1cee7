/**
 * Small helpers shared by the benchmarks: bounded env knobs, percentiles, timeouts, machine
 * info, progress lines and throw-away PostgreSQL databases / Redis key prefixes.
 */
import { randomBytes } from 'node:crypto';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The repository root (bench/..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A whole number from the environment, within bounds; absent or empty means `fallback`. */
export function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** A URL from the environment; empty means absent. */
export function envUrl(name: string): string | undefined {
  const raw = process.env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** The servers the production-mode scenarios run on; each absent one skips what needs it. */
export interface ServerUrls {
  readonly databaseUrl?: string | undefined;
  readonly redisUrl?: string | undefined;
}

/** DATABASE_URL and REDIS_URL from the environment. */
export function serverUrlsFromEnv(): ServerUrls {
  return { databaseUrl: envUrl('DATABASE_URL'), redisUrl: envUrl('REDIS_URL') };
}

/** A progress line on stderr (the report goes to stdout). */
export const log = (line: string) => process.stderr.write(`${line}\n`);

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** A unique, valid SQL identifier / Redis prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Rejects when `promise` has not settled within `ms` (the timer never keeps the process alive). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly freeMemoryGb: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  readonly loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGb: round(totalmem() / 2 ** 30, 1),
    freeMemoryGb: round(freemem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage1m: round(loadavg()[0] ?? Number.NaN, 2),
  };
}

/** Creates an empty database on the server of `serverUrl`; `drop()` removes it (forcing out connections). */
export async function createScratchDatabase(
  serverUrl: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = uniqueName('aura_bench');
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Where an app under test keeps its data: in-memory PGlite and in-memory queue unless set. */
export interface Backends {
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  /** Redis key prefix of the queue (only with `redisUrl`). */
  readonly queuePrefix?: string;
}

/** A scratch database and Redis key prefix, both removed when the run is over. */
export interface Scratch {
  /** The scratch database's URL. */
  readonly databaseUrl: string;
  /** A unique Redis key prefix. */
  readonly queuePrefix: string;
  /** The scratch database, plus Redis under `queuePrefix` when there is a Redis. */
  readonly backends: Backends;
}

/**
 * Runs `run` on a fresh database on the server of `databaseUrl` and, with `redisUrl`, under a
 * unique key prefix `<prefix>_<random>`; then drops the database and deletes the prefix's keys.
 */
export async function withScratch<T>(
  databaseUrl: string,
  redisUrl: string | undefined,
  prefix: string,
  run: (scratch: Scratch) => Promise<T>,
): Promise<T> {
  const database = await createScratchDatabase(databaseUrl);
  const queuePrefix = uniqueName(prefix);
  try {
    return await run({
      databaseUrl: database.url,
      queuePrefix,
      backends: { databaseUrl: database.url, ...(redisUrl ? { redisUrl, queuePrefix } : {}) },
    });
  } finally {
    await database.drop();
    if (redisUrl) await deleteRedisPrefix(redisUrl, queuePrefix);
  }
}

/** Deletes every Redis key under `prefix:` (bounded SCAN loop). Returns how many were deleted. */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, connectTimeout: 5_000 });
  let deleted = 0;
  try {
    let cursor = '0';
    for (let round = 0; round < 100_000; round += 1) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
  return deleted;
}

/** True when this module is the script node was started with (so it should run itself). */
export function isMain(importMetaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && importMetaUrl === pathToFileURL(resolve(entry)).href;
}

/** Formats a number for the markdown table (NaN / undefined → "–"). */
export function fmt(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Runs one suite as a script (when the file is executed directly): prints its table, or the error. */
export function runStandalone<T>(moduleUrl: string, run: () => Promise<T>, markdown: (result: T) => string): void {
  if (!isMain(moduleUrl)) return;
  run().then(
    (result) => {
      const machine = machineInfo();
      console.log(`${machine.cpu} ×${machine.cores}, Node ${machine.node}\n`);
      console.log(markdown(result));
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

/** Resolves when `count` reaches a target; `arm(n)` sets a new target and returns its promise. */
export class Countdown {
  private target = Number.POSITIVE_INFINITY;
  private resolve: (() => void) | undefined;
  count = 0;
  arm(target: number): Promise<void> {
    this.target = target;
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.check();
    });
  }
  tick(): void {
    this.count += 1;
    this.check();
  }
  private check(): void {
    if (this.count >= this.target && this.resolve) {
      const resolve = this.resolve;
      this.resolve = undefined;
      resolve();
    }
  }
}
