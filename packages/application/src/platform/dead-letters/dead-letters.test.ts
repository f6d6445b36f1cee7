import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { FixedClock, InMemoryDeadLetterStore, InMemoryRecordingJobQueue } from '../../../test/platform/in-memory-fakes.js';
import type { Actor } from '../actor.js';
import { MAX_PAGE_SIZE } from '../pagination.js';
import type { DeadLetter } from './dead-letter.js';
import { ListDeadLetters } from './list-dead-letters.query.js';
import { ReplayDeadLetter } from './replay-dead-letter.command.js';

const admin: Actor = { userId: 'admin-1', roles: ['admin'] };
const nonAdmins: Actor[] = [
  { userId: 'p-1', roles: ['patient'] },
  { userId: 't-1', roles: ['therapist', 'patient'] },
  { userId: 'n-1', roles: [] },
];

const letter = (n: number, overrides: Partial<DeadLetter> = {}): Omit<DeadLetter, 'replayCount' | 'replayedAt'> => ({
  id: `0190aaaa-bbbb-7ccc-8ddd-${String(n).padStart(12, '0')}`,
  queue: 'audit.events',
  jobName: 'audit.record-opened',
  jobId: `event-${n}.audit.record-opened`,
  data: { eventId: `event-${n}`, subscriber: 'audit.record-opened', correlationId: `c-${n}` },
  attempts: 8,
  lastError: 'handler failed',
  failedAt: new Date('2026-11-21T10:00:00Z'),
  ...overrides,
});

let store: InMemoryDeadLetterStore;
let queue: InMemoryRecordingJobQueue;
let clock: FixedClock;

beforeEach(() => {
  store = new InMemoryDeadLetterStore();
  queue = new InMemoryRecordingJobQueue();
  clock = new FixedClock(new Date('2026-11-22T08:30:00Z'));
});

describe('ListDeadLetters', () => {
  it('is for admins only', async () => {
    await store.record(letter(1));
    const list = new ListDeadLetters(store);
    for (const actor of nonAdmins) {
      const result = await list.execute({ actor, status: 'all', limit: 10 });
      expect(result._unsafeUnwrapErr()).toEqual({ type: 'platform.forbidden', message: 'requires the role admin' });
    }
  });

  it('passes the query to the store and returns its page', async () => {
    for (let n = 1; n <= 3; n++) await store.record(letter(n, n === 2 ? { queue: 'billing.charge' } : {}));
    const list = new ListDeadLetters(store);
    const first = (await list.execute({ actor: admin, status: 'parked', queue: 'audit.events', limit: 1 }))._unsafeUnwrap();
    expect(first.items.map((l) => l.id)).toEqual([letter(3).id]);
    expect(first.nextCursor).toBe(letter(3).id);
    const second = (
      await list.execute({ actor: admin, status: 'parked', queue: 'audit.events', limit: 1, cursor: first.nextCursor ?? '' })
    )._unsafeUnwrap();
    expect(second).toEqual({ items: [{ ...letter(1), replayCount: 0, replayedAt: null }], nextCursor: null });
  });

  it('bounds the page size whatever the caller asks for', async () => {
    const seen: number[] = [];
    const list = store.list.bind(store);
    store.list = async (query) => {
      seen.push(query.limit);
      return list(query);
    };
    for (const limit of [0, -5, 1_000_000, Number.NaN, 2.5, 7]) {
      await new ListDeadLetters(store).execute({ actor: admin, status: 'all', limit });
    }
    expect(seen).toEqual([1, 1, MAX_PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE_SIZE, 7]);
  });

  it('lets a store failure reject instead of turning it into an outcome', async () => {
    store.list = async () => {
      throw new Error('database is down');
    };
    await expect(new ListDeadLetters(store).execute({ actor: admin, status: 'all', limit: 10 })).rejects.toThrow(
      'database is down',
    );
  });
});

