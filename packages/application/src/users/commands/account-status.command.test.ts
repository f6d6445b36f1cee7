import { beforeEach, describe, expect, it } from 'vitest';
import {
  actorOf,
  MINUTE,
  SECOND,
  STRONG_PASSWORD,
  type UsersTestBed,
  usersTestBed,
  verifiedToken,
} from '../../../test/users/fakes.js';
import type { Actor } from '../../platform/actor.js';
import type { UserView } from '../user.view.js';
import { UserAccessGuard } from '../user-access.guard.js';
import { DeactivateUser, ReactivateUser } from './account-status.command.js';
import { Login } from './login.command.js';

let bed: UsersTestBed;
let admin: Actor;
let user: UserView;

beforeEach(async () => {
  bed = usersTestBed();
  admin = actorOf(await bed.admin());
  user = await bed.activeUser({ email: 'ana@example.com' });
});

const GHOST = '0190aaaa-bbbb-7ccc-8ddd-999999999999';
const nonAdmins = (): Actor[] => [actorOf(user), { userId: 'x', roles: ['therapist'] }, { userId: 'y', roles: [] }];
const deactivate = (userId = user.id, actor = admin, reason?: string) =>
  bed.get(DeactivateUser).execute({ actor, userId, reason });
const reactivate = (userId = user.id, actor = admin) => bed.get(ReactivateUser).execute({ actor, userId });

describe('DeactivateUser', () => {
  it('deactivates the account, ends its sessions at once and records who did it and why', async () => {
    const login = () => bed.get(Login).execute({ email: 'ana@example.com', password: STRONG_PASSWORD });
    (await login())._unsafeUnwrap();
    (await login())._unsafeUnwrap();
    const issuedAt = new Date(Math.floor(bed.clock.now().getTime() / 1000) * 1000);
    bed.clock.advance(MINUTE);
    const client = { ip: '10.0.0.1', userAgent: 'admin-console' };
    const view = (
      await bed.get(DeactivateUser).execute({ actor: admin, userId: user.id, reason: 'asked to leave', client })
    )._unsafeUnwrap();
    expect(view).toMatchObject({ id: user.id, status: 'deactivated', deactivatedAt: bed.clock.now() });
    expect(bed.sessions.familiesOf(user.id).map((f) => f.revokedReason)).toEqual(['deactivated', 'deactivated']);
    expect(bed.users.published.at(-1)).toMatchObject({
      type: 'user.deactivated',
      data: { userId: user.id, deactivatedBy: admin.userId, reason: 'asked to leave' },
    });
    expect(bed.auditLog.events.at(-1)).toMatchObject({
      type: 'user_deactivated',
      userId: user.id,
      actorId: admin.userId,
      ip: '10.0.0.1',
      details: { reason: 'asked to leave', revokedSessions: 2 },
    });
    const guard = bed.get(UserAccessGuard);
    expect((await guard.admit(verifiedToken(actorOf(user), issuedAt))).isErr()).toBe(true);
    expect((await guard.admit(verifiedToken(actorOf(user), bed.clock.now()))).isErr()).toBe(true);
    expect((await login())._unsafeUnwrapErr().type).toBe('users.account_deactivated');
  });

  it('records a missing reason as null', async () => {
    (await deactivate())._unsafeUnwrap();
    expect(bed.users.published.at(-1)?.data).toMatchObject({ reason: null });
    expect(bed.auditLog.events.at(-1)?.details).toEqual({ reason: null, revokedSessions: 0 });
  });

  it('is for admins only', async () => {
    for (const actor of nonAdmins()) {
      expect((await deactivate(user.id, actor))._unsafeUnwrapErr()).toEqual({
        type: 'platform.forbidden',
        message: 'requires the role admin',
      });
    }
    expect((await bed.users.findById(user.id))?.status).toBe('active');
  });

  it('does not let an admin deactivate their own account', async () => {
    expect((await deactivate(admin.userId))._unsafeUnwrapErr().type).toBe('users.cannot_deactivate_self');
    expect((await bed.users.findById(admin.userId))?.status).toBe('active');
  });

  it('answers user_not_found for an unknown id', async () => {
    expect((await deactivate(GHOST))._unsafeUnwrapErr()).toEqual({ type: 'users.user_not_found', message: `no user ${GHOST}` });
  });

  it('refuses to deactivate twice', async () => {
    (await deactivate())._unsafeUnwrap();
    expect((await deactivate())._unsafeUnwrapErr().type).toBe('users.already_deactivated');
    expect(bed.auditTypes(user.id).filter((t) => t === 'user_deactivated')).toHaveLength(1);
  });

  it('deactivates an account still waiting for verification', async () => {
    const pending = await bed.register({ email: 'bia@example.com', displayName: 'Bia Lima' });
    expect((await deactivate(pending.id))._unsafeUnwrap().status).toBe('deactivated');
  });
});

describe('ReactivateUser', () => {
  it('makes a verified account active again; tokens from before the deactivation stay refused', async () => {
    const before = new Date(Math.floor(bed.clock.now().getTime() / 1000) * 1000);
    bed.clock.advance(SECOND);
    (await deactivate())._unsafeUnwrap();
    bed.clock.advance(MINUTE);
    const view = (
      await bed.get(ReactivateUser).execute({ actor: admin, userId: user.id, client: { ip: '10.0.0.1' } })
    )._unsafeUnwrap();
    expect(view).toMatchObject({ status: 'active', deactivatedAt: null, emailVerified: true });
    expect(bed.users.published.at(-1)).toMatchObject({
      type: 'user.reactivated',
      data: { userId: user.id, reactivatedBy: admin.userId, status: 'active' },
    });
    expect(bed.auditLog.events.at(-1)).toMatchObject({
      type: 'user_reactivated',
      userId: user.id,
      actorId: admin.userId,
      ip: '10.0.0.1',
      details: { status: 'active' },
    });
    const guard = bed.get(UserAccessGuard);
    expect((await guard.admit(verifiedToken(actorOf(user), before))).isErr()).toBe(true);
    expect((await guard.admit(verifiedToken(actorOf(user), bed.clock.now()))).isOk()).toBe(true);
    expect((await bed.get(Login).execute({ email: 'ana@example.com', password: STRONG_PASSWORD })).isOk()).toBe(true);
  });

  it('puts an account that never verified its address back to pending verification', async () => {
    const pending = await bed.register({ email: 'bia@example.com', displayName: 'Bia Lima' });
    (await deactivate(pending.id))._unsafeUnwrap();
    expect((await reactivate(pending.id))._unsafeUnwrap().status).toBe('pending_verification');
  });

  it('is for admins only', async () => {
    (await deactivate())._unsafeUnwrap();
    for (const actor of nonAdmins())
      expect((await reactivate(user.id, actor))._unsafeUnwrapErr().type).toBe('platform.forbidden');
    expect((await bed.users.findById(user.id))?.status).toBe('deactivated');
  });

  it('refuses an account that is not deactivated, and an unknown id', async () => {
    expect((await reactivate())._unsafeUnwrapErr().type).toBe('users.not_deactivated');
    expect((await reactivate(GHOST))._unsafeUnwrapErr().type).toBe('users.user_not_found');
    expect(bed.auditTypes()).not.toContain('user_reactivated');
  });
});
