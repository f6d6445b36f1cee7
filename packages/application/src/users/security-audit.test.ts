import { beforeEach, describe, expect, it } from 'vitest';
import { type UsersTestBed, usersTestBed } from '../../test/users/fakes.js';
import { SecurityAudit } from './security-audit.js';

let bed: UsersTestBed;

beforeEach(() => {
  bed = usersTestBed();
});

describe('SecurityAudit', () => {
  it('writes an event with a new id, the time, the correlation id and the client', async () => {
    await bed.get(SecurityAudit).record('logout', {
      userId: 'u-1',
      actorId: 'a-1',
      client: { ip: '192.0.2.1', userAgent: 'agent' },
      details: { familyId: 'f-1' },
    });
    expect(bed.auditLog.events).toEqual([
      {
        id: bed.ids.issued[0],
        type: 'logout',
        userId: 'u-1',
        actorId: 'a-1',
        ip: '192.0.2.1',
        userAgent: 'agent',
        correlationId: 'corr-1',
        details: { familyId: 'f-1' },
        occurredAt: bed.clock.now(),
      },
    ]);
  });

  it('writes nulls and empty details for what it was not told, and no correlation id outside any scope', async () => {
    bed.context.scope = undefined;
    await bed.get(SecurityAudit).record('login_failed');
    await bed.get(SecurityAudit).record('login_failed', { client: {} });
    for (const event of bed.auditLog.events) {
      expect(event).toMatchObject({ userId: null, actorId: null, ip: null, userAgent: null, correlationId: null, details: {} });
    }
  });

  it('keeps at most 512 characters of a user agent', async () => {
    await bed.get(SecurityAudit).record('login_failed', { client: { userAgent: 'x'.repeat(2000) } });
    expect(bed.auditLog.events[0]?.userAgent).toBe('x'.repeat(512));
  });
});
