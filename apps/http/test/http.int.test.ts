import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../../../packages/adapters/src/platform/config/config.js';
import { type Aura, createAura } from '../../../packages/adapters/src/platform/create-aura.js';
import { auditEntries, auditModule, ledgerModule } from '../../../packages/adapters/test/fixtures/fixture-modules.js';
import { waitUntil } from '../../../packages/adapters/test/support/wait.js';
import { createHttpApp, HttpModuleNotInstalledError } from '../src/app.js';
import { ledgerHttpModule } from './fixtures/ledger.http.js';
import { testKeys } from './support/tokens.js';

let aura: Aura;
let app: Awaited<ReturnType<typeof createHttpApp>>['app'];
let keys: Awaited<ReturnType<typeof testKeys>>;
let patient: string;
let admin: string;

beforeAll(async () => {
  keys = await testKeys();
  aura = await createAura({
    config: configFrom({ AUTH_JWKS: keys.jwks, HTTP_BODY_LIMIT: '2kb', OUTBOX_POLL_INTERVAL_MS: '20' }),
    modules: [ledgerModule, auditModule()],
  });
  await aura.startWorker();
  ({ app } = await createHttpApp(aura, { modules: [ledgerHttpModule] }));
  patient = await keys.sign({ roles: ['patient'] });
  admin = await keys.sign({ roles: ['admin'] });
});
afterAll(() => aura.close());

const expectProblem = (res: request.Response, status: number, type: string) => {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `urn:aura:problem:${type}`, status, requestId: res.headers['x-request-id'] });
  expect(typeof res.body.title).toBe('string');
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+|stack/);
};

describe('problem+json for every client mistake', () => {
  it('answers an unknown route with 404', async () => {
    const res = await request(app).get('/api/nowhere');
    expectProblem(res, 404, 'not_found');
    expect(res.body.instance).toBe('/api/nowhere');
  });

  it('answers malformed JSON with 400, before anything else runs', async () => {
    const res = await request(app).post('/api/ledger/accounts').set('content-type', 'application/json').send('{"owner": ');
    expectProblem(res, 400, 'malformed_json');
  });

  it('answers a body over the limit with 413 and another media type with 415', async () => {
    const big = await request(app)
      .post('/api/ledger/accounts')
      .set('authorization', `Bearer ${patient}`)
      .send({ owner: 'x'.repeat(5_000) });
    expectProblem(big, 413, 'payload_too_large');
    const text = await request(app)
      .post('/api/ledger/accounts')
      .set('authorization', `Bearer ${patient}`)
      .set('content-type', 'text/plain')
      .send('owner=x');
    expectProblem(text, 415, 'unsupported_media_type');
  });

  it('lists every failing field with its location and JSON pointer', async () => {
    const res = await request(app)
      .post('/api/ledger/accounts')
      .set('authorization', `Bearer ${patient}`)
      .send({ owner: '', limits: [{ currency: 'EURO', amount: -1 }], extra: true });
    expectProblem(res, 400, 'validation_failed');
    const pointers = res.body.errors.map((e: { in: string; pointer: string }) => `${e.in}:${e.pointer}`).sort();
    expect(pointers).toEqual(['body:#/extra', 'body:#/limits/0/amount', 'body:#/limits/0/currency', 'body:#/owner']);
    for (const error of res.body.errors) expect(error.detail).toEqual(expect.any(String));
  });

  it('rejects a missing body and non-object bodies as validation errors, not faults', async () => {
    for (const body of [undefined, [], 'text', 42, null]) {
      const req = request(app)
        .post('/api/ledger/accounts')
        .set('authorization', `Bearer ${patient}`)
        .set('content-type', 'application/json');
      const res = await (body === undefined ? req : req.send(JSON.stringify(body)));
      expect([400]).toContain(res.status);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
  });

  it('validates params and query too', async () => {
    const bad = await request(app).post('/api/admin/dead-letters/not-a-uuid/replay').set('authorization', `Bearer ${admin}`);
    expectProblem(bad, 400, 'validation_failed');
    expect(bad.body.errors[0]).toMatchObject({ in: 'params', pointer: '#/id' });
    const query = await request(app)
      .get('/api/admin/dead-letters?limit=0&status=lost&surprise=1')
      .set('authorization', `Bearer ${admin}`);
    expectProblem(query, 400, 'validation_failed');
    expect(query.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['#/limit', '#/status', '#/surprise']);
  });

  it('escapes pointers to awkward field names (RFC 6901 in a URI fragment)', async () => {
    const res = await request(app)
      .post('/api/ledger/accounts')
      .set('authorization', `Bearer ${patient}`)
      .send({ owner: 'ok', 'a/b c~d': 1 });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors).toEqual([{ in: 'body', pointer: '#/a~1b%20c~0d', detail: 'is not a known field' }]);
  });

  it('answers a malformed percent-escape in the path with 400, not a fault', async () => {
    expectProblem(await request(app).post('/api/admin/dead-letters/%/replay'), 400, 'bad_request');
    expectProblem(await request(app).post('/api/admin/dead-letters/%E0%A4%A/replay'), 400, 'bad_request');
  });

  it('maps a domain error to its documented status', async () => {
    const res = await request(app)
      .post('/api/ledger/accounts')
      .set('authorization', `Bearer ${patient}`)
      .send({ owner: 'reject-me' });
    expectProblem(res, 409, 'ledger.rejected');
    expect(res.body.detail).toBe('rejected');
  });

  it('hides the internals of a fault behind a 500 that carries only the request id', async () => {
    const res = await request(app).get('/api/ledger/fault');
    expectProblem(res, 500, 'internal');
    expect(JSON.stringify(res.body)).not.toMatch(/SELECT|password|ledger\.secret|Error/);
  });
});

