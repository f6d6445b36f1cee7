import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { platformModule } from '../../../src/platform/aura-module.js';
import { migrateToLatest } from '../../../src/platform/db/migrate.js';
import { TransactionManager } from '../../../src/platform/db/transactions.js';
import { KyselyIdempotencyStore } from '../../../src/platform/idempotency/kysely-idempotency.store.js';
import { handleTargets, type OpenTestDatabase } from '../../support/handles.js';

const DAY = { ttlMs: 24 * 3_600_000, staleMs: 60_000 };
const at = (iso: string) => new Date(iso);
const request = (overrides: Partial<{ scope: string; key: string; fingerprint: string; path: string }> = {}) => ({
  scope: 'user-1',
  key: 'key-1',
  method: 'POST',
  path: '/api/things',
  fingerprint: 'sha256:aaa',
  ...overrides,
});

describe.each(handleTargets)('KyselyIdempotencyStore on $name', (target) => {
  let database: OpenTestDatabase;
  let store: KyselyIdempotencyStore;
  beforeAll(async () => {
    database = await target.open();
    await migrateToLatest(database.handle.db, [platformModule]);
    store = new KyselyIdempotencyStore(new TransactionManager(database.handle.db));
  });
  afterAll(() => database.cleanup());
  beforeEach(async () => {
    await database.handle.db.deleteFrom('platform.idempotency_keys').execute();
  });

  it('lets the first request claim a key, tells a duplicate it is in progress, then replays the response', async () => {
    const now = at('2026-11-21T10:00:00Z');
    expect(await store.begin(request(), now, DAY)).toEqual({ outcome: 'started' });
    expect(await store.begin(request(), now, DAY)).toEqual({ outcome: 'in_progress' });
    await store.complete('user-1', 'key-1', { status: 201, body: { id: 'x', nested: [1, 2] } }, now);
    expect(await store.begin(request(), now, DAY)).toEqual({
      outcome: 'replay',
      response: { status: 201, body: { id: 'x', nested: [1, 2] } },
    });
  });

  it('purges the keys created before a time, completed or not, and keeps the newer ones', async () => {
    await store.begin(request({ key: 'old-done' }), at('2026-11-20T09:00:00Z'), DAY);
    await store.complete('user-1', 'old-done', { status: 201, body: null }, at('2026-11-20T09:00:01Z'));
    await store.begin(request({ key: 'old-open' }), at('2026-11-20T09:30:00Z'), DAY);
    await store.begin(request({ key: 'new' }), at('2026-11-21T09:30:00Z'), DAY);
    expect(await store.purgeCreatedBefore(at('2026-11-20T10:00:00Z'))).toBe(2);
    const left = await database.handle.db.selectFrom('platform.idempotency_keys').select('key').execute();
    expect(left).toEqual([{ key: 'new' }]);
  });

  it('refuses the same key for another request (body, path)', async () => {
    const now = at('2026-11-21T10:00:00Z');
    await store.begin(request(), now, DAY);
    expect(await store.begin(request({ fingerprint: 'sha256:bbb' }), now, DAY)).toEqual({ outcome: 'mismatch' });
    expect(await store.begin(request({ path: '/api/other' }), now, DAY)).toEqual({ outcome: 'mismatch' });
  });

  it('keeps the keys of different callers apart', async () => {
    const now = at('2026-11-21T10:00:00Z');
    expect(await store.begin(request(), now, DAY)).toEqual({ outcome: 'started' });
    expect(await store.begin(request({ scope: 'user-2' }), now, DAY)).toEqual({ outcome: 'started' });
  });

  it('forgets a released claim (the request failed with a fault) but never a completed one', async () => {
    const now = at('2026-11-21T10:00:00Z');
    await store.begin(request(), now, DAY);
    await store.release('user-1', 'key-1');
    expect(await store.begin(request(), now, DAY)).toEqual({ outcome: 'started' });
    await store.complete('user-1', 'key-1', { status: 200, body: null }, now);
    await store.release('user-1', 'key-1');
    expect((await store.begin(request(), now, DAY)).outcome).toBe('replay');
  });

  it('lets a claim that never completed be taken over once stale, but not before', async () => {
    await store.begin(request(), at('2026-11-21T10:00:00Z'), DAY);
    expect(await store.begin(request(), at('2026-11-21T10:00:59Z'), DAY)).toEqual({ outcome: 'in_progress' });
    expect(await store.begin(request(), at('2026-11-21T10:01:01Z'), DAY)).toEqual({ outcome: 'started' });
  });

  it('lets an expired key be claimed afresh', async () => {
    await store.begin(request(), at('2026-11-21T10:00:00Z'), DAY);
    await store.complete('user-1', 'key-1', { status: 201, body: { id: 'old' } }, at('2026-11-21T10:00:01Z'));
    expect(await store.begin(request({ fingerprint: 'sha256:new' }), at('2026-11-22T10:00:01Z'), DAY)).toEqual({
      outcome: 'started',
    });
  });

  it('lets exactly one of many concurrent requests claim a key', async () => {
    const now = at('2026-11-21T10:00:00Z');
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.begin(request(), now, DAY)));
    expect(outcomes.filter((o) => o.outcome === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in_progress')).toHaveLength(19);
  });
});
