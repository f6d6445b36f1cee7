/**
 * A PostgreSQL outage, in process: the server is stopped under the running app and started
 * again. Requests meanwhile get 503 problem+json with Retry-After (never a 500, never a stack
 * trace), the outage is logged once when it starts and once when it ends, nothing exits, and
 * work committed before the outage is delivered after it.
 */
import { auraModules } from '@aura/adapters';
import { type Aura, configFrom, createAura } from '@aura/adapters/platform';
import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../packages/adapters/test/support/wait.js';
import { type OwnPostgres, startOwnPostgres } from '../../../test/support/own-servers.js';
import { createHttpApp } from '../src/app.js';
import { httpModules } from '../src/http-modules.js';
import { activeUser, bearer, login, mails, PASSWORD, uniqueEmail } from './users/users-e2e-support.js';

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

describe('a PostgreSQL outage under a running server', () => {
  let pg: OwnPostgres;
  let aura: Aura;
  let app: Express;
  const lines: string[] = [];
  const logged = () => lines.map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    pg = await startOwnPostgres();
    aura = await createAura({
      config: configFrom({
        DATABASE_URL: pg.url,
        DATABASE_MIGRATE_ON_START: 'true',
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
    await pg?.remove();
  });

  it('answers 503 with Retry-After while the database is away, logs the outage once, and recovers by itself', async () => {
    const user = await activeUser(app);
    const { accessToken } = await login(app, user.email, user.password);

    await pg.stop();
    const during = await Promise.all([
      ...Array.from({ length: 10 }, () => request(app).get('/api/users/me').set(bearer(accessToken))),
      ...Array.from({ length: 5 }, () =>
        request(app).post('/api/auth/register').send({ email: uniqueEmail(), password: PASSWORD, displayName: 'During' }),
      ),
      request(app).post('/api/auth/login').send({ email: user.email, password: user.password }),
    ]);
    for (const res of during) {
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toMatchObject({ type: 'urn:aura:problem:service_unavailable', status: 503 });
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+|ECONNREFUSED|postgres/i);
    }
    const ready = await request(app).get('/health/ready');
    expect(ready.status).toBe(503);
    await waitUntil(async () => logged().some((l) => l.msg === 'database unavailable'), 'the outage to be logged');

    await pg.start();
    await waitUntil(async () => logged().some((l) => l.msg === 'database available again'), 'the recovery to be logged', 20_000);
    // The same process serves and delivers again: a registration's email goes out.
    const after = uniqueEmail('after');
    const registered = await request(app)
      .post('/api/auth/register')
      .send({ email: after, password: PASSWORD, displayName: 'After' });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    await waitUntil(
      async () => (await mails(app, after, 'verification')).length === 1,
      'the verification email after the outage',
    );
    expect((await request(app).get('/api/users/me').set(bearer(accessToken))).status).toBe(200);
    expect((await request(app).get('/health/ready')).status).toBe(200);

    const outage = logged().filter((l) => l.msg === 'database unavailable' || l.msg === 'database available again');
    expect(outage.map((l) => l.msg)).toEqual(['database unavailable', 'database available again']);
    expect(outage[0]).toMatchObject({ level: 'warn', dependency: 'database' });
    expect(outage[1]).toMatchObject({ level: 'info', dependency: 'database' });
    // No request, job or relay run logged an error of its own, and no access line carries a stack.
    expect(logged().filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    expect(lines.filter((line) => line.includes('"stack"'))).toEqual([]);
    const metrics = await aura.metrics.registry.metrics();
    expect(metrics).toMatch(/aura_dependency_outages_total\{dependency="database"\} 1\b/);
    expect(metrics).toMatch(/aura_dependency_up\{dependency="database"\} 1\b/);
  });
});
