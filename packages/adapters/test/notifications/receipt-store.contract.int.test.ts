/**
 * The behaviour every ReceiptStore must have, run against the in-memory store, PGlite and
 * PostgreSQL (not optional: without it the suite fails).
 */
import { InMemoryReceiptStore, type ReceiptStore } from '@aura/application/notifications';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KyselyReceiptStore } from '../../src/notifications/kysely-receipt.store.js';
import { at, contractTargets, useContractTarget } from './notifications-test-support.js';

interface Harness {
  readonly store: ReceiptStore;
  /** Runs `work` in a unit of work of its own (SQL), or just runs it (in memory). */
  unitOfWork<T>(work: () => Promise<T>): Promise<T>;
}

const targets = contractTargets<Harness>({
  inMemory: () => ({ store: new InMemoryReceiptStore(), unitOfWork: (work) => work() }),
  sql: (database) => ({
    store: new KyselyReceiptStore(database.transactions),
    unitOfWork: (work) => database.transactions.transaction(work),
  }),
});

const now = at('2026-11-23T09:00:00.000Z');

describe.each(targets)('ReceiptStore contract: $name', (target) => {
  let store: ReceiptStore;
  let unitOfWork: Harness['unitOfWork'];
  useContractTarget(target, (fresh) => {
    ({ store, unitOfWork } = fresh);
  });

  it('records a receipt once: true the first time, false for every replay', async () => {
    expect(await store.recordOnce('smtp', 'receipt-1', now)).toBe(true);
    expect(await store.recordOnce('smtp', 'receipt-1', now)).toBe(false);
    expect(await store.recordOnce('smtp', 'receipt-1', at('2026-11-24T09:00:00.000Z'))).toBe(false);
  });

  it('tells receipts apart by provider and receipt id, which never run into each other', async () => {
    expect(await store.recordOnce('smtp', 'receipt-1', now)).toBe(true);
    expect(await store.recordOnce('sms-gateway', 'receipt-1', now)).toBe(true);
    expect(await store.recordOnce('smtp', 'receipt-2', now)).toBe(true);
    expect(await store.recordOnce('a:b', 'c', now)).toBe(true);
    expect(await store.recordOnce('a', 'b:c', now)).toBe(true);
    expect(await store.recordOnce('smtp', 'RECEIPT-1', now)).toBe(true);
    expect(await store.recordOnce('sms-gateway', 'receipt-1', now)).toBe(false);
  });

  it('records any provider and receipt id exactly once', async () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(text, text), { minLength: 1, maxLength: 8, selector: ([p, r]) => JSON.stringify([p, r]) }),
        async (pairs) => {
          const salt = `${Math.random()}`;
          for (const [provider, id] of pairs) expect(await store.recordOnce(provider, `${id}${salt}`, now)).toBe(true);
          for (const [provider, id] of pairs) expect(await store.recordOnce(provider, `${id}${salt}`, now)).toBe(false);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('lets exactly one of 10 concurrent deliveries of one receipt through, each in its own unit of work', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => unitOfWork(() => store.recordOnce('smtp', 'crowd', now))));
    expect(results.filter((recorded) => recorded)).toHaveLength(1);
    expect(await store.recordOnce('smtp', 'crowd', now)).toBe(false);
  });

  if (target.name !== 'in-memory') {
    it('forgets a receipt recorded in a unit of work that rolled back (it was never applied)', async () => {
      await expect(
        unitOfWork(async () => {
          expect(await store.recordOnce('smtp', 'rolled-back', now)).toBe(true);
          // A replay inside the same unit of work is a replay, and does not abort it.
          expect(await store.recordOnce('smtp', 'rolled-back', now)).toBe(false);
          throw new Error('applying the receipt failed');
        }),
      ).rejects.toThrow('applying the receipt failed');
      expect(await store.recordOnce('smtp', 'rolled-back', now)).toBe(true);
    });
  }
});
