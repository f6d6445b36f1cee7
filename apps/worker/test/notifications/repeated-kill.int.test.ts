/**
 * Two worker processes killed mid-send in a row, on the same notification. BullMQ fails a job
 * that stalls a second time (maxStalledCount 1) and keeps it, id and all, for 7 days; the
 * notification is still pending, and the sweep is what must hand it to a worker again once
 * the second claim lapses.
 */
import { DELIVER_QUEUE } from '@aura/application/notifications';
import { JobQueue } from '@aura/application/platform';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../../packages/adapters/test/support/wait.js';
import { hasPostgres, hasRedis, redisUrl } from '../../../../test/support/services.js';
import { startSmtpSink } from './smtp-sink.js';
import { Cleanups, production, storedNotification } from './support.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe.runIf(hasPostgres && hasRedis)('production mode (PostgreSQL + BullMQ): workers killed mid-send twice', () => {
  it('a third worker still sends it once the second claim lapses (the sweep re-derives it)', { timeout: 60_000 }, async () => {
    const smtp = await startSmtpSink();
    cleanups.add(() => smtp.close());
    const { env, aura, send } = await production(cleanups, redisUrl as string, {
      SMTP_URL: smtp.url,
      NOTIFICATIONS_PROVIDER_TIMEOUT_MS: '1000',
      NOTIFICATIONS_SWEEP_INTERVAL_S: '1',
    });
    const db = aura.database.db;
    const a = cleanups.worker(env);
    await a.waitFor(/^ready$/);

    smtp.stall();
    const id = await send('twice@example.test');
    const first = await smtp.next((email) => email.notificationId === id, 15_000);
    a.child.kill('SIGKILL');
    await a.exited();
    // B takes the stalled job over, waits out A's claim (7 s) and sends: killed mid-send too.
    const b = cleanups.worker(env);
    const second = await smtp.next((email) => email.notificationId === id && email !== first, 25_000);
    b.child.kill('SIGKILL');
    await b.exited();
    await smtp.disconnected(second, 5_000);
    smtp.release();
    const interrupted = await storedNotification(db, id);
    expect(interrupted.status).toBe('pending');
    expect(interrupted.attempts).toBeGreaterThanOrEqual(2);
    const claimedUntil = (interrupted.claimedUntil as Date).getTime();

    const c = cleanups.worker({ ...env, LOG_LEVEL: 'info' });
    // B's claim lapses, then the sweep (every second) hands it over: a few seconds' slack.
    await waitUntil(
      async () => (await storedNotification(db, id)).status === 'sent',
      'the third worker sent it',
      claimedUntil - Date.now() + 8_000,
    ).catch(() => undefined);

    const notification = await storedNotification(db, id);
    const queue = await aura.get<JobQueue>(JobQueue);
    const { rows: deadLetters } = await sql<{ queue: string; jobId: string; lastError: string }>`
      select queue, job_id as "jobId", last_error as "lastError" from platform.dead_letters`.execute(db);
    const sweepsHandingIt = c
      .output()
      .split('\n')
      .filter((line) => line.includes('due notifications swept') && /"handed":[1-9]/.test(line)).length;
    const evidence = {
      notification,
      deliverQueue: await queue.counts(DELIVER_QUEUE),
      deadLetters,
      sweepsHandingIt,
      copiesAtSink: smtp.received.filter((email) => email.notificationId === id).length,
    };
    expect(
      notification.status,
      `still not sent ${Date.now() - claimedUntil} ms after the last claim lapsed: ${JSON.stringify(evidence)}`,
    ).toBe('sent');
    const copies = smtp.received.filter((email) => email.notificationId === id);
    expect(copies.slice(0, 2)).toEqual([first, second]);
    expect(copies.map((email) => email.messageId)).toEqual(copies.map(() => `<${id}@aura>`));
  });
});
