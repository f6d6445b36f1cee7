/**
 * Event throughput from commit to handler: use case → outbox (same transaction) → relay →
 * queue → inbox-guarded handler, with the test fixture modules (`ledger` publishes
 * `ledger.account_opened`; `audit` has two subscribers, so every event is two deliveries).
 *
 * (a) PGlite in memory + in-memory queue (embedded mode), always;
 * (b) PostgreSQL + BullMQ on Redis (production mode), when DATABASE_URL and REDIS_URL are set:
 *     a fresh database on that server (dropped afterwards) and a unique queue prefix (deleted).
 *
 * Baseline in the same run: the bare queue running no-op jobs (InMemoryJobQueue for (a),
 * BullMQ Queue.addBulk + Worker for (b)).
 *
 *   node --conditions=aura-source --import tsx bench/outbox-throughput.bench.ts
 *   env: BENCH_EVENTS (2000), BENCH_IN_FLIGHT (8), BENCH_TIMEOUT_S (300), DATABASE_URL, REDIS_URL
 */
import { performance } from 'node:perf_hooks';
import type { JobToEnqueue } from '@aura/application/platform';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type AuraConfig, configFrom } from '../packages/adapters/src/platform/config/config.js';
import { type Aura, createAura } from '../packages/adapters/src/platform/create-aura.js';
import { InMemoryJobQueue } from '../packages/adapters/src/platform/queue/in-memory-job-queue.js';
import { AuditControl, auditModule, ledgerModule, OpenAccount } from '../packages/adapters/test/fixtures/fixture-modules.js';
import {
  Countdown,
  deleteRedisPrefix,
  envInt,
  fmt,
  log,
  percentile,
  redactUrl,
  round,
  runStandalone,
  type ServerUrls,
  serverUrlsFromEnv,
  sleep,
  uniqueName,
  withScratch,
  withTimeout,
} from './support.js';

export interface OutboxBenchOptions extends ServerUrls {
  readonly events: number;
  readonly inFlight: number;
  readonly timeoutS: number;
}

/** The pipeline settings every scenario runs with (printed with the results). */
export const PIPELINE_SETTINGS = {
  OUTBOX_POLL_INTERVAL_MS: '50',
  OUTBOX_BATCH_SIZE: '200',
  WORKER_CONCURRENCY: '10',
  LOG_LEVEL: 'silent',
} as const satisfies Partial<Record<keyof AuraConfig, string>>;

const WARMUP_EVENTS = 50;

export interface BaselineResult {
  readonly name: string;
  readonly jobs: number;
  readonly concurrency: number;
  readonly elapsedMs: number;
  readonly jobsPerSec: number;
}

export interface PipelineResult {
  readonly events: number;
  readonly handled: number;
  readonly timedOut: boolean;
  /** First commit started → last `audit.record-opened` handled. */
  readonly elapsedMs: number;
  readonly eventsPerSec: number;
  /** First commit started → last commit returned. */
  readonly commitPhaseMs: number;
  readonly commitsPerSec: number;
  /** Commit returned → `audit.record-opened` handler ran (inside its transaction), per event. */
  readonly latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** First commit started → both subscribers' inbox rows present for every event (polled every 20 ms). */
  readonly allDeliveriesMs: number | undefined;
}

export interface OutboxScenario {
  readonly name: string;
  readonly mode: 'embedded' | 'production';
  readonly database: string;
  readonly queue: string;
  readonly skipped?: string;
  readonly pipeline?: PipelineResult;
  readonly baseline?: BaselineResult;
  /** Pipeline events/s ÷ bare queue no-op jobs/s. */
  readonly ratio?: number;
}

export interface OutboxBenchResult {
  readonly settings: {
    events: number;
    inFlight: number;
    warmupEvents: number;
    subscribersPerEvent: number;
    pipeline: typeof PIPELINE_SETTINGS;
  };
  readonly scenarios: readonly OutboxScenario[];
}

export function outboxOptionsFromEnv(): OutboxBenchOptions {
  return {
    events: envInt('BENCH_EVENTS', 2_000, 1, 1_000_000),
    inFlight: envInt('BENCH_IN_FLIGHT', 8, 1, 1_000),
    timeoutS: envInt('BENCH_TIMEOUT_S', 300, 5, 3_600),
    ...serverUrlsFromEnv(),
  };
}

