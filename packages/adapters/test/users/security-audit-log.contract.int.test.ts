/**
 * The behaviour every SecurityAuditLog must have, run against the in-memory log, PGlite and
 * PostgreSQL (not optional: without it the suite fails).
 */
import { InMemorySecurityAuditLog, type SecurityAuditLog, type SecurityEvent } from '@aura/application/users';
import { describe, expect, it } from 'vitest';
import { KyselySecurityAuditLog } from '../../src/users/kysely-security-audit.log.js';
import { contractTargets, ids, useContractTarget } from './users-test-support.js';

const targets = contractTargets<SecurityAuditLog>({
  inMemory: () => new InMemorySecurityAuditLog(),
  sql: (database) => new KyselySecurityAuditLog(database.transactions),
});

const T0 = new Date('2026-11-22T10:00:00.250Z');

function event(overrides: Partial<SecurityEvent> = {}): SecurityEvent {
  return {
    id: ids.next(),
    type: 'login_failed',
    userId: null,
    actorId: null,
    ip: null,
    userAgent: null,
    correlationId: null,
    details: {},
    occurredAt: T0,
    ...overrides,
  };
}

describe.each(targets)('SecurityAuditLog contract: $name', (target) => {
  let log: SecurityAuditLog;
  useContractTarget(target, (fresh) => {
    log = fresh;
  });

  it('records events with every field, and lists them newest first', async () => {
    const userId = ids.next();
    const first = event({ type: 'registered', userId, details: { role: 'patient' } });
    const second = event({
      type: 'user_deactivated',
      userId,
      actorId: ids.next(),
      ip: '2001:db8::1',
      userAgent: 'curl/8.5',
      correlationId: 'req-42',
      details: { reason: 'spam', failures: 3, permanent: false, note: null, ratio: 0.5, text: 'quotes " and \\ and ünïcödé' },
      occurredAt: new Date('2026-11-22T10:00:01.999Z'),
    });
    const third = event({ type: 'login_failed', details: { reason: 'unknown_email' } });
    for (const e of [first, second, third]) await log.record(e);

    expect(await log.list({ limit: 10 })).toEqual({ items: [third, second, first], nextCursor: null });
  });

  it('filters by user', async () => {
    const ann = ids.next();
    const bob = ids.next();
    const events = [event({ userId: ann }), event({ userId: bob }), event(), event({ userId: ann, type: 'login_succeeded' })];
    for (const e of events) await log.record(e);
    expect((await log.list({ userId: ann, limit: 10 })).items.map((e) => e.id)).toEqual([events[3]?.id, events[0]?.id]);
    expect((await log.list({ userId: bob, limit: 10 })).items.map((e) => e.id)).toEqual([events[1]?.id]);
    expect(await log.list({ userId: ids.next(), limit: 10 })).toEqual({ items: [], nextCursor: null });
  });

  it('pages with the cursor, newest first, without duplicates or gaps', async () => {
    const userId = ids.next();
    const events = Array.from({ length: 8 }, (_, i) => event({ userId: i % 4 === 3 ? null : userId, details: { n: i } }));
    for (const e of events) await log.record(e);

    const collect = async (filter: { userId?: string }, limit: number) => {
      const pages: SecurityEvent[][] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i += 1) {
        const page = await log.list({ ...filter, limit, ...(cursor === undefined ? {} : { cursor }) });
        pages.push([...page.items]);
        if (page.nextCursor === null) return pages;
        expect(page.nextCursor).toBe(page.items.at(-1)?.id);
        cursor = page.nextCursor;
      }
      throw new Error('paging did not end');
    };

    const all = await collect({}, 3);
    expect(all.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(all.flat()).toEqual([...events].reverse());

    const mine = await collect({ userId }, 2);
    expect(mine.map((p) => p.length)).toEqual([2, 2, 2]);
    expect(mine.flat()).toEqual(events.filter((e) => e.userId === userId).reverse());
  });

  it('keeps its entries apart from the objects it was given and returned', async () => {
    const original = event({ details: { reason: 'original' } });
    await log.record(original);
    const listed = (await log.list({ limit: 1 })).items[0];
    (listed?.details as Record<string, unknown>).reason = 'changed';
    (original.details as Record<string, unknown>).reason = 'changed too';
    expect((await log.list({ limit: 1 })).items[0]?.details).toEqual({ reason: 'original' });
  });
});
