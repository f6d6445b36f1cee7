import { IntegrationEventRegistry, JobQueue, ListDeadLetters, ReplayDeadLetter } from '@aura/application/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { hasRedis, redisUrl, uniqueName } from '../../../../test/support/services.js';
import type { AuraConfig } from '../../src/platform/config/config.js';
import { type Aura, createAura } from '../../src/platform/create-aura.js';
import { OutboxRelay } from '../../src/platform/outbox/outbox-relay.js';
import { eventDeliveryJobId } from '../../src/platform/outbox/subscriptions.js';
import { AuditControl, auditEntries, auditModule, ledgerModule, OpenAccount } from '../fixtures/fixture-modules.js';
import { databaseTargets, type TestDatabaseTarget } from '../support/databases.js';
import { settle, waitUntil } from '../support/wait.js';

interface Combo {
  name: string;
  target: TestDatabaseTarget;
  redis: boolean;
}
const combos: Combo[] = [
  ...databaseTargets.map((target) => ({ name: `${target.name} + in-memory queue`, target, redis: false })),
  ...(hasRedis
    ? databaseTargets
        .filter((t) => t.name === 'postgres')
        .map((target) => ({ name: 'postgres + BullMQ on Redis', target, redis: true }))
    : []),
];

const admin = { userId: 'admin-1', roles: ['admin' as const] };

