/**
 * Notification throughput through the whole pipeline: `SendNotification` (pending row +
 * `notification.queued` in the outbox, one transaction) → outbox relay → event queue →
 * `notifications.enqueue-delivery` → `notifications.deliver` job → `DeliverNotification`
 * (claim, SMTP send through `SmtpEmailSender` behind the circuit breaker, mark sent) → a real
 * SMTP server on loopback (`smtp-server`, the sink) that counts what it receives.
 *
 * (a) PGlite on disk (a fresh temporary AURA_DATA_DIR, removed afterwards) + in-memory queue;
 * (b) PostgreSQL + BullMQ on Redis, when DATABASE_URL and REDIS_URL are set: a fresh database
 *     on that server (dropped afterwards) and a unique queue prefix (deleted).
 *
 * Baseline in the same run: the same queue adapter (InMemoryJobQueue for (a), BullmqJobQueue on
 * the same Redis for (b)) running N no-op jobs, enqueued with `enqueueMany`, processed with the
 * delivery concurrency.
 *
 *   node --conditions=aura-source --import tsx bench/notifications.bench.ts
 *   env: BENCH_NOTIFICATIONS (10000), BENCH_IN_FLIGHT (8), BENCH_TIMEOUT_S (300),
 *        NOTIFICATIONS_DELIVERY_CONCURRENCY (20), WORKER_CONCURRENCY (20), DATABASE_URL, REDIS_URL
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { DELIVER_QUEUE, SendNotification } from '@aura/application/notifications';
import type { JobQueue, JobToEnqueue } from '@aura/application/platform';
import type { Kysely } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { auraModules } from '../packages/adapters/src/modules.js';
import type { NotificationsDb } from '../packages/adapters/src/notifications/notifications.tables.js';
import { type AuraConfig, configFrom } from '../packages/adapters/src/platform/config/config.js';
import { type Aura, createAura } from '../packages/adapters/src/platform/create-aura.js';
import { BullmqJobQueue } from '../packages/adapters/src/platform/queue/bullmq-job-queue.js';
import { InMemoryJobQueue } from '../packages/adapters/src/platform/queue/in-memory-job-queue.js';
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

export interface NotificationsBenchOptions extends ServerUrls {
  /** Notifications sent per scenario (and no-op jobs in its baseline). */
  readonly notifications: number;
  /** `SendNotification` calls in flight at once. */
  readonly inFlight: number;
  readonly timeoutS: number;
  /** NOTIFICATIONS_DELIVERY_CONCURRENCY: delivery jobs at once (and the baseline's concurrency). */
  readonly deliveryConcurrency: number;
  /** WORKER_CONCURRENCY: event deliveries (the outbox subscribers) at once. */
  readonly workerConcurrency: number;
}

/** The pipeline settings every scenario runs with, besides the two concurrencies (printed with the results). */
export const NOTIFICATIONS_PIPELINE_SETTINGS = {
  LOG_LEVEL: 'silent',
} as const satisfies Partial<Record<keyof AuraConfig, string>>;

const WARMUP_NOTIFICATIONS = 50;
/** Measured recipients are `bench-<i>@…`, warm-up ones `warm-<i>@…`. */
const RECIPIENT_DOMAIN = 'bench.example';
/** How often the sink's count is looked at, and the notifications' statuses in the database. */
const SINK_POLL_MS = 20;
const DB_POLL_MS = 250;
const PROGRESS_EVERY_MS = 5_000;

export interface NotificationsBaselineResult {
  readonly name: string;
  readonly jobs: number;
  readonly concurrency: number;
  readonly elapsedMs: number;
  readonly jobsPerSec: number;
}

export interface SinkCheck {
  /** Messages the SMTP sink received for the measured notifications. */
  readonly received: number;
  /** Measured notifications the sink got no message for. */
  readonly missing: number;
  /** Messages beyond the first for a measured notification (the same notification sent twice). */
  readonly duplicates: number;
  /** Messages without a recognisable notification id header (neither warm-up nor measured). */
  readonly unidentified: number;
  /** received === N, nothing missing, nothing doubled. */
  readonly ok: boolean;
}

