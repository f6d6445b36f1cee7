import { describe, expect, it } from 'vitest';
import type { Clock } from '../ports/clock.port.js';
import type { Logger } from '../ports/logger.port.js';
import { IDEMPOTENCY_LIMITS, type IdempotencyStore } from './idempotency-store.port.js';
import { PurgeIdempotencyKeys } from './purge-idempotency-keys.job.js';

describe('PurgeIdempotencyKeys', () => {
  it('purges the keys older than their 24 hours and logs how many when there were any', async () => {
    const now = new Date('2026-11-22T12:00:00.000Z');
    const cutoffs: Date[] = [];
    let found = 3;
    const store = {
      purgeCreatedBefore: async (before: Date) => {
        cutoffs.push(before);
        return found;
      },
    } as unknown as IdempotencyStore;
    const logged: unknown[] = [];
    const logger = { info: (message: string, fields: unknown) => logged.push({ message, fields }) } as unknown as Logger;
    const clock: Clock = { now: () => now };
    const job = new PurgeIdempotencyKeys(store, clock, logger);
    await job.process();
    found = 0;
    await job.process();
    expect(cutoffs).toEqual([
      new Date(now.getTime() - IDEMPOTENCY_LIMITS.ttlMs),
      new Date(now.getTime() - IDEMPOTENCY_LIMITS.ttlMs),
    ]);
    expect(logged).toEqual([{ message: 'expired idempotency keys purged', fields: { purged: 3 } }]);
  });
});
