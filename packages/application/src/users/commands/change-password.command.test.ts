import { beforeEach, describe, expect, it } from 'vitest';
import {
  actorOf,
  HOUR,
  MINUTE,
  SECOND,
  STRONG_PASSWORD,
  type UsersTestBed,
  usersTestBed,
  verifiedToken,
} from '../../../test/users/fakes.js';
import type { UserView } from '../user.view.js';
import { UserAccessGuard } from '../user-access.guard.js';
import { DeactivateUser } from './account-status.command.js';
import { ChangePassword, ConfirmPasswordReset } from './change-password.command.js';
import { Login } from './login.command.js';
import { RefreshSession } from './refresh-session.command.js';
import { SendAccountEmail } from './send-account-email.command.js';

let bed: UsersTestBed;

beforeEach(() => {
  bed = usersTestBed();
});

const EMAIL = 'ana@example.com';
const NEW_PASSWORD = 'violet lantern under quiet rain';
const login = (password: string) => bed.get(Login).execute({ email: EMAIL, password });

describe('ChangePassword', () => {
  let user: UserView;
  const change = (currentPassword: string, newPassword = NEW_PASSWORD) =>
    bed.get(ChangePassword).execute({ actor: actorOf(user), currentPassword, newPassword });

  beforeEach(async () => {
    user = await bed.activeUser({ email: EMAIL });
  });

  it('sets the new password, ends every session and records the change', async () => {
    const pair = (await login(STRONG_PASSWORD))._unsafeUnwrap();
    const issuedAt = bed.clock.now();
    bed.clock.advance(2 * SECOND);
    const client = { ip: '198.51.100.1' };
    const result = await bed.get(ChangePassword).execute({
      actor: actorOf(user),
      currentPassword: STRONG_PASSWORD,
      newPassword: NEW_PASSWORD,
      client,
    });
    expect(result.isOk()).toBe(true);
    expect((await bed.users.findById(user.id))?.passwordHash).toBe(`hash:${NEW_PASSWORD}`);
    expect(bed.users.published.at(-1)).toMatchObject({
      type: 'user.password_changed',
      data: { userId: user.id, reason: 'changed' },
    });
    expect(bed.sessions.familiesOf(user.id).map((f) => f.revokedReason)).toEqual(['password_changed']);
    expect((await bed.get(RefreshSession).execute({ refreshToken: pair.refreshToken })).isErr()).toBe(true);
    const oldToken = verifiedToken(actorOf(user), new Date(Math.floor(issuedAt.getTime() / 1000) * 1000));
    expect((await bed.get(UserAccessGuard).admit(oldToken)).isErr()).toBe(true);
    expect(bed.auditLog.events.at(-1)).toMatchObject({
      type: 'password_changed',
      userId: user.id,
      ip: '198.51.100.1',
      details: { revokedSessions: 1 },
    });
    expect((await login(STRONG_PASSWORD))._unsafeUnwrapErr().type).toBe('users.invalid_credentials');
    expect((await login(NEW_PASSWORD)).isOk()).toBe(true);
  });

  it('refuses a wrong current password, naming the field, and changes nothing', async () => {
    const error = (await change('not my password'))._unsafeUnwrapErr();
    expect(error).toEqual({
      type: 'users.incorrect_password',
      message: 'the current password is wrong',
      details: { field: 'currentPassword' },
    });
    expect((await bed.users.findById(user.id))?.passwordHash).toBe(`hash:${STRONG_PASSWORD}`);
    expect(bed.users.published.map((e) => e.type)).not.toContain('user.password_changed');
  });

  it('withdraws a reset code still pending: it cannot replace the new password', async () => {
    expect(await bed.get(SendAccountEmail).execute({ kind: 'password_reset', email: EMAIL })).toBe('sent');
    const pending = bed.messenger.lastToken(user.id, 'password_reset');
    expect((await change(STRONG_PASSWORD)).isOk()).toBe(true);
    const reset = await bed.get(ConfirmPasswordReset).execute({ token: pending, newPassword: 'an attacker chosen passphrase' });
    expect(reset._unsafeUnwrapErr().type).toBe('users.invalid_token');
  });

  it('counts wrong current passwords towards the login lockout', async () => {
    for (let n = 0; n < 5; n++)
      expect((await change('not my password'))._unsafeUnwrapErr().type).toBe('users.incorrect_password');
    bed.hasher.resetCounts();
    const locked = (await change(STRONG_PASSWORD))._unsafeUnwrapErr();
    expect(locked).toMatchObject({ type: 'users.account_locked', details: { retryAfterSeconds: 15 * 60 } });
    expect(bed.hasher.verifyCalls).toBe(0);
    expect((await login(STRONG_PASSWORD))._unsafeUnwrapErr().type).toBe('users.account_locked');
    // Recorded like failed logins: five failures, the lock at the fifth, then the refusals.
    const types = bed.auditTypes(user.id);
    expect(types.filter((t) => t === 'login_failed')).toHaveLength(5);
    expect(types.filter((t) => t === 'account_locked')).toHaveLength(1);
    expect(types.filter((t) => t === 'login_locked_out')).toHaveLength(2);
    bed.clock.advance(15 * MINUTE);
    expect((await change(STRONG_PASSWORD)).isOk()).toBe(true);
  });

  it('shares the count with failed logins', async () => {
    for (let n = 0; n < 4; n++) await login('wrong password');
    await change('not my password');
    expect((await change(STRONG_PASSWORD))._unsafeUnwrapErr().type).toBe('users.account_locked');
  });

  it('forgets earlier failures once the current password is proven', async () => {
    for (let n = 0; n < 4; n++) await change('not my password');
    expect((await change(STRONG_PASSWORD)).isOk()).toBe(true);
    for (let n = 0; n < 4; n++) await login('wrong password');
    expect((await login(NEW_PASSWORD)).isOk()).toBe(true);
  });

  it.each([
    ['weak but long enough', 'too_guessable'],
    ['short', 'too_short'],
  ])('refuses the new password %j, naming the field newPassword', async (newPassword, reason) => {
    const error = (await change(STRONG_PASSWORD, newPassword))._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: 'users.weak_password', details: { field: 'newPassword', reason } });
    expect((await bed.users.findById(user.id))?.passwordHash).toBe(`hash:${STRONG_PASSWORD}`);
    expect(bed.sessions.familiesOf(user.id).every((f) => f.revokedAt === null)).toBe(true);
  });

  it("estimates the new password against the user's address and name", async () => {
    await change(STRONG_PASSWORD);
    expect(bed.estimator.calls.at(-1)).toEqual({
      password: NEW_PASSWORD,
      userInputs: expect.arrayContaining([EMAIL.toLowerCase(), 'ana', 'example', 'ana souza', 'souza', 'anasouza']),
    });
  });

  it('answers user_not_found for an actor without an account', async () => {
    const ghost = { userId: '0190aaaa-bbbb-7ccc-8ddd-999999999999', roles: ['patient' as const] };
    const error = (
      await bed.get(ChangePassword).execute({ actor: ghost, currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD })
    )._unsafeUnwrapErr();
    expect(error).toEqual({ type: 'users.user_not_found', message: `no user ${ghost.userId}` });
  });

  it('answers user_not_found when the account disappears while the password is checked', async () => {
    const original = bed.users.findById.bind(bed.users);
    let calls = 0;
    bed.users.findById = async (id) => (++calls === 1 ? original(id) : undefined);
    expect((await change(STRONG_PASSWORD))._unsafeUnwrapErr().type).toBe('users.user_not_found');
  });
});

