import { AsyncResource } from 'node:async_hooks';
import { JobQueue, type JobToEnqueue, Logger } from '@aura/application/platform';
import { inject, injectable, optional } from 'inversify';
import { sql } from 'kysely';
import type { AuraConfig } from '../config/config.js';
import type { PlatformDatabase } from '../db/platform.tables.js';
import { TransactionManager } from '../db/transactions.js';
import { AuraMetrics } from '../observability/metrics.js';
import { AuraConfigToken } from '../platform.tokens.js';
import { type DependencyMonitors, DependencyMonitorsToken, reportIfUnavailable } from '../runtime/outages.js';
import { OutboxSignal } from './outbox-signal.js';
import { type EventDeliveryJob, eventDeliveryJobId, SubscriptionIndex } from './subscriptions.js';

/** How long a relay's claim on a batch lasts: a relay that died holding it frees the batch then. */
export const OUTBOX_CLAIM_LEASE_MS = 30_000;
/** Longest wait between relay runs while the database or the queue is away. */
const MAX_BACKOFF_MS = 5_000;

/**
 * Moves committed events from `platform.outbox` to the queue, never holding a database
 * transaction open across a call to the queue (Redis):
 *
 * 1. **claim**: one statement takes a batch of unpublished rows nobody holds (`FOR UPDATE SKIP
 *    LOCKED`, so any number of relays run side by side) and stamps them `claimed_until` (a
 *    lease), and commits;
 * 2. **enqueue** one job per (event, subscriber) with a deterministic job id;
 * 3. **mark** the rows published (rows are kept: the outbox is the audit trail).
 *
 * When the queue refuses, the claim is released at once and the batch is tried again. A
 * relay that dies between 1 and 3 leaves its rows claimed until the lease lapses; another
 * relay then enqueues them again under the same job ids, and the inbox makes handlers run
 * once. Anything lost after 3 (a flushed Redis) is re-sent by the redrive.
 */
@injectable()
export class OutboxRelay {
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #nudged = false;
  /** While runs fail, a commit does not cut the wait short (stopping still does). */
  #backingOff = false;
  readonly #scope = new AsyncResource('aura.outbox-relay');

  constructor(
    @inject(TransactionManager) private readonly transactions: TransactionManager,
    @inject(JobQueue) private readonly queue: JobQueue,
    @inject(SubscriptionIndex) private readonly subscriptions: SubscriptionIndex,
    @inject(AuraMetrics) private readonly metrics: AuraMetrics,
    @inject(Logger) private readonly logger: Logger,
    @inject(AuraConfigToken) private readonly config: AuraConfig,
    @inject(OutboxSignal) signal: OutboxSignal,
    @inject(DependencyMonitorsToken) @optional() private readonly monitors?: DependencyMonitors,
  ) {
    signal.subscribe(() => this.nudge());
  }

  /** Relays one batch; returns how many events it published. */
  async relayBatch(limit = this.config.OUTBOX_BATCH_SIZE): Promise<number> {
    const rows = await this.claim(limit);
    if (rows.length === 0) return 0;
    const positions = rows.map((row) => row.position);
    const jobs: JobToEnqueue<EventDeliveryJob>[] = rows.flatMap((row) =>
      this.subscriptions.forEventType(row.event_type).map((subscription) => ({
        queue: subscription.queue,
        name: subscription.subscriber,
        data: { eventId: row.event_id, subscriber: subscription.subscriber, correlationId: row.metadata.correlationId },
        options: { jobId: eventDeliveryJobId(row.event_id, subscription.subscriber) },
      })),
    );
    try {
      if (jobs.length > 0) await this.queue.enqueueMany(jobs);
    } catch (error) {
      // Give the batch back now rather than when the lease lapses (best effort: if the database
      // is away too, the lease frees it).
      await this.db()
        .updateTable('platform.outbox')
        .set({ claimed_until: null })
        .where('position', 'in', positions)
        .where('published_at', 'is', null)
        .execute()
        .catch(() => undefined);
      throw error;
    }
    await this.db()
      .updateTable('platform.outbox')
      .set({ published_at: sql<Date>`now()`, claimed_until: null })
      .where('position', 'in', positions)
      .execute();
    this.metrics.relayedEvents.inc(rows.length);
    return rows.length;
  }

  /** Step 1: claims up to `limit` unpublished, unclaimed rows, in outbox order, in one autocommitted statement. */
  private async claim(limit: number) {
    const db = this.db();
    return db
      .updateTable('platform.outbox as o')
      .set({ claimed_until: sql<Date>`now() + make_interval(secs => ${OUTBOX_CLAIM_LEASE_MS / 1000})` })
      .from(
        db
          .selectFrom('platform.outbox')
          .select('position')
          .where('published_at', 'is', null)
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', sql<Date>`now()`)]))
          .orderBy('position')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .as('c'),
      )
      .whereRef('o.position', '=', 'c.position')
      .returning(['o.position', 'o.event_id', 'o.event_type', 'o.metadata'])
      .execute()
      .then((rows) => rows.sort((a, b) => Number(a.position) - Number(b.position)));
  }

  /** Each step commits on its own: the relay runs in its own async scope, never inside a unit of work. */
  private db() {
    return this.transactions.executor<PlatformDatabase>();
  }