/** Runs `n` events through an Aura configured by `config`; the caller owns database and prefix cleanup. */
async function runPipeline(config: AuraConfig, options: OutboxBenchOptions): Promise<PipelineResult> {
  const control = new AuditControl();
  const handledAt = new Map<string, number>();
  const warm = new Countdown();
  const measured = new Countdown();
  control.onHandle = async (event) => {
    const owner = (event.data as { owner: string }).owner;
    if (owner.startsWith('warm-')) {
      warm.tick();
      return;
    }
    // A retried handler transaction runs the hook again: the first run is the one timed.
    if (handledAt.has(owner)) return;
    handledAt.set(owner, performance.now());
    measured.tick();
  };

  const aura: Aura = await createAura({ config, modules: [ledgerModule, auditModule(control)] });
  try {
    await aura.startWorker();
    const openAccount = await aura.get(OpenAccount);
    const open = async (owner: string) => {
      const result = await openAccount.execute({ owner });
      if (result.isErr()) throw new Error(`OpenAccount(${owner}) failed: ${result.error.type}`);
    };

    // Warm-up: JIT, connection pools, prepared paths. Not measured.
    const warmed = warm.arm(WARMUP_EVENTS);
    await Promise.all(Array.from({ length: WARMUP_EVENTS }, (_, i) => open(`warm-${i}`)));
    await withTimeout(warmed, 60_000, 'warm-up events handled');
    await waitForInbox(aura, 2 * WARMUP_EVENTS, 60_000);

    const n = options.events;
    const committedAt = new Map<string, number>();
    const done = measured.arm(n);
    let next = 0;
    const lane = async () => {
      while (next < n) {
        const owner = `bench-${next}`;
        next += 1;
        await open(owner);
        committedAt.set(owner, performance.now());
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: Math.min(options.inFlight, n) }, lane));
    const commitsDone = performance.now();

    let timedOut = false;
    try {
      await withTimeout(done, options.timeoutS * 1_000, `${n} events handled`);
    } catch {
      timedOut = true;
    }
    let end = handledAt.size > 0 ? Number.NEGATIVE_INFINITY : performance.now();
    for (const at of handledAt.values()) end = Math.max(end, at);
    let allDeliveriesMs: number | undefined;
    if (!timedOut) {
      const reached = await waitForInbox(aura, 2 * (WARMUP_EVENTS + n), 60_000).catch(() => undefined);
      if (reached !== undefined) allDeliveriesMs = round(reached - start, 1);
    }

    const latencies = [...handledAt]
      .map(([owner, at]) => at - (committedAt.get(owner) ?? Number.NaN))
      .filter((value) => Number.isFinite(value))
      .sort((a, b) => a - b);
    const elapsedMs = end - start;
    return {
      events: n,
      handled: handledAt.size,
      timedOut,
      elapsedMs: round(elapsedMs, 1),
      eventsPerSec: round((handledAt.size / elapsedMs) * 1_000, 1),
      commitPhaseMs: round(commitsDone - start, 1),
      commitsPerSec: round((n / (commitsDone - start)) * 1_000, 1),
      latencyMs: {
        p50: round(percentile(latencies, 50), 1),
        p95: round(percentile(latencies, 95), 1),
        p99: round(percentile(latencies, 99), 1),
        max: round(latencies.at(-1) ?? Number.NaN, 1),
      },
      allDeliveriesMs,
    };
  } finally {
    await aura.close();
  }
}

/** Polls platform.inbox every 20 ms (bounded) until it has `rows` rows; returns the time it saw them. */
async function waitForInbox(aura: Aura, rows: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const row = await aura.database.db
      .selectFrom('platform.inbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= rows) return performance.now();
    await sleep(20);
  }
  throw new Error(`platform.inbox did not reach ${rows} rows within ${timeoutMs} ms`);
}

const NOOP_CONCURRENCY = Number(PIPELINE_SETTINGS.WORKER_CONCURRENCY);

