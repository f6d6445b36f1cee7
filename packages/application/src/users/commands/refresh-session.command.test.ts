import type { User } from '@aura/domain/users';
import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, DAY, MINUTE, STRONG_PASSWORD, type UsersTestBed, usersTestBed } from '../../../test/users/fakes.js';
import { DeactivateUser } from './account-status.command.js';
import { Login } from './login.command.js';
import { RefreshSession } from './refresh-session.command.js';

let bed: UsersTestBed;
let refresh: RefreshSession;

beforeEach(() => {
  bed = usersTestBed();
  refresh = bed.get(RefreshSession);
});

async function loggedIn(email = 'ana@example.com') {
  const user = await bed.activeUser({ email });
  const pair = (await bed.get(Login).execute({ email, password: STRONG_PASSWORD }))._unsafeUnwrap();
  return { user, pair };
}

describe('RefreshSession', () => {
  it('exchanges a refresh token for a new pair in the same session', async () => {
    const { user, pair } = await loggedIn();
    bed.clock.advance(10 * MINUTE);
    const next = (await refresh.execute({ refreshToken: pair.refreshToken }))._unsafeUnwrap();
    expect(next).toEqual({
      accessToken: `access-${user.id}-2`,
      refreshToken: expect.any(String),
      expiresIn: 1800,
      refreshExpiresAt: new Date(bed.clock.now().getTime() + 7 * DAY),
      tokenType: 'Bearer',
    });
    expect(next.refreshToken).not.toBe(pair.refreshToken);
    const [used, fresh] = await Promise.all(
      [pair.refreshToken, next.refreshToken].map((t) => bed.sessions.findForRotation(bed.opaqueTokens.hash(t))),
    );
    expect(used?.usedAt).toEqual(bed.clock.now());
    expect(fresh).toMatchObject({ familyId: used?.familyId, usedAt: null });
    expect(bed.sessions.familiesOf(user.id)).toHaveLength(1);
  });

  it('keeps rotating along the chain', async () => {
    const { pair } = await loggedIn();
    let token = pair.refreshToken;
    for (let n = 0; n < 3; n++) token = (await refresh.execute({ refreshToken: token }))._unsafeUnwrap().refreshToken;
    expect((await refresh.execute({ refreshToken: token })).isOk()).toBe(true);
  });

  it('treats a second use of a token as theft: the whole session ends, even for its latest token', async () => {
    const { user, pair } = await loggedIn();
    const next = (await refresh.execute({ refreshToken: pair.refreshToken }))._unsafeUnwrap();
    const client = { ip: '203.0.113.66' };
    expect((await refresh.execute({ refreshToken: pair.refreshToken, client }))._unsafeUnwrapErr().type).toBe(
      'users.refresh_token_reused',
    );
    expect(bed.sessions.familiesOf(user.id)).toEqual([expect.objectContaining({ revokedReason: 'reuse' })]);
    const familyId = bed.sessions.familiesOf(user.id)[0]?.id;
    expect(bed.auditLog.events.at(-1)).toMatchObject({
      type: 'refresh_token_reused',
      userId: user.id,
      ip: '203.0.113.66',
      details: { familyId },
    });
    expect((await refresh.execute({ refreshToken: next.refreshToken }))._unsafeUnwrapErr().type).toBe(
      'users.invalid_refresh_token',
    );
    // Presenting the reused token again changes nothing more.
    expect((await refresh.execute({ refreshToken: pair.refreshToken }))._unsafeUnwrapErr().type).toBe(
      'users.invalid_refresh_token',
    );
    expect(bed.auditTypes(user.id).filter((t) => t === 'refresh_token_reused')).toHaveLength(1);
  });

  it("ends only the reused token's session, not the user's other sessions", async () => {
    const { pair } = await loggedIn();
    const other = (await bed.get(Login).execute({ email: 'ana@example.com', password: STRONG_PASSWORD }))._unsafeUnwrap();
    await refresh.execute({ refreshToken: pair.refreshToken });
    await refresh.execute({ refreshToken: pair.refreshToken });
    expect((await refresh.execute({ refreshToken: other.refreshToken })).isOk()).toBe(true);
  });

  it('refuses an unknown token', async () => {
    await loggedIn();
    expect((await refresh.execute({ refreshToken: 'token-unknown' }))._unsafeUnwrapErr()).toEqual({
      type: 'users.invalid_refresh_token',
      message: 'the refresh token is invalid, expired or revoked',
    });
  });

  it('refuses a token seven days old, and accepts it just before', async () => {
    const { pair } = await loggedIn();
    const { pair: other } = await loggedIn('bia@example.com');
    bed.clock.advance(7 * DAY - 1);
    expect((await refresh.execute({ refreshToken: other.refreshToken })).isOk()).toBe(true);
    bed.clock.advance(1);
    expect((await refresh.execute({ refreshToken: pair.refreshToken }))._unsafeUnwrapErr().type).toBe(
      'users.invalid_refresh_token',
    );
  });

  it("refuses the token of a deactivated user (the deactivation revoked the user's sessions)", async () => {
    const { user, pair } = await loggedIn();
    const admin = await bed.admin();
    (await bed.get(DeactivateUser).execute({ actor: actorOf(admin), userId: user.id }))._unsafeUnwrap();
    expect((await refresh.execute({ refreshToken: pair.refreshToken }))._unsafeUnwrapErr().type).toBe(
      'users.invalid_refresh_token',
    );
  });

  it('refuses the token of a user who cannot log in, even if the session was not revoked', async () => {
    const { user, pair } = await loggedIn();
    // A deactivation that lands between the token's issue and its use, without its revocation.
    const stored = (await bed.users.findById(user.id)) as User;
    stored.deactivate(bed.clock.now(), null, null);
    await bed.users.save(stored);
    expect((await refresh.execute({ refreshToken: pair.refreshToken }))._unsafeUnwrapErr().type).toBe(
      'users.invalid_refresh_token',
    );
    expect(bed.accessTokens.issued).toHaveLength(1);
  });

  it('refuses the token of a user who no longer exists', async () => {
    await bed.sessions.startFamily({
      familyId: 'family-x',
      userId: '0190aaaa-bbbb-7ccc-8ddd-999999999999',
      tokenHash: 'h(orphan)',
      issuedAt: bed.clock.now(),
      expiresAt: new Date(bed.clock.now().getTime() + DAY),
      client: {},
    });
    expect((await refresh.execute({ refreshToken: 'orphan' }))._unsafeUnwrapErr().type).toBe('users.invalid_refresh_token');
  });

  it('carries the current role into the new access token', async () => {
    const { user, pair } = await loggedIn();
    await refresh.execute({ refreshToken: pair.refreshToken });
    expect(bed.accessTokens.issued.at(-1)).toMatchObject({ userId: user.id, roles: ['patient'] });
  });
});
