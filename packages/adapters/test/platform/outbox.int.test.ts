import {
  defineIntegrationEvent,
  ExecutionContext,
  type ExecutionScope,
  type JobToEnqueue,
  Logger,
  Outbox,
  PermanentJobError,
  UnitOfWork,
} from '@aura/application/platform';
import type { DomainEvent } from '@aura/domain/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InMemoryRecordingJobQueue } from '../../../application/test/platform/in-memory-fakes.js';
import type { AuraModule } from '../../src/platform/aura-module.js';
import { configFrom } from '../../src/platform/config/config.js';
import { type Aura, createAura } from '../../src/platform/create-aura.js';
import type { PlatformDatabase } from '../../src/platform/db/platform.tables.js';
import { TransactionManager } from '../../src/platform/db/transactions.js';
import { AuraMetrics } from '../../src/platform/observability/metrics.js';
import { EventDispatcher } from '../../src/platform/outbox/event-dispatcher.js';
import { UnregisteredEventError } from '../../src/platform/outbox/kysely-outbox.js';
import { OutboxRelay } from '../../src/platform/outbox/outbox-relay.js';
import { OutboxSignal } from '../../src/platform/outbox/outbox-signal.js';
import { eventDeliveryJobId, SubscriptionIndex } from '../../src/platform/outbox/subscriptions.js';
import { AuditControl, auditEntries, auditModule, ledgerModule } from '../fixtures/fixture-modules.js';
import { handleTargets, type OpenTestDatabase } from '../support/handles.js';
import { settle, waitUntil } from '../support/wait.js';

/** An event type nobody subscribes to. */
const noteTaken = defineIntegrationEvent({
  type: 'notes.note_taken',
  version: 1,
  sourceModule: 'notes',
  schema: z.object({ text: z.string() }),
});
const notesModule: AuraModule = { name: 'notes', events: [noteTaken] };

const opened = (owner: string, version = 1): DomainEvent => ({
  type: 'ledger.account_opened',
  version,
  aggregateId: `acc-${owner}`,
  occurredAt: new Date('2026-11-21T10:00:00.000Z'),
  data: version === 1 ? { owner } : { owner, currency: 'EUR' },
});
const note = (text: unknown): DomainEvent => ({
  type: 'notes.note_taken',
  version: 1,
  aggregateId: 'note-1',
  occurredAt: new Date('2026-11-21T10:00:00.000Z'),
  data: { text },
});

