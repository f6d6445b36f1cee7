/**
 * Email delivery across worker deaths, with real processes and a real SMTP server: a worker
 * killed mid-send (the server holding its reply to DATA) loses nothing, in production mode
 * (PostgreSQL + BullMQ: another worker takes the stalled job) and in embedded mode (PGlite +
 * in-memory queue: the sweep re-derives it after a restart); a SIGTERM lets the send in flight
 * finish. The claim of an attempt (2 × provider timeout + 5 s) keeps the retry from overlapping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DELIVER_QUEUE } from '@aura/application/notifications';
import { JobQueue } from '@aura/application/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { settle, waitUntil } from '../../../../packages/adapters/test/support/wait.js';
import { hasPostgres, hasRedis, redisUrl } from '../../../../test/support/services.js';
import { startSmtpSink } from './smtp-sink.js';
import { Cleanups, deadLetterCount, production, storedNotification, storedNotifications } from './support.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function sink() {
  const started = await startSmtpSink();
  cleanups.add(() => started.close());
  return started;
}

describe.runIf(hasPostgres && hasRedis)('production mode (PostgreSQL + BullMQ)', () => {
  it('a worker killed mid-send loses nothing: another worker sends it, once the claim lapses', { timeout: 45_000 }, async () => {
    const smtp = await sink();
    // Claim: 2 × 1000 ms + 5 s = 7 s. The sweep stays at its default (30 s): BullMQ's stalled check must do it.
    const { env, aura, send } = await production(cleanups, redisUrl as string, {
      SMTP_URL: smtp.url,
      NOTIFICATIONS_PROVIDER_TIMEOUT_MS: '1000',
    });
    const db = aura.database.db;
    const doomed = cleanups.worker(env);
    await doomed.waitFor(/^ready$/);

    smtp.stall();
    const id = await send('kill@example.test');
    const first = await smtp.next((email) => email.notificationId === id, 15_000);
    // Within the provider timeout (1 s) of the message reaching the server: A is mid-send.
    doomed.child.kill('SIGKILL');
    await doomed.exited();
    await smtp.disconnected(first, 5_000);
    smtp.release(); // A's connection is gone: its held reply goes nowhere
    const interrupted = await storedNotification(db, id);
    expect(interrupted).toMatchObject({ status: 'pending', sentAt: null });
    const claimedUntil = (interrupted.claimedUntil as Date).getTime();
    expect(claimedUntil).toBeGreaterThan(Date.now());

    const restartedAt = Date.now();
    cleanups.worker(env);
    await waitUntil(async () => (await storedNotification(db, id)).status === 'sent', 'the survivor sent it', 25_000);
    const sentAt = Date.now();
    await settle(1_000); // let a further copy show itself

    const copies = smtp.received.filter((email) => email.notificationId === id);
    expect(copies.length).toBeGreaterThanOrEqual(1);
    expect(copies.map((email) => email.messageId)).toEqual(copies.map(() => `<${id}@aura>`));
    // The interrupted copy reached the server (unanswered); the survivor's is the one answered.
    const resent = copies.at(-1);
    expect(copies[0]).toBe(first);
    expect(first.acknowledged).toBe(false);
    expect(resent?.acknowledged).toBe(true);
    // The survivor did not overlap A's attempt: it waited for the claim to lapse.
    expect(resent?.receivedAt).toBeGreaterThanOrEqual(claimedUntil);
    const sent = await storedNotification(db, id);
    expect(sent).toMatchObject({ status: 'sent', claimedUntil: null });
    expect(sent.attempts).toBeGreaterThan(interrupted.attempts);

    expect((await storedNotifications(db)).filter((n) => n.status === 'pending')).toEqual([]);
    const queue = await aura.get<JobQueue>(JobQueue);
    expect(await queue.counts(DELIVER_QUEUE)).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    expect(await deadLetterCount(db)).toBe(0);
    console.info(
      `[notifications kill] copies at the sink: ${copies.length} (acknowledged: ${copies.filter((c) => c.acknowledged).length}), ` +
        `attempts ${sent.attempts}; ` +
        `sent ${sentAt - restartedAt} ms after B started, ${(resent?.receivedAt ?? Number.NaN) - first.receivedAt} ms after A's copy`,
    );
  });

  it('SIGTERM during a send: the worker finishes it and records it sent before exiting', { timeout: 30_000 }, async () => {
    const smtp = await sink();
    const { env, aura, send } = await production(cleanups, redisUrl as string, {
      SMTP_URL: smtp.url,
      NOTIFICATIONS_PROVIDER_TIMEOUT_MS: '5000',
    });
    const db = aura.database.db;
    const worker = cleanups.worker(env);
    await worker.waitFor(/^ready$/);

    smtp.stall();
    const id = await send('term@example.test');
    await smtp.next((email) => email.notificationId === id, 15_000);
    worker.child.kill('SIGTERM');
    await worker.waitFor(/^stopping$/, 5_000);
    await settle(500);
    // Still waiting for the server's answer to the send in flight.
    expect(worker.child.exitCode).toBeNull();
    expect((await storedNotification(db, id)).status).toBe('pending');

    smtp.release();
    expect(await worker.exited()).toBe(0);
    expect(worker.output()).toMatch(/^stopping\n[\s\S]*^stopped$/m);
    expect(await storedNotification(db, id)).toMatchObject({ status: 'sent', attempts: 1, claimedUntil: null });
    expect(smtp.received.filter((email) => email.notificationId === id).map((email) => email.acknowledged)).toEqual([true]);
  });
});

describe('embedded mode (PGlite + in-memory queue): one process, killed mid-send and restarted', () => {
  it('the sweep re-derives the pending notification after the restart and sends it once the claim lapses', {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-notify-crash-'));
    cleanups.add(() => rmSync(dir, { recursive: true, force: true }));
    const smtp = await sink();
    // Embedded: no DATABASE_URL / REDIS_URL even when the test run has them.
    const env = {
      AURA_ROLE: 'all',
      AURA_DATA_DIR: dir,
      DATABASE_URL: '',
      REDIS_URL: '',
      OUTBOX_POLL_INTERVAL_MS: '50',
      SMTP_URL: smtp.url,
      // PGlite runs in the process's own thread: on a loaded machine an SMTP exchange can take over 1 s. Claim: 9 s.
      NOTIFICATIONS_PROVIDER_TIMEOUT_MS: '2000',
      NOTIFICATIONS_RETRY_BACKOFF_MS: '500',
      NOTIFICATIONS_SWEEP_INTERVAL_S: '1',
    };

    smtp.stall();
    const first = cleanups.worker({ ...env, FIXTURE_SEND: '1' });
    const id = (await first.waitFor(/^queued /)).slice('queued '.length);
    const interrupted = await smtp.next((email) => email.notificationId === id, 20_000);
    first.child.kill('SIGKILL');
    await first.exited();
    await smtp.disconnected(interrupted, 5_000);
    smtp.release();

    const restartedAt = Date.now();
    const second = cleanups.worker({ ...env, FIXTURE_WATCH: '1', LOG_LEVEL: 'info' });
    await second.waitFor(new RegExp(`"id":"${id}","status":"sent"`), 30_000);
    const sentAt = Date.now();
    await settle(1_200); // another sweep: nothing sent again

    const copies = smtp.received.filter((email) => email.notificationId === id);
    expect(copies.map((email) => email.messageId)).toEqual(copies.map(() => `<${id}@aura>`));
    const resent = copies.at(-1);
    expect(copies[0]).toBe(interrupted);
    expect(interrupted.acknowledged).toBe(false);
    expect(resent?.acknowledged).toBe(true);
    // Not before the first attempt's claim (9 s from its start, shortly before its DATA) lapsed.
    const gap = (resent?.receivedAt ?? Number.NaN) - interrupted.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(8_000);
    const lines = second.output().split('\n');
    // The sweep found it: the restarted in-memory queue knew nothing of it.
    expect(lines.some((line) => line.includes('due notifications swept') && /"handed":[1-9]/.test(line))).toBe(true);
    console.info(
      `[notifications embedded] copies at the sink: ${copies.length}; sent ${sentAt - restartedAt} ms after the restart, ` +
        `${gap} ms after the interrupted copy`,
    );
  });
});
