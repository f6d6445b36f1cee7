/**
 * PostgreSQL restarted and stopped under load, with the production topology: an HTTP process
 * and a worker process (the real entry points) on PostgreSQL + Redis, sending email to a real
 * SMTP server. No process exits, requests during the outage are 503 with Retry-After (never
 * 500), each outage is logged once per process, and every registration that was answered 201
 * gets its verification email once the database is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../packages/adapters/test/support/wait.js';
import { type AppProcess, listeningUrl, startApp } from '../../../test/support/app-processes.js';
import { type OwnPostgres, startOwnPostgres } from '../../../test/support/own-servers.js';
import { hasRedis, redisUrl, uniqueName } from '../../../test/support/services.js';
import { type SmtpSink, startSmtpSink } from './notifications/smtp-sink.js';

const PASSWORD = 'correct horse battery staple violet';

describe.runIf(hasRedis)('PostgreSQL restarts under load (HTTP and worker processes)', () => {
  let pg: OwnPostgres;
  let sink: SmtpSink;
  let http: AppProcess;
  let worker: AppProcess;
  let baseUrl: string;

  beforeAll(async () => {
    [pg, sink] = await Promise.all([startOwnPostgres(), startSmtpSink()]);
    const env = {
      DATABASE_URL: pg.url,
      DATABASE_MIGRATE_ON_START: 'true',
      REDIS_URL: redisUrl ?? '',
      QUEUE_PREFIX: uniqueName('restart'),
      SMTP_URL: sink.url,
      OUTBOX_POLL_INTERVAL_MS: '50',
      AUTH_RATE_LIMIT_MAX: '1000000',
      AUTH_ACCOUNT_EMAIL_INTERVAL_S: '0',
      NOTIFICATIONS_RETRY_BACKOFF_MS: '200',
      NOTIFICATIONS_SWEEP_INTERVAL_S: '2',
    };
    http = startApp('http', { ...env, PORT: '0' });
    worker = startApp('worker', env);
    baseUrl = await listeningUrl(http, 60_000);
    await worker.waitFor(/"msg":"Aura worker running"/, 60_000);
  });

  afterAll(async () => {
    await Promise.all([http?.kill(), worker?.kill()]);
    await sink?.close();
    await pg?.remove();
  });

  it('keeps both processes running, answers 503 during outages, and delivers every accepted registration', async () => {
    const accepted: string[] = [];
    const statuses = new Map<number, number>();
    let running = true;
    let n = 0;
    const client = async () => {
      while (running) {
        const email = `restart.${n++}.${uniqueName('u').slice(2)}@example.com`;
        try {
          const res = await fetch(`${baseUrl}/api/auth/register`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password: PASSWORD, displayName: 'Restart Test' }),
          });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 201) accepted.push(email);
          if (res.status === 503) {
            expect(res.headers.get('retry-after')).toBe('5');
            expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          }
          await res.arrayBuffer().catch(() => undefined);
        } catch (error) {
          statuses.set(-1, (statuses.get(-1) ?? 0) + 1);
          throw error;
        }
      }
    };
    const clients = Promise.all(Array.from({ length: 4 }, client));

    await waitUntil(() => accepted.length >= 8, 'registrations before the restarts', 30_000);
    await pg.restart();
    await waitUntil(() => accepted.length >= 16, 'registrations after the first restart', 30_000);
    // A longer outage: the server is down until started again.
    await pg.stop();
    const during = (statuses.get(503) ?? 0) + 1;
    await waitUntil(() => (statuses.get(503) ?? 0) >= during + 4, 'requests answered 503 during the outage', 30_000);
    await pg.start();
    await waitUntil(() => accepted.length >= 30, 'registrations after the outage', 30_000);
    running = false;
    await clients;

    expect(http.alive()).toBe(true);
    expect(worker.alive()).toBe(true);
    expect([...statuses.keys()].sort()).toEqual([201, 503]);

    // Every accepted registration's verification email reaches the SMTP server.
    const delivered = () => new Set(sink.received.flatMap((email) => email.to.map((to) => to.toLowerCase())));
    await waitUntil(
      () => accepted.every((email) => delivered().has(email)),
      `verification emails for all ${accepted.length} accepted registrations`,
      60_000,
    );

    for (const app of [http, worker]) {
      const logs = app.logs();
      expect(
        logs.filter((l) => l.level === 'error' || l.level === 'fatal'),
        app.output(),
      ).toEqual([]);
      const outages = logs.filter((l) => l.msg === 'database unavailable').length;
      const recoveries = logs.filter((l) => l.msg === 'database available again').length;
      expect(outages).toBeGreaterThanOrEqual(1);
      expect(recoveries).toBe(outages);
      // Not once per request, retry or relay run.
      expect(outages).toBeLessThanOrEqual(4);
    }
  });
});
