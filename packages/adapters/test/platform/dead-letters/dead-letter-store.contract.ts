/**
 * The behaviour every `DeadLetterStore` must have. `open` is called once per suite; `reset`
 * empties the store before each test; `close` releases it after the suite.
 */
import type { DeadLetter, DeadLetterStore } from '@aura/application/platform';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UuidV7Generator } from '../../../src/platform/runtime/uuid-v7.generator.js';

export interface DeadLetterStoreFixture {
  readonly store: DeadLetterStore;
  reset(): Promise<void>;
  close(): Promise<void>;
}

type Entry = Omit<DeadLetter, 'replayCount' | 'replayedAt'>;

export function deadLetterStoreContract(name: string, open: () => Promise<DeadLetterStoreFixture>): void {
  describe(`DeadLetterStore contract: ${name}`, () => {
    let fixture: DeadLetterStoreFixture;
    let store: DeadLetterStore;
    let clock = 1_763_700_000_000;
    // Ids in creation order, as the platform makes them (UUIDv7).
    const ids = new UuidV7Generator(() => clock++);

    beforeAll(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.close();
    });
    beforeEach(async () => {
      await fixture.reset();
    });

    const entry = (overrides: Partial<Entry> = {}): Entry => {
      const id = ids.next();
      return {
        id,
        queue: 'audit.events',
        jobName: 'audit.record-opened',
        jobId: `job-${id}`,
        data: { eventId: id, subscriber: 'audit.record-opened', correlationId: 'c-1' },
        attempts: 3,
        lastError: 'handler failed',
        failedAt: new Date('2026-11-21T10:00:00.000Z'),
        ...overrides,
      };
    };

    async function recordMany(count: number, overrides: (i: number) => Partial<Entry> = () => ({})): Promise<Entry[]> {
      const entries: Entry[] = [];
      for (let i = 0; i < count; i++) {
        const e = entry(overrides(i));
        await store.record(e);
        entries.push(e);
      }
      return entries;
    }

    async function pageThrough(status: 'parked' | 'replayed' | 'all', limit: number, queue?: string) {
      const pages: DeadLetter[][] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await store.list({
          status,
          limit,
          ...(queue === undefined ? {} : { queue }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        pages.push([...page.items]);
        if (page.nextCursor === null) return pages;
        expect(page.nextCursor).toBe(page.items.at(-1)?.id);
        cursor = page.nextCursor;
      }
    }

    it('records a dead letter as parked, and gets it back as recorded', async () => {
      const e = entry({ data: { nested: { list: [1, 'two', null] }, flag: true } });
      await store.record(e);
      expect(await store.get(e.id)).toEqual({ ...e, replayCount: 0, replayedAt: null });
    });

    it('keeps any JSON payload', async () => {
      for (const data of [null, 'text', 42, [1, 2], { a: { b: 'c' } }]) {
        const e = entry({ data });
        await store.record(e);
        expect((await store.get(e.id))?.data).toEqual(data);
      }
    });

    it('keeps one dead letter per queue and job id, with the latest failure', async () => {
      const first = entry({ jobId: 'same-job', attempts: 3, lastError: 'first', failedAt: new Date('2026-11-21T10:00:00Z') });
      const again = entry({ jobId: 'same-job', attempts: 4, lastError: 'second', failedAt: new Date('2026-11-21T11:00:00Z') });
      await store.record(first);
      await store.record(again);
      const { items } = await store.list({ status: 'all', limit: 10 });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        id: first.id,
        jobId: 'same-job',
        attempts: 4,
        lastError: 'second',
        failedAt: new Date('2026-11-21T11:00:00Z'),
      });
      // The same job id on another queue is another job.
      await store.record(entry({ jobId: 'same-job', queue: 'billing.charge' }));
      expect((await store.list({ status: 'all', limit: 10 })).items).toHaveLength(2);
    });

    it('gets nothing for an unknown id, or for something that is not an id', async () => {
      await recordMany(1);
      expect(await store.get(ids.next())).toBeUndefined();
      expect(await store.get('not-a-uuid')).toBeUndefined();
      expect(await store.markReplayed('not-a-uuid', 0, new Date())).toBe(false);
    });

    it('lists newest first, filtered by status and queue', async () => {
      const entries = await recordMany(6, (i) => ({ queue: i % 2 === 0 ? 'audit.events' : 'billing.charge' }));
      const [r0, , r2] = entries;
      await store.markReplayed(r0?.id ?? '', 0, new Date('2026-11-22T00:00:00Z'));
      await store.markReplayed(r2?.id ?? '', 0, new Date('2026-11-22T00:00:00Z'));
      const idsOf = (letters: readonly DeadLetter[]) => letters.map((l) => l.id);
      const newestFirst = [...entries].reverse();

      expect(idsOf((await store.list({ status: 'all', limit: 10 })).items)).toEqual(idsOf(newestFirst as DeadLetter[]));
      expect(idsOf((await store.list({ status: 'replayed', limit: 10 })).items)).toEqual([r2?.id, r0?.id]);
      expect(idsOf((await store.list({ status: 'parked', limit: 10 })).items)).toEqual(
        newestFirst.filter((e) => e !== r0 && e !== r2).map((e) => e.id),
      );
      expect(idsOf((await store.list({ status: 'parked', queue: 'audit.events', limit: 10 })).items)).toEqual([entries[4]?.id]);
      expect(idsOf((await store.list({ status: 'all', queue: 'billing.charge', limit: 10 })).items)).toEqual(
        [entries[5], entries[3], entries[1]].map((e) => e?.id),
      );
      expect((await store.list({ status: 'all', queue: 'nobody.uses', limit: 10 })).items).toEqual([]);
    });

    it('pages through 25 dead letters 10 at a time: 10, 10, 5, then no cursor', async () => {
      const entries = await recordMany(25);
      const pages = await pageThrough('all', 10);
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
      expect(pages.flat().map((l) => l.id)).toEqual(entries.map((e) => e.id).reverse());
    });

    it('gives no cursor on a last page that is exactly full, and an empty page for an empty list', async () => {
      await recordMany(20);
      expect((await pageThrough('all', 10)).map((p) => p.length)).toEqual([10, 10]);
      await fixture.reset();
      expect(await store.list({ status: 'parked', limit: 10 })).toEqual({ items: [], nextCursor: null });
    });

    it('pages through any list exactly once, newest first, whatever the page size', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 9 }), async (count, limit) => {
          await fixture.reset();
          const entries = await recordMany(count, (i) => ({ queue: i % 3 === 0 ? 'other.queue' : 'audit.events' }));
          const pages = await pageThrough('parked', limit, 'audit.events');
          const expected = entries
            .filter((e) => e.queue === 'audit.events')
            .map((e) => e.id)
            .reverse();
          expect(pages.flat().map((l) => l.id)).toEqual(expected);
          for (const page of pages) expect(page.length).toBeLessThanOrEqual(limit);
          expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
          if (expected.length > 0) expect(pages.at(-1)?.length).toBeGreaterThan(0);
        }),
        { numRuns: 12 },
      );
    });

    it('marks a replay only when the replay count is still the expected one', async () => {
      const [e] = await recordMany(1);
      const id = e?.id ?? '';
      const first = new Date('2026-11-22T08:00:00Z');
      const second = new Date('2026-11-22T09:00:00Z');
      expect(await store.markReplayed(id, 0, first)).toBe(true);
      expect(await store.get(id)).toMatchObject({ replayCount: 1, replayedAt: first });
      expect(await store.markReplayed(id, 0, second)).toBe(false);
      expect(await store.get(id)).toMatchObject({ replayCount: 1, replayedAt: first });
      expect(await store.markReplayed(id, 1, second)).toBe(true);
      expect(await store.get(id)).toMatchObject({ replayCount: 2, replayedAt: second });
      expect(await store.markReplayed(ids.next(), 0, second)).toBe(false);
    });

    it('lets one of several concurrent replays with the same expectation win', async () => {
      const [e] = await recordMany(1);
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => store.markReplayed(e?.id ?? '', 0, new Date())));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect((await store.get(e?.id ?? ''))?.replayCount).toBe(1);
    });

    it('counts the dead letters not replayed yet', async () => {
      expect(await store.countParked()).toBe(0);
      const entries = await recordMany(4);
      expect(await store.countParked()).toBe(4);
      await store.markReplayed(entries[1]?.id ?? '', 0, new Date());
      expect(await store.countParked()).toBe(3);
    });
  });
}
