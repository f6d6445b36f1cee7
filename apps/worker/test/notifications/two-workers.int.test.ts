/**
 * Two worker processes on one PostgreSQL and one Redis share the deliveries, with a sweep
 * every second re-deriving whatever is still pending: the attempt's claim and the delivery's
 * job id (`deliver:<id>`) keep every email to one copy at the SMTP server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { settle, waitUntil } from '../../../../packages/adapters/test/support/wait.js';
import { hasPostgres, hasRedis, redisUrl } from '../../../../test/support/services.js';
import { startSmtpSink } from './smtp-sink.js';
import { Cleanups, production, storedNotifications } from './support.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const COUNT = 200;

describe.runIf(hasPostgres && hasRedis)('two worker processes (PostgreSQL + BullMQ)', () => {
  it(`deliver ${COUNT} notifications, each exactly once at the SMTP server`, { timeout: 60_000 }, async () => {
    const smtp = await startSmtpSink();
    cleanups.add(() => smtp.close());
    const { env, aura, send } = await production(cleanups, redisUrl as string, {
      SMTP_URL: smtp.url,
      NOTIFICATIONS_SWEEP_INTERVAL_S: '1',
    });
    const db = aura.database.db;
    const a = cleanups.worker({ ...env, LOG_LEVEL: 'debug' });
    const b = cleanups.worker({ ...env, LOG_LEVEL: 'debug' });
    await Promise.all([a.waitFor(/^ready$/), b.waitFor(/^ready$/)]);

    const startedAt = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < COUNT; i += 20) {
      const batch = Array.from({ length: Math.min(20, COUNT - i) }, (_, j) => send(`p${i + j}@example.test`));
      ids.push(...(await Promise.all(batch)));
    }
    const queuedAt = Date.now();
    await waitUntil(
      async () => (await storedNotifications(db)).every((n) => n.status === 'sent'),
      `all ${COUNT} are recorded sent`,
      40_000,
    );
    const doneAt = Date.now();
    await settle(1_000); // a sweep or two more: nothing sent again

    const copies = smtp.copies();
    expect([...copies.keys()].sort()).toEqual(ids.map((id) => `<${id}@aura>`).sort());
    expect([...copies.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(smtp.received).toHaveLength(COUNT);
    const stored = await storedNotifications(db);
    expect(stored.filter((n) => n.status !== 'sent' || n.attempts !== 1)).toEqual([]);

    const sentBy = (worker: typeof a) =>
      worker
        .output()
        .split('\n')
        .filter((line) => line.includes('notification delivery job done') && line.includes('"outcome":"sent"')).length;
    expect(sentBy(a) + sentBy(b)).toBe(COUNT);
    expect(sentBy(a)).toBeGreaterThan(0);
    expect(sentBy(b)).toBeGreaterThan(0);
    console.info(
      `[notifications two workers] ${COUNT} distinct Message-IDs, 1 copy each; A sent ${sentBy(a)}, B ${sentBy(b)}; ` +
        `queued in ${queuedAt - startedAt} ms, all sent ${doneAt - startedAt} ms after the first send`,
    );
  });
});