/** Bare InMemoryJobQueue: enqueueMany(n) no-op jobs, concurrency 10, until all completed. */
async function inMemoryBaseline(n: number, timeoutS: number): Promise<BaselineResult> {
  const run = async (jobs: number) => {
    const queue = new InMemoryJobQueue({
      defaultAttempts: 8,
      defaultBackoff: { type: 'exponential', delayMs: 1_000 },
      closeTimeoutMs: 10_000,
    });
    try {
      const completed = new Countdown();
      await queue.process('bench.noop', async () => {}, {
        concurrency: NOOP_CONCURRENCY,
        onCompleted: () => completed.tick(),
      });
      const batch: JobToEnqueue[] = Array.from({ length: jobs }, (_, i) => ({
        queue: 'bench.noop',
        name: 'noop',
        data: { i },
        options: { jobId: `noop-${i}` },
      }));
      const done = completed.arm(jobs);
      const start = performance.now();
      await queue.enqueueMany(batch);
      await withTimeout(done, timeoutS * 1_000, `${jobs} in-memory no-op jobs`);
      return performance.now() - start;
    } finally {
      await queue.close();
    }
  };
  await run(Math.min(n, 500)); // warm-up
  const elapsedMs = await run(n);
  return {
    name: 'InMemoryJobQueue no-op',
    jobs: n,
    concurrency: NOOP_CONCURRENCY,
    elapsedMs: round(elapsedMs, 2),
    jobsPerSec: round((n / elapsedMs) * 1_000, 1),
  };
}

/** Bare BullMQ: Queue.addBulk(n) no-op jobs, one Worker with concurrency 10, until all completed. */
async function bullmqBaseline(redisUrl: string, n: number, timeoutS: number): Promise<BaselineResult> {
  const prefix = uniqueName('aurabench_raw');
  const producer = new Redis(redisUrl, { maxRetriesPerRequest: null, connectTimeout: 5_000 });
  const consumer = new Redis(redisUrl, { maxRetriesPerRequest: null, connectTimeout: 5_000 });
  const queue = new Queue('bench-noop', { connection: producer, prefix });
  const completed = new Countdown();
  const worker = new Worker('bench-noop', async () => {}, {
    connection: consumer,
    prefix,
    concurrency: NOOP_CONCURRENCY,
    autorun: true,
  });
  worker.on('completed', () => completed.tick());
  worker.on('error', () => {});
  queue.on('error', () => {});
  try {
    await worker.waitUntilReady();
    const run = async (jobs: number, tag: string) => {
      completed.count = 0;
      const done = completed.arm(jobs);
      const start = performance.now();
      await queue.addBulk(
        Array.from({ length: jobs }, (_, i) => ({
          name: 'noop',
          data: { i },
          opts: { jobId: `${tag}-${i}`, attempts: 8, removeOnComplete: { age: 86_400, count: 10_000 } },
        })),
      );
      await withTimeout(done, timeoutS * 1_000, `${jobs} BullMQ no-op jobs`);
      return performance.now() - start;
    };
    await run(Math.min(n, 500), 'warm'); // warm-up
    const elapsedMs = await run(n, 'bench');
    return {
      name: 'BullMQ no-op',
      jobs: n,
      concurrency: NOOP_CONCURRENCY,
      elapsedMs: round(elapsedMs, 1),
      jobsPerSec: round((n / elapsedMs) * 1_000, 1),
    };
  } finally {
    await withTimeout(worker.close(), 15_000, 'closing BullMQ worker').catch(() => worker.disconnect());
    await queue.close().catch(() => undefined);
    await producer.quit().catch(() => producer.disconnect());
    await consumer.quit().catch(() => consumer.disconnect());
    await deleteRedisPrefix(redisUrl, prefix);
  }
}

async function embeddedScenario(options: OutboxBenchOptions): Promise<OutboxScenario> {
  log(`outbox (a): PGlite in memory + in-memory queue, ${options.events} events, ${options.inFlight} in flight …`);
  const pipeline = await runPipeline(configFrom({ AURA_DATA_DIR: 'memory://', ...PIPELINE_SETTINGS }), options);
  log(`outbox (a): ${fmt(pipeline.eventsPerSec)} events/s; baseline …`);
  const baseline = await inMemoryBaseline(options.events, options.timeoutS);
  return {
    name: '(a) PGlite + in-memory queue',
    mode: 'embedded',
    database: 'PGlite (memory://)',
    queue: 'InMemoryJobQueue',
    pipeline,
    baseline,
    ratio: round(pipeline.eventsPerSec / baseline.jobsPerSec, 4),
  };
}