export interface NotificationsPipelineResult {
  readonly notifications: number;
  /** Measured rows by status when the run ended. */
  readonly statuses: Record<string, number>;
  readonly timedOut: boolean;
  /** First send started → last send returned. */
  readonly sendPhaseMs: number;
  readonly sendsPerSec: number;
  /** First send started → the latest `sent_at` of the measured rows. */
  readonly elapsedMs: number;
  /** Sent notifications ÷ elapsedMs. */
  readonly notificationsPerSec: number;
  /** sent_at − created_at of the measured rows, ms. */
  readonly timeToSentMs: { p50: number; p95: number; p99: number; max: number };
  /** Sum of `attempts` over the measured rows (N when every one went out on its first attempt). */
  readonly attempts: number;
  readonly sink: SinkCheck;
  /** Calls to the email provider during the measured phase, by outcome (sent, failed, timeout, circuit_open, …). */
  readonly providerCalls: Record<string, number>;
  /** `notifications.deliver` job runs during the measured phase, by outcome (completed, retried, postponed, failed). */
  readonly deliverJobs: Record<string, number>;
  /** The most frequent `last_error` values among the measured rows (retried or failed deliveries). */
  readonly lastErrors: readonly { readonly error: string; readonly count: number }[];
  /**
   * Event-loop delay during the measured phase, ms (perf_hooks.monitorEventLoopDelay): how long
   * timers and socket I/O (the SMTP connections) waited behind work on the loop.
   */
  readonly eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export interface NotificationsScenario {
  readonly name: string;
  readonly mode: 'embedded' | 'production';
  readonly database: string;
  readonly queue: string;
  readonly skipped?: string;
  readonly pipeline?: NotificationsPipelineResult;
  readonly baseline?: NotificationsBaselineResult;
  /** Pipeline notifications/s ÷ bare queue no-op jobs/s. */
  readonly ratio?: number;
}

export interface NotificationsBenchResult {
  readonly settings: {
    notifications: number;
    inFlight: number;
    warmupNotifications: number;
    deliveryConcurrency: number;
    workerConcurrency: number;
    pipeline: typeof NOTIFICATIONS_PIPELINE_SETTINGS;
  };
  readonly scenarios: readonly NotificationsScenario[];
}

export function notificationsOptionsFromEnv(): NotificationsBenchOptions {
  return {
    notifications: envInt('BENCH_NOTIFICATIONS', 10_000, 1, 1_000_000),
    inFlight: envInt('BENCH_IN_FLIGHT', 8, 1, 1_000),
    timeoutS: envInt('BENCH_TIMEOUT_S', 300, 5, 3_600),
    deliveryConcurrency: envInt('NOTIFICATIONS_DELIVERY_CONCURRENCY', 20, 1, 1_000),
    workerConcurrency: envInt('WORKER_CONCURRENCY', 20, 1, 1_000),
    ...serverUrlsFromEnv(),
  };
}

const ID_HEADER = /^x-aura-notification-id:[ \t]*(\S+)/im;

/**
 * A real SMTP server on 127.0.0.1 (no TLS, no authentication) that accepts every message,
 * drains it and counts it per `X-Aura-Notification-Id`.
 */
class SmtpSink {
  /** Every message received. */
  messages = 0;
  unidentified = 0;
  /** Messages per notification id. */
  readonly perId = new Map<string, number>();
  private readonly server: SMTPServer;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // On stop, pooled client connections still open are cut after this long.
      closeTimeout: 2_000,
      onData: (stream, _session, callback) => {
        // Only the header block is kept (the id header is in it); the rest is drained.
        let head = '';
        let headDone = false;
        stream.on('data', (chunk: Buffer) => {
          if (headDone) return;
          head += chunk.toString('latin1');
          const end = head.search(/\r?\n\r?\n/);
          if (end >= 0) {
            head = head.slice(0, end);
            headDone = true;
          } else if (head.length > 64 * 1024) {
            headDone = true;
          }
        });
        stream.on('error', (error: Error) => callback(error));
        stream.on('end', () => {
          this.messages += 1;
          // Unfold folded header lines first.
          const id = ID_HEADER.exec(head.replace(/\r?\n[ \t]+/g, ' '))?.[1];
          if (id === undefined) this.unidentified += 1;
          else this.perId.set(id, (this.perId.get(id) ?? 0) + 1);
          callback();
        });
      },
    });
    this.server.on('error', () => {});
  }

  /** Listens on 127.0.0.1, a free port; returns the smtp:// URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.server.address() as AddressInfo;
    return `smtp://127.0.0.1:${port}`;
  }

  stop(): Promise<void> {
    return withTimeout(
      new Promise<void>((resolve) => this.server.close(() => resolve())),
      10_000,
      'stopping the SMTP sink',
    ).catch(() => undefined);
  }

  /** The sink's view of the measured notifications. */
  check(measuredIds: readonly string[], warmIds: ReadonlySet<string>): SinkCheck {
    let received = 0;
    let missing = 0;
    let duplicates = 0;
    const measured = new Set(measuredIds);
    for (const id of measuredIds) {
      const count = this.perId.get(id) ?? 0;
      received += count;
      if (count === 0) missing += 1;
      if (count > 1) duplicates += count - 1;
    }
    let unidentified = this.unidentified;
    for (const [id, count] of this.perId) if (!measured.has(id) && !warmIds.has(id)) unidentified += count;
    return {
      received,
      missing,
      duplicates,
      unidentified,
      ok: received === measuredIds.length && missing === 0 && duplicates === 0,
    };
  }

  /** Messages received for these ids. */
  receivedFor(ids: Iterable<string>): number {
    let n = 0;
    for (const id of ids) n += this.perId.get(id) ?? 0;
    return n;
  }
}