describe.each(handleTargets)('outbox, relay and dispatcher on $name', (target) => {
  let database: OpenTestDatabase;
  let aura: Aura;
  let queue: InMemoryRecordingJobQueue;
  let control: AuditControl;
  const lines: string[] = [];
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    database = await target.open();
    queue = new InMemoryRecordingJobQueue();
    control = new AuditControl();
    aura = await createAura({
      config: configFrom({ LOG_LEVEL: 'info', OUTBOX_BATCH_SIZE: '3', OUTBOX_POLL_INTERVAL_MS: '60000' }),
      database: database.handle,
      queue,
      migrate: true,
      modules: [ledgerModule, auditModule(control), notesModule],
      logDestination: { write: (line: string) => void lines.push(line) },
    });
  });
  afterAll(async () => {
    await aura?.close();
    await database?.cleanup();
  });
  beforeEach(async () => {
    const db = aura.database.db;
    for (const table of ['platform.outbox', 'platform.inbox', 'platform.dead_letters', 'audit.entries', 'ledger.accounts']) {
      await sql`DELETE FROM ${sql.table(table)}`.execute(db);
    }
    queue.enqueued.length = 0;
    queue.onEnqueue = async () => {};
    lines.length = 0;
  });
  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.stop();
  });

  const outboxRows = () => aura.database.db.selectFrom('platform.outbox').selectAll().orderBy('position').execute();
  const append = async (source: string, events: DomainEvent[]) => (await aura.get<Outbox>(Outbox)).append(source, events);
  const logged = () => lines.map((line) => JSON.parse(line) as { level: string; msg: string });

  /** A relay over this Aura's services, with its own configuration. */
  async function relayWith(overrides: Partial<Aura['config']> = {}, signal?: OutboxSignal): Promise<OutboxRelay> {
    const relay = new OutboxRelay(
      await aura.get(TransactionManager),
      queue,
      await aura.get(SubscriptionIndex),
      await aura.get(AuraMetrics),
      await aura.get<Logger>(Logger),
      { ...aura.config, ...overrides },
      signal ?? (await aura.get(OutboxSignal)),
    );
    relays.push(relay);
    return relay;
  }

  describe('KyselyOutbox', () => {
    it('stores each event as an envelope, with the ids of the current scope', async () => {
      const context = await aura.get<ExecutionContext>(ExecutionContext);
      await context.run({ correlationId: 'corr-1', requestId: 'req-1', userId: 'user-1' }, () =>
        append('ledger', [opened('ada'), opened('bob')]),
      );
      await context.run({ correlationId: 'corr-2', causationId: 'evt-0', requestId: 'req-2' }, () =>
        append('ledger', [opened('cy', 2)]),
      );
      const rows = await outboxRows();
      expect(rows).toHaveLength(3);
      expect(rows[0]).toMatchObject({
        event_type: 'ledger.account_opened',
        version: 1,
        source_module: 'ledger',
        aggregate_id: 'acc-ada',
        data: { owner: 'ada' },
        metadata: { correlationId: 'corr-1', causationId: 'req-1', userId: 'user-1' },
        published_at: null,
      });
      expect(rows[0]?.occurred_at.toISOString()).toBe('2026-11-21T10:00:00.000Z');
      expect(Number(rows[1]?.position)).toBeGreaterThan(Number(rows[0]?.position ?? Number.POSITIVE_INFINITY));
      expect(rows[2]).toMatchObject({ version: 2, metadata: { correlationId: 'corr-2', causationId: 'evt-0', userId: null } });
    });

    it('makes an event its own correlation id outside any scope', async () => {
      await append('ledger', [opened('solo')]);
      const [row] = await outboxRows();
      expect(row?.metadata).toEqual({ correlationId: row?.event_id, causationId: null, userId: null });
    });

    it('does nothing for no events', async () => {
      let signals = 0;
      const unsubscribe = (await aura.get(OutboxSignal)).subscribe(() => {
        signals += 1;
      });
      await append('ledger', []);
      unsubscribe();
      expect(await outboxRows()).toEqual([]);
      expect(signals).toBe(0);
    });

    it('refuses an unregistered event or one that breaks its schema, and stores none of the batch', async () => {
      const unknownVersion = append('ledger', [opened('fine'), opened('x', 9)]);
      await expect(unknownVersion).rejects.toBeInstanceOf(UnregisteredEventError);
      await expect(unknownVersion).rejects.toThrow('ledger cannot publish ledger.account_opened@v9: no integration event');
      await expect(append('notes', [note(42)])).rejects.toThrow(/notes cannot publish notes.note_taken@v1: .* \(\/text: /);
      expect(await outboxRows()).toEqual([]);
    });

    it('signals relays only once the transaction committed, and never for a rollback', async () => {
      const signal = await aura.get(OutboxSignal);
      const signalled: number[] = [];
      const unsubscribe = signal.subscribe(() => signalled.push(signalled.length));
      const uow = await aura.get<UnitOfWork>(UnitOfWork);
      await expect(
        uow.transaction(async () => {
          await append('ledger', [opened('rolled-back')]);
          throw new Error('use case failed');
        }),
      ).rejects.toThrow('use case failed');
      expect(signalled).toEqual([]);
      await uow.transaction(async () => {
        await append('ledger', [opened('committed')]);
        expect(signalled).toEqual([]);
      });
      expect(signalled).toEqual([0]);
      unsubscribe();
      await append('ledger', [opened('after-unsubscribe')]);
      expect(signalled).toEqual([0]);
      expect((await outboxRows()).map((r) => r.aggregate_id)).toEqual(['acc-committed', 'acc-after-unsubscribe']);
    });
  });

  describe('OutboxRelay', () => {
    it('enqueues one delivery per subscriber with a deterministic job id, and marks the events published', async () => {
      await append('ledger', [opened('ada')]);
      await append('notes', [note('nobody listens')]);
      const relay = await relayWith();
      expect(await relay.relayBatch()).toBe(2);
      const [ledgerRow, noteRow] = await outboxRows();
      const eventId = ledgerRow?.event_id ?? '';
      expect(queue.enqueued).toEqual(
        ['audit.record-opened', 'audit.flaky'].map(
          (subscriber): JobToEnqueue => ({
            queue: 'audit.events',
            name: subscriber,
            data: { eventId, subscriber, correlationId: eventId },
            options: { jobId: eventDeliveryJobId(eventId, subscriber) },
          }),
        ),
      );
      expect(ledgerRow?.published_at).toBeInstanceOf(Date);
      expect(noteRow?.published_at).toBeInstanceOf(Date);
      expect(await relay.relayBatch()).toBe(0);
      expect(queue.enqueued).toHaveLength(2);
    });

    it('marks an event nobody subscribes to as published without enqueueing anything', async () => {
      await append('notes', [note('into the void')]);
      expect(await (await relayWith()).relayBatch()).toBe(1);
      expect((await outboxRows())[0]?.published_at).toBeInstanceOf(Date);
      expect(queue.enqueued).toEqual([]);
    });

    it('relays in batches of the given size, oldest first, and drains everything', async () => {
      for (const owner of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await append('ledger', [opened(owner)]);
      const relay = await relayWith();
      expect(await relay.relayBatch(2)).toBe(2);
      expect(queue.enqueued.map((job) => (job.data as { eventId: string }).eventId)).toEqual(
        (await outboxRows()).slice(0, 2).flatMap((r) => [r.event_id, r.event_id]),
      );
      expect(await relay.drain()).toBe(5);
      expect((await outboxRows()).every((r) => r.published_at !== null)).toBe(true);
      expect(await relay.drain()).toBe(0);
    });

    it('leaves the events unpublished when the queue fails, to relay them again', async () => {
      await append('ledger', [opened('retry-me')]);
      queue.onEnqueue = async () => {
        throw new Error('queue unreachable');
      };
      const relay = await relayWith();
      await expect(relay.relayBatch()).rejects.toThrow('queue unreachable');
      expect((await outboxRows())[0]?.published_at).toBeNull();
      queue.onEnqueue = async () => {};
      expect(await relay.relayBatch()).toBe(1);
    });

    it('holds no transaction (and, on PGlite, not its one connection) while the queue takes a batch', async () => {
      await append('ledger', [opened('slow-queue')]);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let entered: () => void = () => undefined;
      const inEnqueue = new Promise<void>((resolve) => {
        entered = resolve;
      });
      queue.onEnqueue = () => {
        entered();
        return gate;
      };
      const relay = await relayWith();
      const relaying = relay.relayBatch();
      await inEnqueue;
      // The claim has committed: the row is visible as claimed, and the database answers
      // other work at once (with the old shape, PGlite's only connection waited for Redis).
      const [row] = await outboxRows();
      expect(row?.claimed_until).toBeInstanceOf(Date);
      expect(row?.published_at).toBeNull();
      if (target.name === 'postgres') {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND state LIKE 'idle in transaction%'`.execute(aura.database.db);
        expect(rows[0]?.n).toBe(0);
      }
      // Another relay finds nothing to claim meanwhile.
      expect(await (await relayWith()).relayBatch()).toBe(0);
      release();
      expect(await relaying).toBe(1);
      const [published] = await outboxRows();
      expect(published?.published_at).toBeInstanceOf(Date);
      expect(published?.claimed_until).toBeNull();
    });

    it('frees a batch whose relay died after claiming it once the lease lapses, and relays it then', async () => {
      await append('ledger', [opened('orphaned')]);
      let entered: () => void = () => undefined;
      const inEnqueue = new Promise<void>((resolve) => {
        entered = resolve;
      });
      // The first relay "dies" inside the queue call: it never returns.
      queue.onEnqueue = () => {
        entered();
        return new Promise<void>(() => undefined);
      };
      void (await relayWith()).relayBatch();
      await inEnqueue;
      queue.onEnqueue = async () => {};
      const survivor = await relayWith();
      expect(await survivor.relayBatch()).toBe(0);
      // The lease (OUTBOX_CLAIM_LEASE_MS) lapses.
      await sql`UPDATE platform.outbox SET claimed_until = now() - interval '1 second'`.execute(aura.database.db);
      expect(await survivor.relayBatch()).toBe(1);
      expect((await outboxRows())[0]?.published_at).toBeInstanceOf(Date);
    });

    it('once started, relays a commit at once when nudged, without waiting for the poll', async () => {
      const relay = await relayWith({ OUTBOX_POLL_INTERVAL_MS: 60_000 });
      relay.start();
      relay.start(); // a second start is harmless
      await settle(50);
      await append('ledger', [opened('nudged')]);
      // The poll interval is a minute: only the signal can have woken the relay.
      await waitUntil(async () => (await outboxRows())[0]?.published_at != null, 'the relay to publish the event', 10_000);
      expect(queue.enqueued).toHaveLength(2);
    });

    it('polls for events committed by other processes', async () => {
      const relay = await relayWith({ OUTBOX_POLL_INTERVAL_MS: 20 }, new OutboxSignal());
      relay.start();
      await append('ledger', [opened('from-elsewhere')]);
      await waitUntil(async () => (await outboxRows())[0]?.published_at != null, 'the poll to publish the event');
    });

    it('relays nothing once stopped, and stops more than once without complaint', async () => {
      const relay = await relayWith({ OUTBOX_POLL_INTERVAL_MS: 20 });
      await relay.stop(); // never started
      relay.start();
      await relay.stop();
      await relay.stop();
      await append('ledger', [opened('after-stop')]);
      relay.nudge();
      await settle(150);
      expect((await outboxRows())[0]?.published_at).toBeNull();
      expect(queue.enqueued).toEqual([]);
    });

    it('logs a failed relay run and keeps going', async () => {
      let failures = 1;
      queue.onEnqueue = async () => {
        if (failures-- > 0) throw new Error('queue hiccup');
      };
      await append('ledger', [opened('hiccup')]);
      const relay = await relayWith({ OUTBOX_POLL_INTERVAL_MS: 20 }, new OutboxSignal());
      relay.start();
      await waitUntil(async () => (await outboxRows())[0]?.published_at != null, 'the retried relay run');
      expect(logged()).toContainEqual(
        expect.objectContaining({ level: 'error', msg: 'outbox relay failed; retrying after the poll interval' }),
      );
    });

    it('re-sends deliveries of published events that no subscriber handled, except handled or parked ones', async () => {
      await append('ledger', [opened('x'), opened('y')]);
      const relay = await relayWith();
      await relay.drain();
      const [x, y] = await outboxRows();
      const db = aura.database.db;
      await db
        .insertInto('platform.inbox')
        .values({ subscriber: 'audit.record-opened', event_id: x?.event_id ?? '' })
        .execute();
      await db
        .insertInto('platform.dead_letters')
        .values({
          id: '0190aaaa-bbbb-7ccc-8ddd-000000000001',
          queue: 'audit.events',
          job_name: 'audit.flaky',
          job_id: eventDeliveryJobId(y?.event_id ?? '', 'audit.flaky'),
          data: '{}',
          attempts: 3,
          last_error: 'x',
          failed_at: new Date(),
        })
        .execute();
      queue.enqueued.length = 0;
      expect(await relay.redrive(new Date(0))).toBe(2);
      expect(queue.enqueued.map((job) => job.options?.jobId).sort()).toEqual(
        [
          eventDeliveryJobId(x?.event_id ?? '', 'audit.flaky'),
          eventDeliveryJobId(y?.event_id ?? '', 'audit.record-opened'),
        ].sort(),
      );
      expect(logged()).toContainEqual(expect.objectContaining({ msg: 're-sent event deliveries not handled yet' }));
      // Events published before the window are left alone.
      queue.enqueued.length = 0;
      expect(await relay.redrive(new Date(Date.now() + 60_000))).toBe(0);
      expect(queue.enqueued).toEqual([]);
    });

    // Only PostgreSQL has several connections to race (PGlite serialises on one).
    if (target.name === 'postgres')
      it('lets concurrent relays claim each event once', async () => {
        for (let i = 0; i < 20; i++) await append('ledger', [opened(`c${i}`)]);
        const concurrent = await Promise.all([relayWith(), relayWith(), relayWith(), relayWith()]);
        const relayed = await Promise.all(concurrent.map((relay) => relay.drain()));
        expect(relayed.reduce((a, b) => a + b, 0)).toBe(20);
        const jobIds = queue.enqueued.map((job) => job.options?.jobId);
        expect(jobIds).toHaveLength(40);
        expect(new Set(jobIds).size).toBe(40);
      });
  });

  describe('EventDispatcher', () => {
    const delivery = (eventId: string, subscriber: string) => ({
      id: eventDeliveryJobId(eventId, subscriber),
      queue: 'audit.events',
      name: subscriber,
      data: { eventId, subscriber, correlationId: 'c' },
      attempt: 1,
      maxAttempts: 3,
    });

    it('runs the handler in the scope of the event: its correlation id, the event as cause, its user', async () => {
      const context = await aura.get<ExecutionContext>(ExecutionContext);
      const scopes: Array<ExecutionScope | undefined> = [];
      control.onHandle = async () => {
        scopes.push(context.current());
      };
      try {
        await context.run({ correlationId: 'corr-9', userId: 'user-9' }, () => append('ledger', [opened('scoped')]));
        await append('ledger', [opened('anonymous')]);
        const [withUser, anonymous] = await outboxRows();
        const dispatcher = await aura.get(EventDispatcher);
        await dispatcher.dispatch(delivery(withUser?.event_id ?? '', 'audit.record-opened'));
        await dispatcher.dispatch(delivery(anonymous?.event_id ?? '', 'audit.record-opened'));
        expect(scopes).toEqual([
          { correlationId: 'corr-9', causationId: withUser?.event_id, userId: 'user-9' },
          { correlationId: anonymous?.event_id, causationId: anonymous?.event_id },
        ]);
        expect(await auditEntries(aura.database.db)).toHaveLength(2);
      } finally {
        control.onHandle = async () => {};
      }
    });

    it('refuses for good a delivery to an unknown subscriber', async () => {
      await append('ledger', [opened('z')]);
      const [row] = await outboxRows();
      const dispatch = (await aura.get(EventDispatcher)).dispatch(delivery(row?.event_id ?? '', 'nobody.here'));
      await expect(dispatch).rejects.toBeInstanceOf(PermanentJobError);
      await expect(dispatch).rejects.toThrow('no subscriber named "nobody.here" is registered');
    });

    it('refuses for good an event that is not in the outbox', async () => {
      const missing = '0190aaaa-bbbb-7ccc-8ddd-00000000dead';
      const dispatch = (await aura.get(EventDispatcher)).dispatch(delivery(missing, 'audit.record-opened'));
      await expect(dispatch).rejects.toBeInstanceOf(PermanentJobError);
      await expect(dispatch).rejects.toThrow(`event ${missing} is not in the outbox`);
    });

    it('refuses for good an event that no longer matches its schema, without running the handler', async () => {
      const eventId = '0190aaaa-bbbb-7ccc-8ddd-00000000bad0';
      await (aura.database.db as Kysely<PlatformDatabase>)
        .insertInto('platform.outbox')
        .values({
          event_id: eventId,
          event_type: 'ledger.account_opened',
          version: 1,
          source_module: 'ledger',
          aggregate_id: 'acc-bad',
          occurred_at: new Date(),
          data: JSON.stringify({ owner: '' }),
          metadata: JSON.stringify({ correlationId: 'c', causationId: null, userId: null }),
          published_at: null,
        })
        .execute();
      const dispatch = (await aura.get(EventDispatcher)).dispatch(delivery(eventId, 'audit.record-opened'));
      await expect(dispatch).rejects.toBeInstanceOf(PermanentJobError);
      await expect(dispatch).rejects.toThrow(`event ${eventId} cannot be read: ledger.account_opened@v1 data is invalid`);
      expect(await auditEntries(aura.database.db)).toEqual([]);
    });
  });
});