async function productionScenario(options: OutboxBenchOptions): Promise<OutboxScenario> {
  const base = {
    name: '(b) PostgreSQL + BullMQ on Redis',
    mode: 'production' as const,
    database: options.databaseUrl ? `PostgreSQL ${redactUrl(options.databaseUrl)}` : 'PostgreSQL',
    queue: options.redisUrl ? `BullMQ ${redactUrl(options.redisUrl)}` : 'BullMQ',
  };
  const missing = [!options.databaseUrl && 'DATABASE_URL', !options.redisUrl && 'REDIS_URL'].filter(Boolean);
  if (!options.databaseUrl || !options.redisUrl) {
    const skipped = `${missing.join(' and ')} not set`;
    log(`outbox (b): skipped: ${skipped}`);
    return { ...base, skipped };
  }
  log(`outbox (b): ${base.database} + ${base.queue}, ${options.events} events, ${options.inFlight} in flight …`);
  const redisUrl = options.redisUrl;
  const pipeline = await withScratch(options.databaseUrl, redisUrl, 'aurabench', (scratch) =>
    runPipeline(
      configFrom({
        DATABASE_URL: scratch.databaseUrl,
        DATABASE_MIGRATE_ON_START: 'true',
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: scratch.queuePrefix,
        ...PIPELINE_SETTINGS,
      }),
      options,
    ),
  );
  log(`outbox (b): ${fmt(pipeline.eventsPerSec)} events/s; baseline …`);
  const baseline = await bullmqBaseline(options.redisUrl, options.events, options.timeoutS);
  return { ...base, pipeline, baseline, ratio: round(pipeline.eventsPerSec / baseline.jobsPerSec, 4) };
}

export async function runOutboxBench(options: OutboxBenchOptions = outboxOptionsFromEnv()): Promise<OutboxBenchResult> {
  const scenarios = [await embeddedScenario(options), await productionScenario(options)];
  return {
    settings: {
      events: options.events,
      inFlight: options.inFlight,
      warmupEvents: WARMUP_EVENTS,
      subscribersPerEvent: 2,
      pipeline: PIPELINE_SETTINGS,
    },
    scenarios,
  };
}

export function outboxMarkdown(result: OutboxBenchResult): string {
  const s = result.settings;
  const lines = [
    `Outbox: ${s.events} events (after ${s.warmupEvents} warm-up), ${s.inFlight} commits in flight, ${s.subscribersPerEvent} subscribers per event; OUTBOX_POLL_INTERVAL_MS=${s.pipeline.OUTBOX_POLL_INTERVAL_MS}, OUTBOX_BATCH_SIZE=${s.pipeline.OUTBOX_BATCH_SIZE}, WORKER_CONCURRENCY=${s.pipeline.WORKER_CONCURRENCY}; relay, worker and committers in one process.`,
    '',
    '| scenario | events/s (commit → handled) | commit-only/s | latency p50 / p95 / p99 ms | all deliveries done ms | bare queue no-op jobs/s | ratio |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of result.scenarios) {
    if (c.skipped || !c.pipeline || !c.baseline) {
      lines.push(`| ${c.name} | skipped: ${c.skipped ?? 'no result'} | | | | | |`);
      continue;
    }
    const p = c.pipeline;
    const handled = p.timedOut ? ` (TIMED OUT: ${p.handled}/${p.events})` : '';
    lines.push(
      `| ${c.name} | ${fmt(p.eventsPerSec, 0)}${handled} | ${fmt(p.commitsPerSec, 0)} | ${fmt(p.latencyMs.p50)} / ${fmt(p.latencyMs.p95)} / ${fmt(p.latencyMs.p99)} | ${fmt(p.allDeliveriesMs, 0)} | ${fmt(c.baseline.jobsPerSec, 0)} (${c.baseline.name}) | ${fmt(c.ratio, 4)} |`,
    );
  }
  return lines.join('\n');
}

runStandalone(import.meta.url, runOutboxBench, outboxMarkdown);