type NotificationsKysely = Kysely<NotificationsDb>;

/** A Prometheus counter's values by one label, for the series that match `where`. */
async function counterBy(
  counter: { get(): Promise<{ values: { labels: Record<string, string | number | undefined>; value: number }[] }> },
  label: string,
  where: Record<string, string>,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { labels, value } of (await counter.get()).values) {
    if (Object.entries(where).some(([key, wanted]) => labels[key] !== wanted)) continue;
    const key = String(labels[label]);
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

/** `after − before`, per key, leaving out zeros. */
function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const d = value - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

const describeRecord = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';

/** Measured (or warm-up) rows by status. */
async function statusCounts(db: NotificationsKysely, prefix: 'bench-' | 'warm-'): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('notifications.notifications')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('recipient', 'like', `${prefix}%`)
    .groupBy('status')
    .execute();
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** Polls until `expected` rows with `prefix` exist and none is pending, or the deadline passes. */
async function waitUntilSettled(
  db: NotificationsKysely,
  prefix: 'bench-' | 'warm-',
  expected: number,
  deadline: number,
  onProgress?: (counts: Record<string, number>) => void,
): Promise<{ settled: boolean; counts: Record<string, number> }> {
  let counts: Record<string, number> = {};
  for (;;) {
    counts = await statusCounts(db, prefix);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (total >= expected && (counts.pending ?? 0) === 0) return { settled: true, counts };
    if (performance.now() >= deadline) return { settled: false, counts };
    onProgress?.(counts);
    await sleep(Math.min(DB_POLL_MS, Math.max(0, deadline - performance.now())));
  }
}

const describeCounts = (counts: Record<string, number>) =>
  Object.keys(counts).length === 0 ? 'no rows' : describeRecord(counts);

/**
 * Sends N notifications through an Aura configured with `overrides` and an SMTP sink of its own;
 * the caller owns database, data directory and queue prefix cleanup.
 */
async function runPipeline(
  label: string,
  overrides: Partial<Record<keyof AuraConfig, string>>,
  options: NotificationsBenchOptions,
): Promise<NotificationsPipelineResult> {
  const sink = new SmtpSink();
  const smtpUrl = await sink.start();
  let aura: Aura | undefined;
  try {
    aura = await createAura({
      config: configFrom({
        ...overrides,
        SMTP_URL: smtpUrl,
        NOTIFICATIONS_DELIVERY_CONCURRENCY: String(options.deliveryConcurrency),
        WORKER_CONCURRENCY: String(options.workerConcurrency),
        ...NOTIFICATIONS_PIPELINE_SETTINGS,
      }),
      modules: auraModules,
    });
    const db = aura.database.db as NotificationsKysely;
    await aura.startWorker();
    const sendNotification = await aura.get(SendNotification);
    const send = async (recipient: string, i: number): Promise<string> => {
      const result = await sendNotification.execute({
        to: { address: `${recipient}@${RECIPIENT_DOMAIN}` },
        channel: 'email',
        category: 'transactional',
        content: { subject: `Benchmark message ${i}`, message: `This is benchmark message ${i}. Nothing to do.` },
      });
      if (result.isErr()) throw new Error(`SendNotification(${recipient}) failed: ${result.error.type}: ${result.error.message}`);
      if (result.value.outcome !== 'queued')
        throw new Error(`SendNotification(${recipient}): ${result.value.outcome}, not queued`);
      return result.value.notification.id;
    };

    // Warm-up: JIT, pools, the SMTP connection pool. Not measured.
    const warmIds = new Set(await Promise.all(Array.from({ length: WARMUP_NOTIFICATIONS }, (_, i) => send(`warm-${i}`, i))));
    const warm = await waitUntilSettled(db, 'warm-', WARMUP_NOTIFICATIONS, performance.now() + 60_000);
    if (!warm.settled || warm.counts.sent !== WARMUP_NOTIFICATIONS) {
      throw new Error(`warm-up: ${WARMUP_NOTIFICATIONS} notifications not all sent within 60 s (${describeCounts(warm.counts)})`);
    }

    const metrics = aura.metrics;
    const providerCalls = () => counterBy(metrics.providerCalls, 'outcome', { channel: 'email' });
    const deliverJobs = () => counterBy(metrics.jobs, 'outcome', { queue: DELIVER_QUEUE });
    const callsBefore = await providerCalls();
    const jobsBefore = await deliverJobs();
    // Provider call outcomes so far (measured phase), for the progress lines.
    let callsSoFar = 'none';
    const sampleCalls = () =>
      void providerCalls().then(
        (calls) => {
          callsSoFar = describeRecord(delta(calls, callsBefore));
        },
        () => undefined,
      );

    const n = options.notifications;
    const ids: string[] = new Array(n);
    let next = 0;
    // Each send starts in a macrotask of its own, as an HTTP request would: PGlite answers in
    // microtasks, so lanes that chained sends directly would hold the event loop for the whole
    // send phase and starve the worker's sockets (the SMTP connections) and timers.
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const lane = async () => {
      while (next < n) {
        const i = next;
        next += 1;
        await nextTurn();
        ids[i] = await send(`bench-${i}`, i);
      }
    };
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const startWall = Date.now();
    const start = performance.now();
    const deadline = start + options.timeoutS * 1_000;
    let lastProgress = start;
    const progress = (line: () => string) => {
      const now = performance.now();
      if (now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      log(`notifications ${label}: ${round((now - start) / 1_000, 0)} s: ${line()}; SMTP calls: ${callsSoFar}`);
      sampleCalls();
    };
    // The sends, with the sink watched meanwhile for progress lines.
    let sending = true;
    const watcher = (async () => {
      while (sending) {
        progress(() => `${next}/${n} sends started, ${sink.messages - warmIds.size} measured messages at the sink`);
        await sleep(100);
      }
    })();
    try {
      await withTimeout(
        Promise.all(Array.from({ length: Math.min(options.inFlight, n) }, lane)),
        options.timeoutS * 1_000,
        `${n} sends`,
      );
    } finally {
      sending = false;
      await watcher;
    }
    const sendsDone = performance.now();
    log(`notifications ${label}: ${n} sends in ${fmt(sendsDone - start, 0)} ms; waiting for deliveries …`);

    // Cheap wait on the sink (in process), then the database must agree: no measured row pending.
    const measured = ids;
    while (performance.now() < deadline && sink.receivedFor(measured) < n) {
      progress(() => `${sink.receivedFor(measured)}/${n} measured messages at the sink`);
      await sleep(SINK_POLL_MS);
    }
    const settled = await waitUntilSettled(db, 'bench-', n, deadline, (counts) =>
      progress(() => `rows: ${describeCounts(counts)}`),
    );
    const timedOut = !settled.settled;
    if (timedOut) log(`notifications ${label}: TIMED OUT after ${options.timeoutS} s: ${describeCounts(settled.counts)}`);

    const rows = await db
      .selectFrom('notifications.notifications')
      .select(['created_at', 'sent_at', 'attempts'])
      .where('recipient', 'like', 'bench-%')
      .execute();
    let lastSent = Number.NEGATIVE_INFINITY;
    let attempts = 0;
    const timesToSent: number[] = [];
    for (const row of rows) {
      attempts += row.attempts;
      if (row.sent_at === null) continue;
      const sentAt = new Date(row.sent_at).getTime();
      lastSent = Math.max(lastSent, sentAt);
      timesToSent.push(sentAt - new Date(row.created_at).getTime());
    }
    timesToSent.sort((a, b) => a - b);
    const sent = timesToSent.length;
    const elapsedMs = sent > 0 ? lastSent - startWall : performance.now() - start;
    loopDelay.disable();
    const eventLoopDelayMs = {
      p50: round(loopDelay.percentile(50) / 1e6, 1),
      p99: round(loopDelay.percentile(99) / 1e6, 1),
      max: round(loopDelay.max / 1e6, 1),
    };
    const sinkCheck = sink.check(measured, warmIds);
    const errorRows = await db
      .selectFrom('notifications.notifications')
      .select(['last_error', (eb) => eb.fn.countAll<number>().as('n')])
      .where('recipient', 'like', 'bench-%')
      .where('last_error', 'is not', null)
      .groupBy('last_error')
      .orderBy('n', 'desc')
      .limit(5)
      .execute();
    const lastErrors = errorRows.map((row) => ({ error: String(row.last_error), count: Number(row.n) }));
    const calls = delta(await providerCalls(), callsBefore);
    const jobs = delta(await deliverJobs(), jobsBefore);
    log(
      `notifications ${label}: SMTP calls: ${describeRecord(calls)}; deliver jobs: ${describeRecord(jobs)}; ` +
        `event-loop delay p50 / p99 / max ${eventLoopDelayMs.p50} / ${eventLoopDelayMs.p99} / ${eventLoopDelayMs.max} ms`,
    );
    for (const { error, count } of lastErrors) log(`notifications ${label}: last_error ×${count}: ${error}`);
    if (!sinkCheck.ok) {
      log(
        `WARNING notifications ${label}: the SMTP sink received ${sinkCheck.received} messages for ${n} notifications ` +
          `(${sinkCheck.missing} missing, ${sinkCheck.duplicates} duplicates, ${sinkCheck.unidentified} unidentified)`,
      );
    }
    const extraRuns = (jobs.completed ?? 0) - n;
    if (extraRuns > 0) {
      log(
        `NOTE notifications ${label}: ${jobs.completed} delivery jobs completed for ${n} notifications: ${extraRuns} ran again after their notification had left pending`,
      );
    }
    if (settled.counts.sent !== n) {
      log(
        `WARNING notifications ${label}: ${settled.counts.sent ?? 0} of ${n} notifications sent (${describeCounts(settled.counts)})`,
      );
    }
    return {
      notifications: n,
      statuses: settled.counts,
      timedOut,
      sendPhaseMs: round(sendsDone - start, 1),
      sendsPerSec: round((n / (sendsDone - start)) * 1_000, 1),
      elapsedMs: round(elapsedMs, 1),
      notificationsPerSec: round((sent / elapsedMs) * 1_000, 1),
      timeToSentMs: {
        p50: round(percentile(timesToSent, 50), 1),
        p95: round(percentile(timesToSent, 95), 1),
        p99: round(percentile(timesToSent, 99), 1),
        max: round(timesToSent.at(-1) ?? Number.NaN, 1),
      },
      attempts,
      sink: sinkCheck,
      providerCalls: calls,
      deliverJobs: jobs,
      lastErrors,
      eventLoopDelayMs,
    };
  } finally {
    if (aura !== undefined) {
      // Closes the queue, the database and (through the container) the email sender's SMTP pool.
      await withTimeout(aura.close(), 30_000, 'closing Aura').catch((error: unknown) => log(`closing Aura: ${String(error)}`));
    }
    await sink.stop();
  }
}

/** The same queue adapter the pipeline uses: enqueueMany(n) no-op jobs, until all completed. */
async function queueBaseline(
  name: string,
  open: () => JobQueue,
  n: number,
  concurrency: number,
  timeoutS: number,
): Promise<NotificationsBaselineResult> {
  const run = async (jobs: number, tag: string) => {
    const queue = open();
    try {
      const completed = new Countdown();
      await queue.process('bench.noop', async () => {}, { concurrency, onCompleted: () => completed.tick() });
      const batch: JobToEnqueue[] = Array.from({ length: jobs }, (_, i) => ({
        queue: 'bench.noop',
        name: 'noop',
        data: { i },
        options: { jobId: `${tag}-${i}` },
      }));
      const done = completed.arm(jobs);
      const start = performance.now();
      await queue.enqueueMany(batch);
      await withTimeout(done, timeoutS * 1_000, `${jobs} ${name} jobs`);
      return performance.now() - start;
    } finally {
      await queue.close();
    }
  };
  await run(Math.min(n, 500), 'warm'); // warm-up
  const elapsedMs = await run(n, 'bench');
  return { name, jobs: n, concurrency, elapsedMs: round(elapsedMs, 1), jobsPerSec: round((n / elapsedMs) * 1_000, 1) };
}

const QUEUE_DEFAULTS = {
  defaultAttempts: 8,
  defaultBackoff: { type: 'exponential' as const, delayMs: 1_000 },
  closeTimeoutMs: 10_000,
};

async function embeddedScenario(options: NotificationsBenchOptions): Promise<NotificationsScenario> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aura-bench-notifications-'));
  log(
    `notifications (a): PGlite in ${dataDir} + in-memory queue, ${options.notifications} notifications, ${options.inFlight} in flight …`,
  );
  let pipeline: NotificationsPipelineResult;
  try {
    pipeline = await runPipeline('(a)', { AURA_DATA_DIR: dataDir }, options);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  log(`notifications (a): ${fmt(pipeline.notificationsPerSec)} notifications/s; baseline …`);
  const baseline = await queueBaseline(
    'InMemoryJobQueue no-op',
    () => new InMemoryJobQueue(QUEUE_DEFAULTS),
    options.notifications,
    options.deliveryConcurrency,
    options.timeoutS,
  );
  return {
    name: '(a) PGlite + in-memory queue',
    mode: 'embedded',
    database: 'PGlite (temporary directory)',
    queue: 'InMemoryJobQueue',
    pipeline,
    baseline,
    ratio: round(pipeline.notificationsPerSec / baseline.jobsPerSec, 4),
  };
}

async function productionScenario(options: NotificationsBenchOptions): Promise<NotificationsScenario> {
  const base = {
    name: '(b) PostgreSQL + BullMQ on Redis',
    mode: 'production' as const,
    database: options.databaseUrl ? `PostgreSQL ${redactUrl(options.databaseUrl)}` : 'PostgreSQL',
    queue: options.redisUrl ? `BullMQ ${redactUrl(options.redisUrl)}` : 'BullMQ',
  };
  const missing = [!options.databaseUrl && 'DATABASE_URL', !options.redisUrl && 'REDIS_URL'].filter(Boolean);
  if (!options.databaseUrl || !options.redisUrl) {
    const skipped = `${missing.join(' and ')} not set`;
    log(`notifications (b): skipped: ${skipped}`);
    return { ...base, skipped };
  }
  log(
    `notifications (b): ${base.database} + ${base.queue}, ${options.notifications} notifications, ${options.inFlight} in flight …`,
  );
  const redisUrl = options.redisUrl;
  const pipeline = await withScratch(options.databaseUrl, redisUrl, 'aurabench', (scratch) =>
    runPipeline(
      '(b)',
      {
        DATABASE_URL: scratch.databaseUrl,
        DATABASE_MIGRATE_ON_START: 'true',
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: scratch.queuePrefix,
      },
      options,
    ),
  );
  log(`notifications (b): ${fmt(pipeline.notificationsPerSec)} notifications/s; baseline …`);
  const prefix = uniqueName('aurabench_raw');
  let baseline: NotificationsBaselineResult;
  try {
    baseline = await queueBaseline(
      'BullmqJobQueue no-op',
      () => new BullmqJobQueue({ ...QUEUE_DEFAULTS, url: redisUrl, prefix }),
      options.notifications,
      options.deliveryConcurrency,
      options.timeoutS,
    );
  } finally {
    await deleteRedisPrefix(redisUrl, prefix);
  }
  return { ...base, pipeline, baseline, ratio: round(pipeline.notificationsPerSec / baseline.jobsPerSec, 4) };
}

export async function runNotificationsBench(
  options: NotificationsBenchOptions = notificationsOptionsFromEnv(),
): Promise<NotificationsBenchResult> {
  const scenarios = [await embeddedScenario(options), await productionScenario(options)];
  return {
    settings: {
      notifications: options.notifications,
      inFlight: options.inFlight,
      warmupNotifications: WARMUP_NOTIFICATIONS,
      deliveryConcurrency: options.deliveryConcurrency,
      workerConcurrency: options.workerConcurrency,
      pipeline: NOTIFICATIONS_PIPELINE_SETTINGS,
    },
    scenarios,
  };
}

export function notificationsMarkdown(result: NotificationsBenchResult): string {
  const s = result.settings;
  const lines = [
    `Notifications: ${s.notifications} emails to bare addresses (after ${s.warmupNotifications} warm-up), ${s.inFlight} sends in flight; NOTIFICATIONS_DELIVERY_CONCURRENCY=${s.deliveryConcurrency}, WORKER_CONCURRENCY=${s.workerConcurrency}, other settings default; relay, worker, senders and the SMTP sink in one process.`,
    '',
    '| scenario | notifications/s (send → sent) | send phase/s | time-to-sent p50 / p95 / max ms | SMTP sink | deliver job runs | bare queue no-op jobs/s | ratio |',
    '|---|---:|---:|---:|---|---|---:|---:|',
  ];
  for (const c of result.scenarios) {
    if (c.skipped || !c.pipeline || !c.baseline) {
      lines.push(`| ${c.name} | skipped: ${c.skipped ?? 'no result'} | | | | | | |`);
      continue;
    }
    const p = c.pipeline;
    const sent = p.statuses.sent ?? 0;
    const state = p.timedOut
      ? ` (TIMED OUT: ${sent}/${p.notifications} sent)`
      : sent !== p.notifications
        ? ` (${sent}/${p.notifications} sent)`
        : '';
    const sink = p.sink.ok
      ? `${p.sink.received} = N`
      : `**${p.sink.received} for ${p.notifications}** (${p.sink.missing} missing, ${p.sink.duplicates} doubled)`;
    const runs = describeRecord(p.deliverJobs);
    lines.push(
      `| ${c.name} | ${fmt(p.notificationsPerSec, 0)}${state} | ${fmt(p.sendsPerSec, 0)} | ${fmt(p.timeToSentMs.p50)} / ${fmt(p.timeToSentMs.p95)} / ${fmt(p.timeToSentMs.max)} | ${sink} | ${runs} | ${fmt(c.baseline.jobsPerSec, 0)} (${c.baseline.name}, concurrency ${c.baseline.concurrency}) | ${fmt(c.ratio, 4)} |`,
    );
  }
  return lines.join('\n');
}

runStandalone(import.meta.url, runNotificationsBench, notificationsMarkdown);
