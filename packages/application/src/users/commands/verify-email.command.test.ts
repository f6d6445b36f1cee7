import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, DAY, SECOND, type UsersTestBed, usersTestBed } from '../../../test/users/fakes.js';
import { DeactivateUser } from './account-status.command.js';
import { SendAccountEmail } from './send-account-email.command.js';
import { VerifyEmail } from './verify-email.command.js';

let bed: UsersTestBed;
let verify: VerifyEmail;
let send: SendAccountEmail;

beforeEach(() => {
  bed = usersTestBed();
  verify = bed.get(VerifyEmail);
  send = bed.get(SendAccountEmail);
});

async function pendingUserWithToken() {
  const user = await bed.register({ email: 'ana@example.com' });
  expect(await send.execute({ kind: 'verification', userId: user.id })).toBe('sent');
  return { user, token: bed.messenger.lastToken(user.id, 'verification') };
}

describe('VerifyEmail', () => {
  it('spends the token mailed after registration: the account becomes active and verified', async () => {
    const { user, token } = await pendingUserWithToken();
    expect(bed.messenger.sent).toEqual([
      {
        kind: 'verification',
        userId: user.id,
        to: 'ana@example.com',
        displayName: 'Ana Souza',
        locale: 'en',
        token,
        expiresAt: new Date(bed.clock.now().getTime() + DAY),
      },
    ]);
    bed.clock.advance(5 * SECOND);
    const client = { ip: '198.51.100.7' };
    const view = (await verify.execute({ token, client }))._unsafeUnwrap();
    expect(view).toMatchObject({ id: user.id, status: 'active', emailVerified: true, updatedAt: bed.clock.now() });
    expect((await bed.users.findById(user.id))?.state.emailVerifiedAt).toEqual(bed.clock.now());
    expect(bed.users.published.map((e) => e.type)).toEqual(['user.registered', 'user.email_verified']);
    expect(bed.users.published[1]?.data).toEqual({ userId: user.id, email: 'ana@example.com' });
    expect(bed.auditLog.events.at(-1)).toMatchObject({ type: 'email_verified', userId: user.id, ip: '198.51.100.7' });
  });

  it('spends a token once', async () => {
    const { token } = await pendingUserWithToken();
    expect((await verify.execute({ token })).isOk()).toBe(true);
    expect((await verify.execute({ token }))._unsafeUnwrapErr()).toMatchObject({
      type: 'users.invalid_token',
      details: { field: 'token' },
    });
  });

  it('refuses an unknown token', async () => {
    await pendingUserWithToken();
    expect((await verify.execute({ token: 'token-999' }))._unsafeUnwrapErr().type).toBe('users.invalid_token');
  });

  it('refuses a token 24 hours old, and accepts it just before', async () => {
    const { token } = await pendingUserWithToken();
    bed.clock.advance(DAY);
    expect((await verify.execute({ token }))._unsafeUnwrapErr()).toMatchObject({
      type: 'users.token_expired',
      details: { field: 'token' },
    });

    const other = await bed.register({ email: 'bia@example.com' });
    await send.execute({ kind: 'verification', userId: other.id });
    bed.clock.advance(DAY - 1);
    expect((await verify.execute({ token: bed.messenger.lastToken(other.id, 'verification') })).isOk()).toBe(true);
  });

  it('refuses a password-reset token', async () => {
    const user = await bed.register({ email: 'ana@example.com' });
    expect(await send.execute({ kind: 'password_reset', userId: user.id })).toBe('sent');
    const error = (await verify.execute({ token: bed.messenger.lastToken(user.id, 'password_reset') }))._unsafeUnwrapErr();
    expect(error.type).toBe('users.invalid_token');
    expect((await bed.users.findById(user.id))?.status).toBe('pending_verification');
  });

  it('refuses the token of an account deactivated since it was sent, and leaves the token unspent', async () => {
    const { user, token } = await pendingUserWithToken();
    const admin = await bed.admin();
    (await bed.get(DeactivateUser).execute({ actor: actorOf(admin), userId: user.id }))._unsafeUnwrap();
    expect((await verify.execute({ token }))._unsafeUnwrapErr().type).toBe('users.account_deactivated');
    expect((await bed.oneTimeTokens.findForUse(`h(${token})`))?.usedAt).toBeNull();
    expect(bed.auditTypes(user.id)).not.toContain('email_verified');
  });

  it('withdraws an earlier token when a new one is sent', async () => {
    const { user, token: first } = await pendingUserWithToken();
    bed.clock.advance(2 * 60 * SECOND);
    expect(await send.execute({ kind: 'verification', userId: user.id })).toBe('sent');
    const second = bed.messenger.lastToken(user.id, 'verification');
    expect(second).not.toBe(first);
    expect((await verify.execute({ token: first }))._unsafeUnwrapErr().type).toBe('users.invalid_token');
    expect((await verify.execute({ token: second })).isOk()).toBe(true);
  });

  it('fails loudly on a token whose user is gone (the foreign key makes that impossible)', async () => {
    await bed.oneTimeTokens.issue({
      tokenHash: 'h(orphan)',
      userId: '0190aaaa-bbbb-7ccc-8ddd-999999999999',
      purpose: 'email_verification',
      createdAt: bed.clock.now(),
      expiresAt: new Date(bed.clock.now().getTime() + DAY),
    });
    await expect(verify.execute({ token: 'orphan' })).rejects.toThrow('one-time token without its user');
  });
});
