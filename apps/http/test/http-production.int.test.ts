/**
 * The same HTTP surface in production mode: PostgreSQL, BullMQ on Redis, and a worker, so a
 * request's event crosses a real queue to a real handler.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../../../packages/adapters/src/platform/config/config.js';
import { type Aura, createAura } from '../../../packages/adapters/src/platform/create-aura.js';
import { auditEntries, auditModule, ledgerModule } from '../../../packages/adapters/test/fixtures/fixture-modules.js';
import { waitUntil } from '../../../packages/adapters/test/support/wait.js';
import { createPostgresDatabase, hasPostgres, hasRedis, redisUrl, uniqueName } from '../../../test/support/services.js';
import { testSigningKey } from '../../../test/support/signing-key.js';
import { createHttpApp } from '../src/app.js';
import { ledgerHttpModule } from './fixtures/ledger.http.js';
import { testKeys } from './support/tokens.js';

describe.runIf(hasPostgres && hasRedis)('HTTP in production mode (PostgreSQL + BullMQ + worker)', () => {
  let aura: Aura;
  let app: Awaited<ReturnType<typeof createHttpApp>>['app'];
  let drop: () => Promise<void>;
  let token: string;

  beforeAll(async () => {
    const keys = await testKeys();
    const database = await createPostgresDatabase();
    drop = database.drop;
    aura = await createAura({
      config: configFrom({
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        DATABASE_MIGRATE_ON_START: 'true',
        REDIS_URL: redisUrl ?? '',
        QUEUE_PREFIX: uniqueName('http'),
        AUTH_JWKS: keys.jwks,
        AUTH_SIGNING_KEY: await testSigningKey(),
        SMTP_URL: 'smtp://127.0.0.1:2525',
        OUTBOX_POLL_INTERVAL_MS: '20',
      }),
      modules: [ledgerModule, auditModule()],
    });
    await aura.startWorker();
    ({ app } = await createHttpApp(aura, { modules: [ledgerHttpModule] }));
    token = await keys.sign({ roles: ['admin'] });
  });
  afterAll(async () => {
    await aura?.close();
    await drop?.();
  });

  it('does not serve the development mailbox, and publishes the configured signing key', async () => {
    expect((await request(app).get('/dev/mailbox')).status).toBe(404);
    expect((await request(app).get('/openapi.json')).body.paths['/dev/mailbox']).toBeUndefined();
    const jwks = await request(app).get('/.well-known/jwks.json');
    expect(jwks.body.keys.map((key: { kid: string }) => key.kid)).toEqual(['aura-test-signing-key', 'test-key-1']);
    expect(JSON.stringify(jwks.body)).not.toContain('"d"');
  });

  it('is ready on PostgreSQL and Redis', async () => {
    const res = await request(app).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.checks).toMatchObject({ database: { details: { kind: 'postgres' } }, queue: { details: { kind: 'redis' } } });
  });

  it('commits a request’s change and event, and a worker handles the event through BullMQ with the request’s correlation id', async () => {
    const res = await request(app)
      .post('/api/ledger/accounts')
      .set('authorization', `Bearer ${token}`)
      .set('x-correlation-id', 'prod-corr-1')
      .send({ owner: 'production' });
    expect(res.status).toBe(201);
    await waitUntil(async () => (await auditEntries(aura.database.db)).length === 2, 'both subscribers handled it');
    const entries = await auditEntries(aura.database.db);
    expect(entries.map((e) => e.correlation_id)).toEqual(['prod-corr-1', 'prod-corr-1']);
    expect(await aura.metrics.registry.metrics()).toMatch(/aura_jobs_total{queue="audit.events",outcome="completed"} 2/);
  });

  it('answers client mistakes with problem+json here too', async () => {
    const res = await request(app).post('/api/ledger/accounts').set('authorization', `Bearer ${token}`).send({ owner: 42 });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.errors).toEqual([{ in: 'body', pointer: '#/owner', detail: expect.any(String) }]);
    const list = await request(app).get('/api/admin/dead-letters').set('authorization', `Bearer ${token}`);
    expect(list.body).toEqual({ items: [], nextCursor: null });
  });
});
