import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, SECOND, STRONG_PASSWORD, type UsersTestBed, usersTestBed, verifiedToken } from '../../../test/users/fakes.js';
import { UserAccessGuard } from '../user-access.guard.js';
import { Login } from './login.command.js';
import { Logout, LogoutEverywhere } from './logout.command.js';
import { RefreshSession } from './refresh-session.command.js';

let bed: UsersTestBed;

beforeEach(() => {
  bed = usersTestBed();
});

async function loggedIn() {
  const user = await bed.activeUser({ email: 'ana@example.com' });
  const login = () => bed.get(Login).execute({ email: 'ana@example.com', password: STRONG_PASSWORD });
  return { user, login };
}

describe('Logout', () => {
  it('ends the session the refresh token belongs to, and audits it once however often it is repeated', async () => {
    const { user, login } = await loggedIn();
    const pair = (await login())._unsafeUnwrap();
    const client = { userAgent: 'curl/8' };
    for (let n = 0; n < 3; n++)
      expect((await bed.get(Logout).execute({ refreshToken: pair.refreshToken, client })).isOk()).toBe(true);
    const [family] = bed.sessions.familiesOf(user.id);
    expect(family).toMatchObject({ revokedAt: bed.clock.now(), revokedReason: 'logout' });
    expect(bed.auditLog.events.filter((e) => e.type === 'logout')).toEqual([
      expect.objectContaining({ userId: user.id, userAgent: 'curl/8', details: { familyId: family?.id } }),
    ]);
    expect((await bed.get(RefreshSession).execute({ refreshToken: pair.refreshToken }))._unsafeUnwrapErr().type).toBe(
      'users.invalid_refresh_token',
    );
  });

  it('ends the whole session when given an older token of it', async () => {
    const { user, login } = await loggedIn();
    const pair = (await login())._unsafeUnwrap();
    const next = (await bed.get(RefreshSession).execute({ refreshToken: pair.refreshToken }))._unsafeUnwrap();
    await bed.get(Logout).execute({ refreshToken: pair.refreshToken });
    expect(bed.sessions.familiesOf(user.id)[0]?.revokedReason).toBe('logout');
    expect((await bed.get(RefreshSession).execute({ refreshToken: next.refreshToken })).isErr()).toBe(true);
  });

  it('leaves the other sessions alone', async () => {
    const { login } = await loggedIn();
    const phone = (await login())._unsafeUnwrap();
    const laptop = (await login())._unsafeUnwrap();
    await bed.get(Logout).execute({ refreshToken: phone.refreshToken });
    expect((await bed.get(RefreshSession).execute({ refreshToken: laptop.refreshToken })).isOk()).toBe(true);
  });

  it('is fine with an unknown token, and records nothing', async () => {
    await loggedIn();
    const before = bed.auditLog.events.length;
    expect((await bed.get(Logout).execute({ refreshToken: 'never issued' })).isOk()).toBe(true);
    expect(bed.auditLog.events).toHaveLength(before);
  });
});

describe('LogoutEverywhere', () => {
  it('revokes every live session, counts them, and refuses access tokens issued before', async () => {
    const { user, login } = await loggedIn();
    const pairs = [(await login())._unsafeUnwrap(), (await login())._unsafeUnwrap(), (await login())._unsafeUnwrap()];
    await bed.get(Logout).execute({ refreshToken: pairs[0]?.refreshToken ?? '' });
    const issuedAt = bed.clock.now();
    bed.clock.advance(5 * SECOND);
    const actor = actorOf(user);
    const result = (await bed.get(LogoutEverywhere).execute({ actor, client: { ip: '192.0.2.4' } }))._unsafeUnwrap();
    expect(result).toEqual({ revokedSessions: 2 });
    expect(bed.sessions.familiesOf(user.id).map((f) => f.revokedReason)).toEqual(['logout', 'logout_all', 'logout_all']);
    expect((await bed.users.findById(user.id))?.state.sessionsRevokedAt).toEqual(bed.clock.now());
    for (const pair of pairs) {
      expect((await bed.get(RefreshSession).execute({ refreshToken: pair.refreshToken })).isErr()).toBe(true);
    }
    const guard = bed.get(UserAccessGuard);
    expect((await guard.admit(verifiedToken(actor, new Date(Math.floor(issuedAt.getTime() / 1000) * 1000)))).isErr()).toBe(true);
    expect(bed.auditLog.events.at(-1)).toMatchObject({
      type: 'logout_all',
      userId: user.id,
      ip: '192.0.2.4',
      details: { revokedSessions: 2 },
    });
  });

  it('lets the user log in again afterwards, with tokens the guard accepts', async () => {
    const { user, login } = await loggedIn();
    await bed.get(LogoutEverywhere).execute({ actor: actorOf(user) });
    bed.clock.advance(SECOND);
    const pair = (await login())._unsafeUnwrap();
    expect((await bed.get(RefreshSession).execute({ refreshToken: pair.refreshToken })).isOk()).toBe(true);
    const issuedAt = new Date(Math.floor(bed.clock.now().getTime() / 1000) * 1000);
    expect((await bed.get(UserAccessGuard).admit(verifiedToken(actorOf(user), issuedAt))).isOk()).toBe(true);
  });

  it('answers zero when there is nothing to revoke, even for an actor without an account', async () => {
    const { user } = await loggedIn();
    expect((await bed.get(LogoutEverywhere).execute({ actor: actorOf(user) }))._unsafeUnwrap()).toEqual({ revokedSessions: 0 });
    const ghost = { userId: '0190aaaa-bbbb-7ccc-8ddd-999999999999', roles: ['patient' as const] };
    expect((await bed.get(LogoutEverywhere).execute({ actor: ghost }))._unsafeUnwrap()).toEqual({ revokedSessions: 0 });
    expect(bed.auditLog.events.at(-1)).toMatchObject({ type: 'logout_all', userId: ghost.userId });
  });
});
