import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../../../packages/adapters/src/platform/config/config.js';
import { type Aura, createAura } from '../../../packages/adapters/src/platform/create-aura.js';
import { auditModule, ledgerModule } from '../../../packages/adapters/test/fixtures/fixture-modules.js';
import { createHttpApp } from '../src/app.js';
import { ledgerHttpModule } from './fixtures/ledger.http.js';
import { testKeys } from './support/tokens.js';

let aura: Aura;
let app: Awaited<ReturnType<typeof createHttpApp>>['app'];
let alice: string;
let bob: string;

beforeAll(async () => {
  const keys = await testKeys();
  aura = await createAura({ config: configFrom({ AUTH_JWKS: keys.jwks }), modules: [ledgerModule, auditModule()] });
  ({ app } = await createHttpApp(aura, { modules: [ledgerHttpModule] }));
  alice = await keys.sign({ sub: '0190aaaa-bbbb-7ccc-8ddd-00000000a11c', roles: ['patient'] });
  bob = await keys.sign({ sub: '0190aaaa-bbbb-7ccc-8ddd-0000000000b0', roles: ['patient'] });
});
afterAll(() => aura.close());

const accounts = async (owner: string) =>
  (await aura.database.db.selectFrom('ledger.accounts').selectAll().where('owner', '=', owner).execute()).length;
const open = (token: string, key: string | undefined, body: unknown) => {
  const req = request(app).post('/api/ledger/accounts').set('authorization', `Bearer ${token}`);
  return (key === undefined ? req : req.set('idempotency-key', key)).send(body as object);
};

describe('Idempotency-Key', () => {
  it('runs a write once and replays its response to a retry', async () => {
    const first = await open(alice, 'k-replay', { owner: 'replayed' });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retry = await open(alice, 'k-replay', { owner: 'replayed' });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await accounts('replayed')).toBe(1);
  });

  it('treats the same body with its keys in another order as the same request', async () => {
    await open(alice, 'k-order', { owner: 'ordered', limits: [] });
    const retry = await open(alice, 'k-order', { limits: [], owner: 'ordered' });
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await accounts('ordered')).toBe(1);
  });

  it('refuses the same key for a different request with 422', async () => {
    await open(alice, 'k-mismatch', { owner: 'first' });
    const other = await open(alice, 'k-mismatch', { owner: 'second' });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('urn:aura:problem:idempotency_key_reused');
    expect(await accounts('second')).toBe(0);
  });

  it('creates one account for 10 concurrent requests with one key; the others replay or are told to retry', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => open(alice, 'k-race', { owner: 'raced' })));
    const fresh = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined);
    expect(fresh).toHaveLength(1);
    for (const r of responses) {
      expect([201, 409]).toContain(r.status);
      if (r.status === 409) {
        expect(r.body.type).toBe('urn:aura:problem:idempotency_key_in_use');
        expect(r.headers['retry-after']).toBe('1');
      } else {
        expect(r.body).toEqual(fresh[0]?.body);
      }
    }
    expect(await accounts('raced')).toBe(1);
  });

  it('replays a refusal too, as the same problem', async () => {
    const first = await open(alice, 'k-refused', { owner: 'reject-this' });
    expect(first.status).toBe(409);
    const retry = await open(alice, 'k-refused', { owner: 'reject-this' });
    expect(retry.status).toBe(409);
    expect(retry.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
  });

  it('keeps each caller’s keys apart, and runs without a key as usual', async () => {
    await open(alice, 'k-shared', { owner: 'alice-acct' });
    const bobs = await open(bob, 'k-shared', { owner: 'bob-acct' });
    expect(bobs.status).toBe(201);
    expect(bobs.headers['idempotent-replayed']).toBeUndefined();
    await open(alice, undefined, { owner: 'no-key' });
    await open(alice, undefined, { owner: 'no-key' });
    expect(await accounts('no-key')).toBe(2);
  });

  it('answers a malformed key with 400 naming the header', async () => {
    const res = await open(alice, 'has spaces', { owner: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ in: 'headers', pointer: '#/Idempotency-Key', detail: expect.any(String) }]);
    expect((await open(alice, 'x'.repeat(256), { owner: 'x' })).status).toBe(400);
  });

  it('does not keep a fault: a retry after a 500 runs again', async () => {
    const fault = () =>
      request(app).post('/api/ledger/fault').set('authorization', `Bearer ${alice}`).set('idempotency-key', 'k-fault').send({});
    expect((await fault()).status).toBe(500);
    const retry = await fault();
    expect(retry.status).toBe(500);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const rows = await aura.database.db
      .selectFrom('platform.idempotency_keys')
      .selectAll()
      .where('key', '=', 'k-fault')
      .execute();
    expect(rows).toEqual([]);
  });

  it('is documented on the operation', async () => {
    const doc = (await request(app).get('/openapi.json')).body;
    const operation = doc.paths['/api/ledger/accounts'].post;
    expect(operation.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: false }),
    );
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['409', '422']));
  });
});