describe('ConfirmPasswordReset', () => {
  let user: UserView;
  const requestReset = async () => {
    expect(await bed.get(SendAccountEmail).execute({ kind: 'password_reset', email: EMAIL })).toBe('sent');
    return bed.messenger.lastToken(user.id, 'password_reset');
  };
  const confirm = (token: string, newPassword = NEW_PASSWORD) => bed.get(ConfirmPasswordReset).execute({ token, newPassword });

  beforeEach(async () => {
    user = await bed.activeUser({ email: EMAIL });
  });

  it('sets the new password with the mailed token: the new one logs in, the old one no longer does', async () => {
    const pair = (await login(STRONG_PASSWORD))._unsafeUnwrap();
    const token = await requestReset();
    bed.clock.advance(10 * MINUTE);
    const result = await bed.get(ConfirmPasswordReset).execute({ token, newPassword: NEW_PASSWORD, client: { ip: '192.0.2.9' } });
    expect(result.isOk()).toBe(true);
    expect((await login(STRONG_PASSWORD))._unsafeUnwrapErr().type).toBe('users.invalid_credentials');
    expect((await login(NEW_PASSWORD)).isOk()).toBe(true);
    expect(bed.users.published.find((e) => e.type === 'user.password_changed')?.data).toEqual({
      userId: user.id,
      reason: 'reset',
    });
    expect(bed.sessions.familiesOf(user.id)[0]?.revokedReason).toBe('password_changed');
    expect((await bed.get(RefreshSession).execute({ refreshToken: pair.refreshToken })).isErr()).toBe(true);
    expect(bed.auditLog.events.find((e) => e.type === 'password_reset')).toMatchObject({
      userId: user.id,
      ip: '192.0.2.9',
      details: { revokedSessions: 1 },
    });
    expect((await bed.oneTimeTokens.findForUse(`h(${token})`))?.usedAt).toEqual(bed.clock.now());
  });

  it('verifies a pending address and lifts a lockout: the code proved the owner', async () => {
    for (let attempt = 0; attempt < 5; attempt++) await login('a wrong guess of a password');
    expect((await login(STRONG_PASSWORD))._unsafeUnwrapErr().type).toBe('users.account_locked');
    const token = await requestReset();
    expect((await confirm(token)).isOk()).toBe(true);
    expect((await login(NEW_PASSWORD)).isOk()).toBe(true);
  });

  it('verifies an address still pending: a person who never confirmed it can reset and log in', async () => {
    const pending = await bed.register({ email: 'pending@example.com' });
    expect(await bed.get(SendAccountEmail).execute({ kind: 'password_reset', email: 'pending@example.com' })).toBe('sent');
    const token = bed.messenger.lastToken(pending.id, 'password_reset');
    expect((await confirm(token)).isOk()).toBe(true);
    expect(bed.users.published.some((e) => e.type === 'user.email_verified' && e.aggregateId === pending.id)).toBe(true);
    expect((await bed.get(Login).execute({ email: 'pending@example.com', password: NEW_PASSWORD })).isOk()).toBe(true);
  });

  it('spends a token once', async () => {
    const token = await requestReset();
    expect((await confirm(token)).isOk()).toBe(true);
    expect((await confirm(token, 'another fine passphrase'))._unsafeUnwrapErr().type).toBe('users.invalid_token');
    expect((await login(NEW_PASSWORD)).isOk()).toBe(true);
  });

  it('refuses a token an hour old', async () => {
    const token = await requestReset();
    bed.clock.advance(HOUR);
    expect((await confirm(token))._unsafeUnwrapErr().type).toBe('users.token_expired');
  });

  it('refuses a verification token and an unknown token', async () => {
    const pending = await bed.register({ email: 'bia@example.com', displayName: 'Bia Lima' });
    await bed.get(SendAccountEmail).execute({ kind: 'verification', userId: pending.id });
    expect((await confirm(bed.messenger.lastToken(pending.id, 'verification')))._unsafeUnwrapErr().type).toBe(
      'users.invalid_token',
    );
    expect((await confirm('token-unknown'))._unsafeUnwrapErr().type).toBe('users.invalid_token');
  });

  it('refuses the token of an account deactivated since it was sent, and leaves the token unspent', async () => {
    const token = await requestReset();
    const admin = await bed.admin();
    (await bed.get(DeactivateUser).execute({ actor: actorOf(admin), userId: user.id }))._unsafeUnwrap();
    expect((await confirm(token))._unsafeUnwrapErr().type).toBe('users.account_deactivated');
    expect((await bed.users.findById(user.id))?.passwordHash).toBe(`hash:${STRONG_PASSWORD}`);
    expect((await bed.oneTimeTokens.findForUse(`h(${token})`))?.usedAt).toBeNull();
  });

  it('refuses a weak new password and leaves the token usable for a better one', async () => {
    const token = await requestReset();
    expect((await confirm(token, 'weak but long enough'))._unsafeUnwrapErr()).toMatchObject({
      type: 'users.weak_password',
      details: { field: 'newPassword' },
    });
    expect((await confirm(token)).isOk()).toBe(true);
  });

  it('fails loudly on a token whose user is gone (the foreign key makes that impossible)', async () => {
    await bed.oneTimeTokens.issue({
      tokenHash: 'h(orphan)',
      userId: '0190aaaa-bbbb-7ccc-8ddd-999999999999',
      purpose: 'password_reset',
      createdAt: bed.clock.now(),
      expiresAt: new Date(bed.clock.now().getTime() + HOUR),
    });
    await expect(confirm('orphan')).rejects.toThrow('one-time token without its user');
  });
});
