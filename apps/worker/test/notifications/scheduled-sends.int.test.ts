/**
 * A scheduled send lives in PostgreSQL, not in Redis: when Redis loses its delayed job
 * (FLUSHALL, on a Redis of the test's own), the sweep re-derives it and it still goes out on
 * time; when the job survives, the sweep's enqueue of it (same job id `deliver:<id>`) is a
 * no-op and it goes out once.
 */
import { DELIVER_QUEUE } from '@aura/application/notifications';
import { JobQueue } from '@aura/application/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { settle, waitUntil } from '../../../../packages/adapters/test/support/wait.js';
import { hasPostgres } from '../../../../test/support/services.js';
import { startSmtpSink } from './smtp-sink.js';
import { Cleanups, production, startOwnRedis, storedNotification } from './support.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const SWEEP_INTERVAL_MS = 1_000;

async function scheduledSend({ flush }: { flush: boolean }) {
  const redis = await startOwnRedis(cleanups);
  const smtp = await startSmtpSink();
  cleanups.add(() => smtp.close());
  const { env, aura, send } = await production(cleanups, redis.url, {
    SMTP_URL: smtp.url,
    NOTIFICATIONS_SWEEP_INTERVAL_S: String(SWEEP_INTERVAL_MS / 1000),
  });
  const db = aura.database.db;
  const queue = await aura.get<JobQueue>(JobQueue);
  const worker = cleanups.worker({ ...env, LOG_LEVEL: 'info' });
  await worker.waitFor(/^ready$/);

  // Within two sweep intervals: `notification.queued` puts its delivery job in Redis, delayed.
  const sendAt = new Date(Date.now() + 1.9 * SWEEP_INTERVAL_MS);
  const id = await send('later@example.test', sendAt);
  await waitUntil(async () => (await queue.counts(DELIVER_QUEUE)).delayed === 1, 'its delivery job waits in Redis', 1_500);
  if (flush) {
    await redis.flushAll();
    expect(await queue.counts(DELIVER_QUEUE)).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  }

  const email = await smtp.next((received) => received.notificationId === id, 15_000);
  await waitUntil(async () => (await storedNotification(db, id)).status === 'sent', 'it is recorded sent', 5_000);
  await settle(SWEEP_INTERVAL_MS + 200); // another sweep: nothing sent again

  expect(smtp.received.filter((received) => received.notificationId === id)).toEqual([email]);
  expect(email.messageId).toBe(`<${id}@aura>`);
  expect(await storedNotification(db, id)).toMatchObject({ status: 'sent', attempts: 1 });
  const lateBy = email.receivedAt - sendAt.getTime();
  expect(lateBy).toBeGreaterThanOrEqual(0);
  // On time-ish: the sweep hands it to the queue up to two intervals ahead, delayed until sendAt.
  expect(lateBy).toBeLessThan(3_000);
  // The sweep found it pending while it waited (after the flush: the only job there was).
  const swept = worker
    .output()
    .split('\n')
    .filter((line) => line.includes('due notifications swept') && /"handed":[1-9]/.test(line));
  expect(swept.length).toBeGreaterThan(0);
  console.info(
    `[notifications scheduled, flush=${flush}] 1 copy, ${lateBy} ms after sendAt; sweeps that handed it: ${swept.length}`,
  );
}

describe.runIf(hasPostgres)('scheduled sends (PostgreSQL + BullMQ on a Redis of the test’s own)', () => {
  it('survive a Redis FLUSHALL: the sweep re-derives the delivery and it goes out on time', { timeout: 30_000 }, () =>
    scheduledSend({ flush: true }),
  );

  it('go out once when the delayed job survives too (the sweep enqueues the same job id)', { timeout: 30_000 }, () =>
    scheduledSend({ flush: false }),
  );
});