describe('authentication', () => {
  it('refuses a missing, malformed, forged or expired token with 401 and a challenge', async () => {
    const other = await testKeys();
    const cases = [
      undefined,
      'Basic dXNlcjpwYXNz',
      'Bearer not.a.token',
      `Bearer ${await other.sign({ roles: ['admin'] })}`,
      `Bearer ${await keys.sign({ roles: ['admin'] }, { expiresIn: '-1m' })}`,
      `Bearer ${await keys.sign({ roles: ['admin'] }, { issuer: 'someone-else' })}`,
      `Bearer ${await keys.sign({ roles: ['admin'], type: 'refresh' })}`,
    ];
    for (const authorization of cases) {
      const req = request(app).get('/api/admin/dead-letters');
      const res = await (authorization === undefined ? req : req.set('authorization', authorization));
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('refuses a token whose payload was tampered with, and alg "none"', async () => {
    const [header, , signature] = admin.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ sub: 'x', type: 'access', roles: ['admin'], iss: 'aura', aud: 'aura-api', exp: 9999999999 }),
    ).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${forgedPayload}.`;
    for (const token of [`${header}.${forgedPayload}.${signature}`, none]) {
      expectProblem(
        await request(app).get('/api/admin/dead-letters').set('authorization', `Bearer ${token}`),
        401,
        'unauthorized',
      );
    }
  });

  it('accepts the Bearer scheme in any case (RFC 7235)', async () => {
    expect((await request(app).get('/api/admin/dead-letters').set('authorization', `bearer ${admin}`)).status).toBe(200);
  });

  it('refuses a patient on an admin route with 403 and lets an admin in', async () => {
    expectProblem(
      await request(app).get('/api/admin/dead-letters').set('authorization', `Bearer ${patient}`),
      403,
      'platform.forbidden',
    );
    const res = await request(app).get('/api/admin/dead-letters').set('authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it('answers replay of an unknown dead letter with 404', async () => {
    const res = await request(app)
      .post('/api/admin/dead-letters/0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee/replay')
      .set('authorization', `Bearer ${admin}`);
    expectProblem(res, 404, 'platform.dead_letter_not_found');
  });
});

describe('request ids and correlation', () => {
  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const ok = await request(app).get('/health/live').set('x-request-id', 'req-123');
    expect(ok.headers['x-request-id']).toBe('req-123');
    const bad = await request(app).get('/health/live').set('x-request-id', 'bad id with spaces <script>');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ignores an invalid traceparent (version ff, all-zero ids)', async () => {
    for (const traceparent of [
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    ]) {
      const res = await request(app).get('/health/live').set('traceparent', traceparent);
      expect(res.headers['x-correlation-id']).toBe(res.headers['x-request-id']);
    }
  });

  it('sends security headers on API responses', async () => {
    const res = await request(app).get('/api/nowhere');
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringContaining('max-age='),
      'content-security-policy': expect.stringContaining("default-src 'self'"),
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('takes the correlation id from traceparent and carries it into the events the request causes', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await request(app)
      .post('/api/ledger/accounts')
      .set('authorization', `Bearer ${patient}`)
      .set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`)
      .send({ owner: 'traced' });
    expect(res.status).toBe(201);
    expect(res.headers['x-correlation-id']).toBe(traceId);
    const [row] = await aura.database.db
      .selectFrom('platform.outbox')
      .selectAll()
      .where('aggregate_id', '=', res.body.id)
      .execute();
    expect(row?.metadata).toEqual({
      correlationId: traceId,
      causationId: res.headers['x-request-id'],
      userId: '0190aaaa-bbbb-7ccc-8ddd-000000000001',
    });
    await waitUntil(
      async () => (await auditEntries(aura.database.db, 'audit.record-opened')).some((e) => e.owner === 'traced'),
      'handled',
    );
    const entry = (await auditEntries(aura.database.db, 'audit.record-opened')).find((e) => e.owner === 'traced');
    expect(entry?.correlation_id).toBe(traceId);
  });
});

