import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, STRONG_PASSWORD, type UsersTestBed, usersTestBed } from '../../../test/users/fakes.js';
import type { Actor } from '../../platform/actor.js';
import { DeactivateUser } from '../commands/account-status.command.js';
import { Login } from '../commands/login.command.js';
import type { UserView } from '../user.view.js';
import { GetUser, ListSecurityEvents, ListUsers } from './users.queries.js';

let bed: UsersTestBed;
let admin: Actor;
let ana: UserView;
let bia: UserView;
let caio: UserView;

beforeEach(async () => {
  bed = usersTestBed();
  admin = actorOf(await bed.admin());
  ana = await bed.activeUser({ email: 'ana@example.com' });
  bia = await bed.register({ email: 'bia@example.com', displayName: 'Bia Lima', role: 'therapist' });
  caio = await bed.activeUser({ email: 'caio@example.com', displayName: 'Caio Reis', role: 'therapist' });
});

describe('GetUser', () => {
  it('lets a user read their own account', async () => {
    expect((await bed.get(GetUser).execute({ actor: actorOf(ana), userId: ana.id }))._unsafeUnwrap()).toEqual(ana);
  });

  it("lets an admin read anyone's account", async () => {
    expect((await bed.get(GetUser).execute({ actor: admin, userId: bia.id }))._unsafeUnwrap()).toMatchObject({
      id: bia.id,
      role: 'therapist',
      status: 'pending_verification',
    });
  });

  it("answers user_not_found for someone else's account, exactly as for an id that does not exist", async () => {
    const other = (await bed.get(GetUser).execute({ actor: actorOf(ana), userId: caio.id }))._unsafeUnwrapErr();
    expect(other).toEqual({ type: 'users.user_not_found', message: `no user ${caio.id}` });
    const ghost = '0190aaaa-bbbb-7ccc-8ddd-999999999999';
    expect((await bed.get(GetUser).execute({ actor: admin, userId: ghost }))._unsafeUnwrapErr()).toEqual({
      type: 'users.user_not_found',
      message: `no user ${ghost}`,
    });
  });
});

describe('ListUsers', () => {
  const list = (input: Partial<Parameters<ListUsers['execute']>[0]> = {}) =>
    bed.get(ListUsers).execute({ actor: admin, limit: 10, ...input });

  it('is for admins only', async () => {
    for (const actor of [actorOf(ana), actorOf(caio)]) {
      expect((await list({ actor }))._unsafeUnwrapErr().type).toBe('platform.forbidden');
    }
  });

  it('lists every account in creation order, as views without password hashes', async () => {
    const page = (await list())._unsafeUnwrap();
    expect(page.items.map((u) => u.email)).toEqual([
      'root@example.com',
      'ana@example.com',
      'bia@example.com',
      'caio@example.com',
    ]);
    expect(page.nextCursor).toBeNull();
    expect(JSON.stringify(page)).not.toContain('hash:');
  });

  it('filters by role and by status', async () => {
    expect((await list({ role: 'therapist' }))._unsafeUnwrap().items.map((u) => u.id)).toEqual([bia.id, caio.id]);
    expect((await list({ status: 'pending_verification' }))._unsafeUnwrap().items.map((u) => u.id)).toEqual([bia.id]);
    expect((await list({ role: 'therapist', status: 'active' }))._unsafeUnwrap().items.map((u) => u.id)).toEqual([caio.id]);
    (await bed.get(DeactivateUser).execute({ actor: admin, userId: ana.id }))._unsafeUnwrap();
    expect((await list({ status: 'deactivated' }))._unsafeUnwrap().items.map((u) => u.id)).toEqual([ana.id]);
  });

  it('pages with the cursor it hands out', async () => {
    const first = (await list({ limit: 3 }))._unsafeUnwrap();
    expect(first.items.map((u) => u.id)).toEqual([admin.userId, ana.id, bia.id]);
    expect(first.nextCursor).toBe(bia.id);
    const second = (await list({ limit: 3, cursor: first.nextCursor ?? undefined }))._unsafeUnwrap();
    expect(second).toEqual({ items: [expect.objectContaining({ id: caio.id })], nextCursor: null });
  });
});

describe('ListSecurityEvents', () => {
  const list = (input: Partial<Parameters<ListSecurityEvents['execute']>[0]> = {}) =>
    bed.get(ListSecurityEvents).execute({ actor: admin, limit: 50, ...input });

  it('is for admins only', async () => {
    expect((await list({ actor: actorOf(ana), userId: ana.id }))._unsafeUnwrapErr().type).toBe('platform.forbidden');
  });

  it("lists an account's security events, newest first", async () => {
    await bed.get(Login).execute({ email: 'ana@example.com', password: 'wrong password' });
    await bed.get(Login).execute({ email: 'ana@example.com', password: STRONG_PASSWORD });
    const page = (await list({ userId: ana.id }))._unsafeUnwrap();
    expect(page.items.map((e) => e.type)).toEqual(['login_succeeded', 'login_failed', 'email_verified', 'registered']);
    expect(page.items.every((e) => e.userId === ana.id)).toBe(true);
  });

  it('lists everyone’s events without a filter, one page at a time', async () => {
    const all = (await list())._unsafeUnwrap();
    expect(new Set(all.items.map((e) => e.userId))).toEqual(new Set([admin.userId, ana.id, bia.id, caio.id]));
    const first = (await list({ limit: 2 }))._unsafeUnwrap();
    const second = (await list({ limit: 2, cursor: first.nextCursor ?? undefined }))._unsafeUnwrap();
    expect([...first.items, ...second.items]).toEqual(all.items.slice(0, 4));
  });
});