  /**
   * Re-sends deliveries of events published since `since` that no subscriber has handled
   * (no inbox row) and that are not parked as dead letters awaiting a replay. The in-memory
   * queue loses its jobs when the process dies, and a flushed Redis loses BullMQ's: this is
   * what makes the outbox, not the queue, the source of truth. A running relay does it at
   * start and every OUTBOX_REDRIVE_INTERVAL_S. Safe any time, from any number of workers:
   * job ids are deterministic (a delivery still queued is not queued twice) and the inbox
   * makes handlers run once. Works through the window in pages, by outbox position.
   */
  async redrive(since: Date, pageSize = 1_000): Promise<number> {
    const pairs = this.subscriptions.all().map((s) => sql`(${s.eventType}, ${s.subscriber})`);
    if (pairs.length === 0) return 0;
    let after = 0;
    let total = 0;
    for (;;) {
      const { rows } = await sql<{ position: string; event_id: string; subscriber: string; correlation_id: string }>`
        WITH subscriptions (event_type, subscriber) AS (VALUES ${sql.join(pairs)})
        SELECT o.position, o.event_id, s.subscriber, o.metadata->>'correlationId' AS correlation_id
        FROM platform.outbox o
        JOIN subscriptions s ON s.event_type = o.event_type
        WHERE o.published_at >= ${since} AND o.position > ${after}
          AND NOT EXISTS (SELECT 1 FROM platform.inbox i WHERE i.subscriber = s.subscriber AND i.event_id = o.event_id)
          AND NOT EXISTS (
            SELECT 1 FROM platform.dead_letters d
            WHERE d.job_id = o.event_id::text || '.' || s.subscriber AND d.replayed_at IS NULL)
        ORDER BY o.position
        LIMIT ${pageSize}`.execute(this.transactions.executor());
      const jobs = rows.flatMap((row) => {
        const subscription = this.subscriptions.bySubscriber(row.subscriber);
        if (subscription === undefined) return [];
        const data: EventDeliveryJob = { eventId: row.event_id, subscriber: row.subscriber, correlationId: row.correlation_id };
        return [
          {
            queue: subscription.queue,
            name: row.subscriber,
            data,
            // A delivery that failed for good without its dead letter being stored (the database
            // was away then) would otherwise block its job id forever.
            options: { jobId: eventDeliveryJobId(row.event_id, row.subscriber), replaceFailed: true },
          },
        ];
      });
      if (jobs.length > 0) await this.queue.enqueueMany(jobs);
      total += jobs.length;
      const last = rows.at(-1);
      if (rows.length < pageSize || last === undefined) break;
      after = Number(last.position);
    }
    if (total > 0) this.logger.info('re-sent event deliveries not handled yet', { deliveries: total });
    return total;
  }

  /** Relays until the outbox is empty. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const relayed = await this.relayBatch();
      total += relayed;
      if (relayed < this.config.OUTBOX_BATCH_SIZE) return total;
    }
  }

  /**
   * Polls the outbox every OUTBOX_POLL_INTERVAL_MS, and at once when nudged; redrives at start
   * and every OUTBOX_REDRIVE_INTERVAL_S. The loop runs in the async context the relay was
   * created in, never in the caller's (a request scope or a transaction).
   */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#scope.runInAsyncScope(() => this.#run());
  }

  /** Asks a running relay to look now (called after a commit in this process). */
  nudge(): void {
    this.#nudged = true;
    if (!this.#backingOff) this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
  }

  async #run(): Promise<void> {
    let lastRedrive = Number.NEGATIVE_INFINITY;
    let failures = 0;
    while (this.#running) {
      this.#nudged = false;
      try {
        if (Date.now() - lastRedrive >= this.config.OUTBOX_REDRIVE_INTERVAL_S * 1_000) {
          await this.redrive(new Date(Date.now() - this.config.OUTBOX_REDRIVE_WINDOW_HOURS * 3_600_000));
          lastRedrive = Date.now();
        }
        // Batch after batch while there is a backlog, but stop between batches when asked to.
        while (this.#running && (await this.relayBatch()) === this.config.OUTBOX_BATCH_SIZE);
        failures = 0;
      } catch (error) {
        failures += 1;
        // An outage is logged once by its monitor, not once per run; anything else is a fault.
        if (this.monitors === undefined || reportIfUnavailable(this.monitors, error) === undefined)
          this.logger.error('outbox relay failed; retrying after the poll interval', { err: error });
      }
      // Yield to the event loop: PGlite answers in microtasks, and a loop that never reaches
      // the timers phase would starve everything else in the process.
      await new Promise((resolve) => setImmediate(resolve));
      if (!this.#running || (this.#nudged && failures === 0)) continue;
      // While runs fail (the database or the queue is away), wait longer each time.
      const waitMs =
        failures === 0
          ? this.config.OUTBOX_POLL_INTERVAL_MS
          : Math.min(MAX_BACKOFF_MS, this.config.OUTBOX_POLL_INTERVAL_MS * 2 ** Math.min(failures - 1, 10));
      this.#backingOff = failures > 0;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, waitMs);
      });
      this.#backingOff = false;
      clearTimeout(this.#timer);
      this.#wake = undefined;
    }
  }
}