describe('operations endpoints', () => {
  it('serves liveness, readiness with each dependency and module, and Prometheus metrics', async () => {
    expect((await request(app).get('/health/live')).body).toEqual({ status: 'up' });
    const ready = await request(app).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks).sort()).toEqual([
      'database',
      'module:audit',
      'module:ledger',
      'module:platform',
      'queue',
    ]);
    const metrics = await request(app).get('/metrics');
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.text).toMatch(
      /aura_http_request_duration_seconds_count{method="GET",route="\/health\/ready",status="200"} \d+/,
    );
    expect(metrics.text).toMatch(/aura_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}/);
    expect(metrics.text).toMatch(/aura_outbox_backlog \d+/);
    expect(metrics.text).toMatch(/aura_outbox_lag_seconds /);
    expect(metrics.text).toMatch(/aura_dead_letters \d+/);
  });

  it('publishes a valid OpenAPI 3.1 document with auth and problem responses, and a docs page', async () => {
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const open = res.body.paths['/api/ledger/accounts'].post;
    expect(open.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(open.responses).sort()).toEqual(['201', '400', '401', '409', '413', '415', '422', '431', '500', '503']);
    expect(open.responses['503'].headers['Retry-After']).toBeDefined();
    expect(open.responses['409'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/Problem');
    expect(res.body.paths['/api/admin/dead-letters/{id}/replay'].post.responses['403']).toBeDefined();
    const docs = await request(app).get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    expect((await request(app).get('/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });

  it('refuses routes for a module that is not installed', async () => {
    const bare = await createAura({ config: configFrom() });
    try {
      await expect(createHttpApp(bare, { modules: [ledgerHttpModule] })).rejects.toThrow(HttpModuleNotInstalledError);
    } finally {
      await bare.close();
    }
  });

  it('reports 503 when the database is down', async () => {
    const doomed = await createAura({ config: configFrom() });
    const { app: doomedApp } = await createHttpApp(doomed);
    await doomed.database.close();
    const res = await request(doomedApp).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('down');
    expect(res.body.checks.database.status).toBe('down');
    expect(res.body.checks.queue.status).toBe('up');
    const metrics = await request(doomedApp).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/aura_outbox_backlog Nan/i);
    expect(metrics.text).toMatch(/aura_http_request_duration_seconds_count/);
    await doomed.close().catch(() => undefined);
  });
});