describe('ReplayDeadLetter', () => {
  const replayer = () => new ReplayDeadLetter(store, queue, clock);

  it('is for admins only, and enqueues nothing for others', async () => {
    await store.record(letter(1));
    for (const actor of nonAdmins) {
      expect((await replayer().execute({ actor, id: letter(1).id }))._unsafeUnwrapErr().type).toBe('platform.forbidden');
    }
    expect(queue.enqueued).toEqual([]);
    expect((await store.get(letter(1).id))?.replayCount).toBe(0);
  });

  it('says when there is no such dead letter', async () => {
    const result = await replayer().execute({ actor: admin, id: 'missing' });
    expect(result._unsafeUnwrapErr()).toEqual({ type: 'platform.dead_letter_not_found', message: 'no dead letter missing' });
    expect(queue.enqueued).toEqual([]);
  });

  it('puts the job back on its queue with a replay job id, and marks the dead letter', async () => {
    await store.record(letter(1));
    const replayed = (await replayer().execute({ actor: admin, id: letter(1).id }))._unsafeUnwrap();
    expect(queue.enqueued).toEqual([
      {
        queue: 'audit.events',
        name: 'audit.record-opened',
        data: letter(1).data,
        options: { jobId: 'event-1.audit.record-opened:replay:1' },
      },
    ]);
    expect(replayed).toEqual({ ...letter(1), replayCount: 1, replayedAt: clock.now() });
    expect(await store.get(letter(1).id)).toEqual(replayed);
  });

  it('numbers each further replay, so each one is a new job', async () => {
    await store.record(letter(1));
    for (let n = 1; n <= 3; n++) {
      clock.time = new Date(clock.time.getTime() + 60_000);
      const replayed = (await replayer().execute({ actor: admin, id: letter(1).id }))._unsafeUnwrap();
      expect(replayed.replayCount).toBe(n);
      expect(replayed.replayedAt).toEqual(clock.now());
    }
    expect(queue.enqueued.map((job) => job.options?.jobId)).toEqual([
      'event-1.audit.record-opened:replay:1',
      'event-1.audit.record-opened:replay:2',
      'event-1.audit.record-opened:replay:3',
    ]);
  });

  it('reports a conflict when another replay marked the dead letter first', async () => {
    await store.record(letter(1));
    // Another admin's replay lands between this one's read and its conditional update.
    queue.onEnqueue = async () => {
      await store.markReplayed(letter(1).id, 0, new Date(0));
    };
    const result = await replayer().execute({ actor: admin, id: letter(1).id });
    expect(result._unsafeUnwrapErr()).toEqual({
      type: 'platform.dead_letter_replay_conflict',
      message: `dead letter ${letter(1).id} was replayed concurrently`,
    });
    expect((await store.get(letter(1).id))?.replayCount).toBe(1);
  });

  it('lets exactly one of any number of concurrent replays win, all asking for the same job', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), async (admins) => {
        store = new InMemoryDeadLetterStore();
        queue = new InMemoryRecordingJobQueue();
        await store.record(letter(1));
        const results = await Promise.all(
          Array.from({ length: admins }, () => replayer().execute({ actor: admin, id: letter(1).id })),
        );
        expect(results.filter((r) => r.isOk())).toHaveLength(1);
        for (const r of results.filter((r) => r.isErr())) {
          expect(r._unsafeUnwrapErr().type).toBe('platform.dead_letter_replay_conflict');
        }
        expect(new Set(queue.enqueued.map((job) => job.options?.jobId))).toEqual(
          new Set(['event-1.audit.record-opened:replay:1']),
        );
        expect((await store.get(letter(1).id))?.replayCount).toBe(1);
      }),
    );
  });

  it('rejects when the queue fails, and leaves the dead letter parked', async () => {
    await store.record(letter(1));
    queue.onEnqueue = async () => {
      throw new Error('redis is down');
    };
    await expect(replayer().execute({ actor: admin, id: letter(1).id })).rejects.toThrow('redis is down');
    expect(await store.get(letter(1).id)).toMatchObject({ replayCount: 0, replayedAt: null });
  });

  it('rejects when the store fails to read or to mark', async () => {
    await store.record(letter(1));
    const broken = new InMemoryDeadLetterStore();
    broken.get = async () => {
      throw new Error('read failed');
    };
    await expect(new ReplayDeadLetter(broken, queue, clock).execute({ actor: admin, id: 'x' })).rejects.toThrow('read failed');

    store.markReplayed = async () => {
      throw new Error('write failed');
    };
    await expect(replayer().execute({ actor: admin, id: letter(1).id })).rejects.toThrow('write failed');
  });
});