describe.each(combos)('event pipeline on $name', ({ target, redis }) => {
  let cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
  });

  async function setup(overrides: Partial<Record<keyof AuraConfig, string>> = {}) {
    const database = await target.create({
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_MS: '10',
      OUTBOX_POLL_INTERVAL_MS: '20',
      ...(redis && redisUrl ? { REDIS_URL: redisUrl, QUEUE_PREFIX: uniqueName('q') } : {}),
      ...overrides,
    });
    cleanups.push(database.cleanup);
    const control = new AuditControl();
    const start = async (more: Partial<Record<keyof AuraConfig, string>> = {}) => {
      const aura = await createAura({ config: database.config(more), modules: [ledgerModule, auditModule(control)] });
      cleanups.push(() => aura.close());
      return aura;
    };
    return { control, start };
  }

  const open = async (aura: Aura, owner: string, version?: number) =>
    (await aura.get(OpenAccount)).execute(version === undefined ? { owner } : { owner, version });

  const outboxRows = (aura: Aura) => aura.database.db.selectFrom('platform.outbox').selectAll().orderBy('position').execute();

  it('commits the change and its event together, and neither when the use case fails', async () => {
    const { start } = await setup();
    const aura = await start();
    const id = (await open(aura, 'ada'))._unsafeUnwrap();
    expect((await open(aura, 'reject-me'))._unsafeUnwrapErr().type).toBe('ledger.rejected');

    const accounts = await aura.database.db.selectFrom('ledger.accounts').selectAll().execute();
    expect(accounts).toEqual([{ id, owner: 'ada' }]);
    const rows = await outboxRows(aura);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event_type: 'ledger.account_opened',
      version: 1,
      source_module: 'ledger',
      aggregate_id: id,
      data: { owner: 'ada' },
      published_at: null,
    });
  });

  it('delivers each event once to each subscriber, carrying the correlation id, and keeps the outbox row', async () => {
    const { start } = await setup();
    const aura = await start();
    await aura.startWorker();
    await open(aura, 'grace');
    await waitUntil(async () => (await auditEntries(aura.database.db)).length === 2, 'both subscribers handled the event');
    const [row] = await outboxRows(aura);
    expect(row?.published_at).toBeInstanceOf(Date);
    const entries = await auditEntries(aura.database.db);
    expect(entries.map((e) => e.subscriber).sort()).toEqual(['audit.flaky', 'audit.record-opened']);
    expect(new Set(entries.map((e) => e.correlation_id))).toEqual(new Set([row?.metadata.correlationId]));
    const inbox = await aura.database.db.selectFrom('platform.inbox').selectAll().execute();
    expect(inbox).toHaveLength(2);
    const metrics = await aura.metrics.registry.metrics();
    expect(metrics).toMatch(/aura_outbox_relayed_events_total 1/);
    expect(metrics).toMatch(/aura_outbox_backlog 0/);
  });

  it('runs a handler once when the same event is delivered twice', async () => {
    const { start } = await setup();
    const aura = await start();
    await aura.startWorker();
    await open(aura, 'linus');
    await waitUntil(async () => (await auditEntries(aura.database.db, 'audit.record-opened')).length === 1, 'first delivery');
    const [row] = await outboxRows(aura);
    const queue = await aura.get<JobQueue>(JobQueue);
    await queue.enqueue({
      queue: 'audit.events',
      name: 'audit.record-opened',
      data: { eventId: row?.event_id, subscriber: 'audit.record-opened', correlationId: 'c' },
      options: { jobId: 'a-second-delivery' },
    });
    await waitUntil(async () => /outcome="duplicate"} 1/.test(await aura.metrics.registry.metrics()), 'the duplicate was seen');
    expect(await auditEntries(aura.database.db, 'audit.record-opened')).toHaveLength(1);
  });

  it('delivers an event committed while no relay ran, exactly once per subscriber, after a restart', async () => {
    const { start } = await setup();
    const first = await start();
    await open(first, 'committed-while-down');
    await first.close();

    const second = await start();
    await second.startWorker();
    await waitUntil(async () => (await auditEntries(second.database.db)).length === 2, 'delivery after restart');
    await settle(300);
    expect(await auditEntries(second.database.db, 'audit.record-opened')).toHaveLength(1);
    expect(await auditEntries(second.database.db, 'audit.flaky')).toHaveLength(1);
  });

  it('re-sends an event whose queued delivery was lost with the process, once', async () => {
    const { start } = await setup();
    const first = await start();
    await open(first, 'lost-in-queue');
    // Relayed to the queue, then the process "dies" before any worker ran the jobs.
    expect(await (await first.get(OutboxRelay)).relayBatch()).toBe(1);
    await first.close();

    // On Redis, a fresh prefix plays a flushed (or lost) Redis: the outbox stays the source of truth.
    const second = await start(redis ? { QUEUE_PREFIX: uniqueName('q') } : {});
    await second.startWorker();
    await waitUntil(async () => (await auditEntries(second.database.db)).length === 2, 'redriven delivery');
    await settle(300);
    expect(await auditEntries(second.database.db)).toHaveLength(2);
  });

  it('survives a relay crash between enqueueing and marking published: handlers still run once', async () => {
    const { start } = await setup();
    const aura = await start();
    await open(aura, 'crashy-relay');
    const queue = await aura.get<JobQueue>(JobQueue);
    const enqueueMany = queue.enqueueMany.bind(queue);
    let crashes = 1;
    queue.enqueueMany = async (jobs) => {
      await enqueueMany(jobs);
      if (crashes-- > 0) throw new Error('relay died after enqueueing');
    };
    const relay = await aura.get(OutboxRelay);
    await expect(relay.relayBatch()).rejects.toThrow('relay died');
    expect((await outboxRows(aura))[0]?.published_at).toBeNull();
    expect(await relay.relayBatch()).toBe(1);
    await aura.startWorker();
    await waitUntil(async () => (await auditEntries(aura.database.db)).length === 2, 'delivery');
    await settle(300);
    expect(await auditEntries(aura.database.db)).toHaveLength(2);
  });

  it('rolls back a handler that fails midway and retries it until it succeeds, with one effect', async () => {
    const { start, control } = await setup();
    control.flakyFailures = 2;
    const aura = await start();
    await aura.startWorker();
    await open(aura, 'flaky');
    await waitUntil(async () => (await auditEntries(aura.database.db, 'audit.flaky')).length === 1, 'flaky handler success');
    expect(control.flakyFailures).toBe(0);
    await settle(200);
    expect(await auditEntries(aura.database.db, 'audit.flaky')).toHaveLength(1);
    expect(await aura.metrics.registry.metrics()).toMatch(/aura_jobs_total{queue="audit.events",outcome="retried"} 2/);
  });

  it('parks a handler that keeps failing as a dead letter, and an admin replays it once fixed', async () => {
    const { start, control } = await setup();
    control.poisoned.add('poison');
    const aura = await start();
    await aura.startWorker();
    await open(aura, 'poison');
    const list = await aura.get(ListDeadLetters);
    await waitUntil(
      async () => (await list.execute({ actor: admin, status: 'parked', limit: 10 }))._unsafeUnwrap().items.length === 1,
      'dead letter',
    );
    const [letter] = (await list.execute({ actor: admin, status: 'parked', limit: 10 }))._unsafeUnwrap().items;
    expect(letter).toMatchObject({
      queue: 'audit.events',
      jobName: 'audit.flaky',
      attempts: 3,
      lastError: 'poisoned owner poison',
      replayCount: 0,
    });
    expect(letter?.jobId).toBe(eventDeliveryJobId((await outboxRows(aura))[0]?.event_id ?? '', 'audit.flaky'));
    expect(await auditEntries(aura.database.db, 'audit.flaky')).toHaveLength(0);
    expect(await aura.metrics.registry.metrics()).toMatch(/aura_dead_letters 1/);

    const replay = await aura.get(ReplayDeadLetter);
    expect(
      (await replay.execute({ actor: { userId: 'p', roles: ['patient'] }, id: letter?.id ?? '' }))._unsafeUnwrapErr().type,
    ).toBe('platform.forbidden');
    expect((await replay.execute({ actor: admin, id: '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee' }))._unsafeUnwrapErr().type).toBe(
      'platform.dead_letter_not_found',
    );

    control.poisoned.clear();
    const replayed = (await replay.execute({ actor: admin, id: letter?.id ?? '' }))._unsafeUnwrap();
    expect(replayed.replayCount).toBe(1);
    await waitUntil(async () => (await auditEntries(aura.database.db, 'audit.flaky')).length === 1, 'replayed delivery');
    expect((await list.execute({ actor: admin, status: 'parked', limit: 10 }))._unsafeUnwrap().items).toHaveLength(0);
    expect((await list.execute({ actor: admin, status: 'replayed', limit: 10 }))._unsafeUnwrap().items).toHaveLength(1);
  });

  it('dead-letters at once an event version the subscriber does not understand', async () => {
    const { start } = await setup();
    const aura = await start();
    await aura.startWorker();
    await open(aura, 'future', 2);
    const list = await aura.get(ListDeadLetters);
    await waitUntil(
      async () => (await list.execute({ actor: admin, status: 'parked', limit: 10 }))._unsafeUnwrap().items.length === 2,
      'two dead letters',
    );
    const { items } = (await list.execute({ actor: admin, status: 'all', limit: 1 }))._unsafeUnwrap();
    expect(items[0]?.attempts).toBe(1);
    expect(items[0]?.lastError).toMatch(/understands ledger.account_opened versions \[1\], not v2/);
    expect(await auditEntries(aura.database.db)).toHaveLength(0);
  });

  it('refuses to publish an event that is not registered or does not match its schema', async () => {
    const { start } = await setup();
    const aura = await start();
    const registry = await aura.get(IntegrationEventRegistry);
    expect(registry.has('ledger.account_opened', 1)).toBe(true);
    await expect(open(aura, 'x', 3)).rejects.toThrow(/cannot publish ledger.account_opened@v3/);
    expect(await outboxRows(aura)).toHaveLength(0);
  });
});
