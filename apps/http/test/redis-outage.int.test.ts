/**
 * A Redis outage under a running process (HTTP, relay and BullMQ workers on PostgreSQL +
 * Redis): writes that only touch the database go on, requests that must enqueue get 503 with
 * Retry-After, the outage is logged once when it starts and once when it ends (not once per
 * reconnection attempt of every connection), and work committed meanwhile is delivered after.
 */
import { auraModules } from '@aura/adapters';
import { type Aura, configFrom, createAura } from '@aura/adapters/platform';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../packages/adapters/test/support/wait.js';
import { type OwnRedis, startOwnRedis } from '../../../test/support/own-servers.js';
import { createPostgresDatabase, uniqueName } from '../../../test/support/services.js';
import { createHttpApp } from '../src/app.js';
import { httpModules } from '../src/http-modules.js';
import { mails, PASSWORD, register, uniqueEmail } from './users/users-e2e-support.js';

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

describe('a Redis outage under a running process', () => {
  let redis: OwnRedis;
  let database: { url: string; drop: () => Promise<void> };
  let aura: Aura;
  let app: Express;
  const lines: string[] = [];
  const logged = () => lines.map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    [redis, database] = await Promise.all([startOwnRedis(), createPostgresDatabase()]);
    aura = await createAura({
      config: configFrom({
        DATABASE_URL: database.url,
        DATABASE_MIGRATE_ON_START: 'true',
        REDIS_URL: redis.url,
        QUEUE_PREFIX: uniqueName('outage'),
        OUTBOX_POLL_INTERVAL_MS: '20',
        AUTH_ACCOUNT_EMAIL_INTERVAL_S: '0',
        AUTH_RATE_LIMIT_MAX: '1000000',
        LOG_LEVEL: 'info',
      }),
      modules: auraModules,
      logDestination: { write: (line: string) => void lines.push(line) },
    });
    await aura.startWorker();
    ({ app } = await createHttpApp(aura, { modules: httpModules }));
  });

  afterAll(async () => {
    await aura?.close();
    await redis?.remove();
    await database?.drop();
  });

  it('goes on with database writes, answers 503 where it must enqueue, logs the outage once, and catches up', {
    timeout: 60_000,
  }, async () => {
    const before = await register(app);
    await waitUntil(async () => (await mails(app, before.email, 'verification')).length === 1, 'the first email');

    await redis.stop();
    // Registration writes the account and its event in one transaction: no Redis needed.
    const during = uniqueEmail('during');
    const registered = await request(app)
      .post('/api/auth/register')
      .send({ email: during, password: PASSWORD, displayName: 'During' });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    // Asking for another verification email enqueues a job: that needs Redis.
    const resend = await request(app).post('/api/auth/resend-verification').send({ email: before.email });
    expect(resend.status, JSON.stringify(resend.body)).toBe(503);
    expect(resend.headers['retry-after']).toBe('5');
    expect(resend.body).toMatchObject({ type: 'urn:aura:problem:service_unavailable' });
    await waitUntil(async () => logged().some((l) => l.msg === 'redis unavailable'), 'the outage to be logged');
    // Let every connection fail to reconnect a number of times.
    await waitUntil(
      async () => Number(/aura_dependency_up\{dependency="redis"\} (\d)/.exec(await aura.metrics.registry.metrics())?.[1]) === 0,
      'the gauge to show the outage',
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    await redis.start();
    await waitUntil(async () => logged().some((l) => l.msg === 'redis available again'), 'the recovery to be logged', 20_000);
    // The event committed during the outage is relayed and handled now.
    await waitUntil(
      async () => (await mails(app, during, 'verification')).length === 1,
      'the email of the registration made during the outage',
      20_000,
    );
    const resendAfter = await request(app).post('/api/auth/resend-verification').send({ email: before.email });
    expect(resendAfter.status).toBe(202);

    const outage = logged().filter((l) => l.dependency === 'redis' && l.level !== 'debug');
    expect(outage.map((l) => l.msg)).toEqual(['redis unavailable', 'redis available again']);
    expect(logged().filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    // Nothing warned once per reconnection attempt: besides the outage, only the few jobs that
    // were running when Redis came back empty (BullMQ finds their keys gone), once each.
    const warnings = logged().filter((l) => l.level === 'warn' && l.msg !== 'redis unavailable');
    for (const warning of warnings) expect(JSON.stringify(warning.err)).toMatch(/Missing (key|lock) for job/);
    expect(warnings.length).toBeLessThanOrEqual(5);
  });
});
