import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, DAY, MINUTE, SECOND, STRONG_PASSWORD, type UsersTestBed, usersTestBed } from '../../../test/users/fakes.js';
import { DeactivateUser } from './account-status.command.js';
import { Login } from './login.command.js';

let bed: UsersTestBed;
let login: Login;

beforeEach(() => {
  bed = usersTestBed();
  login = bed.get(Login);
});

const EMAIL = 'ana@example.com';
const client = { ip: '192.0.2.1', userAgent: 'Mozilla/5.0' };

describe('Login', () => {
  it('answers a token pair for the right password, storing the refresh token as a new session', async () => {
    const user = await bed.activeUser({ email: EMAIL });
    const pair = (await login.execute({ email: ' ANA@example.com', password: STRONG_PASSWORD, client }))._unsafeUnwrap();
    expect(pair).toEqual({
      accessToken: `access-${user.id}-1`,
      refreshToken: expect.any(String),
      expiresIn: 1800,
      refreshExpiresAt: new Date(bed.clock.now().getTime() + 7 * DAY),
      tokenType: 'Bearer',
    });
    expect(bed.accessTokens.issued[0]).toMatchObject({ userId: user.id, roles: ['patient'] });
    const stored = await bed.sessions.findForRotation(bed.opaqueTokens.hash(pair.refreshToken));
    expect(stored).toMatchObject({ userId: user.id, usedAt: null, familyRevokedAt: null });
    expect(bed.sessions.familiesOf(user.id)).toEqual([
      expect.objectContaining({ userId: user.id, revokedAt: null, ip: '192.0.2.1', userAgent: 'Mozilla/5.0' }),
    ]);
    expect(bed.auditLog.events.at(-1)).toMatchObject({ type: 'login_succeeded', userId: user.id, ip: '192.0.2.1' });
  });

  it('starts a separate session for each login', async () => {
    const user = await bed.activeUser({ email: EMAIL });
    const first = (await login.execute({ email: EMAIL, password: STRONG_PASSWORD }))._unsafeUnwrap();
    const second = (await login.execute({ email: EMAIL, password: STRONG_PASSWORD }))._unsafeUnwrap();
    expect(first.refreshToken).not.toBe(second.refreshToken);
    expect(bed.sessions.familiesOf(user.id)).toHaveLength(2);
    expect(bed.sessions.familiesOf(user.id)[0]).toMatchObject({ ip: null, userAgent: null });
  });

  it('answers an unknown address and a wrong password alike, after the same number of verifications', async () => {
    const user = await bed.activeUser({ email: EMAIL });
    bed.hasher.resetCounts();
    const unknown = (await login.execute({ email: 'nobody@example.com', password: STRONG_PASSWORD }))._unsafeUnwrapErr();
    const unknownVerifications = bed.hasher.verifyCalls;
    bed.hasher.resetCounts();
    const wrong = (await login.execute({ email: EMAIL, password: 'not the password' }))._unsafeUnwrapErr();
    expect(unknown).toEqual(wrong);
    expect(wrong).toEqual({ type: 'users.invalid_credentials', message: 'the email address or the password is wrong' });
    expect(unknownVerifications).toBe(1);
    expect(bed.hasher.verifyCalls).toBe(1);
    expect(bed.auditLog.events.slice(-2)).toEqual([
      expect.objectContaining({ type: 'login_failed', userId: null, details: { reason: 'unknown_email', failures: 1 } }),
      expect.objectContaining({ type: 'login_failed', userId: user.id, details: { reason: 'wrong_password', failures: 1 } }),
    ]);
  });

  it('hashes the dummy password once, however many unknown addresses are tried', async () => {
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) {
      await login.execute({ email, password: STRONG_PASSWORD });
    }
    expect(bed.hasher.hashCalls).toBe(1);
    expect(bed.hasher.verifyCalls).toBe(3);
  });

  it('answers invalid_credentials for something that is not an address, after the same work', async () => {
    const error = (await login.execute({ email: 'not an address', password: STRONG_PASSWORD }))._unsafeUnwrapErr();
    expect(error.type).toBe('users.invalid_credentials');
    expect(bed.hasher.verifyCalls).toBe(1);
  });

  it('tells an unverified account to verify its address only when the password is right', async () => {
    const user = await bed.register({ email: EMAIL });
    expect((await login.execute({ email: EMAIL, password: 'not the password' }))._unsafeUnwrapErr().type).toBe(
      'users.invalid_credentials',
    );
    const refusal = (await login.execute({ email: EMAIL, password: STRONG_PASSWORD }))._unsafeUnwrapErr();
    expect(refusal.type).toBe('users.email_not_verified');
    expect(bed.auditLog.events.at(-1)).toMatchObject({
      type: 'login_refused',
      userId: user.id,
      details: { reason: 'users.email_not_verified' },
    });
    expect(bed.sessions.familiesOf(user.id)).toEqual([]);
  });

  it('refuses a deactivated account, and only with the right password', async () => {
    const user = await bed.activeUser({ email: EMAIL });
    const admin = await bed.admin();
    (await bed.get(DeactivateUser).execute({ actor: actorOf(admin), userId: user.id }))._unsafeUnwrap();
    expect((await login.execute({ email: EMAIL, password: 'wrong password' }))._unsafeUnwrapErr().type).toBe(
      'users.invalid_credentials',
    );
    expect((await login.execute({ email: EMAIL, password: STRONG_PASSWORD }))._unsafeUnwrapErr().type).toBe(
      'users.account_deactivated',
    );
    expect(bed.sessions.familiesOf(user.id)).toEqual([]);
  });

  describe('lockout', () => {
    const failFiveTimes = async (email: string) => {
      for (let n = 1; n <= 5; n++) {
        expect((await login.execute({ email, password: `wrong password ${n}` }))._unsafeUnwrapErr().type).toBe(
          'users.invalid_credentials',
        );
        bed.clock.advance(10 * SECOND);
      }
    };

    it('locks the account after five failures: the sixth attempt is refused, even with the right password', async () => {
      const user = await bed.activeUser({ email: EMAIL });
      bed.hasher.resetCounts();
      await failFiveTimes(EMAIL);
      const locked = (await login.execute({ email: EMAIL, password: STRONG_PASSWORD, client }))._unsafeUnwrapErr();
      expect(locked).toMatchObject({ type: 'users.account_locked', details: { retryAfterSeconds: 15 * 60 - 10 } });
      expect(locked.details?.lockedUntil).toBe(new Date(bed.clock.now().getTime() + (15 * 60 - 10) * SECOND).toISOString());
      // A locked attempt checks no password at all.
      expect(bed.hasher.verifyCalls).toBe(5);
      expect(bed.sessions.familiesOf(user.id)).toEqual([]);
      const types = bed.auditTypes(user.id).filter((t) => t !== 'registered' && t !== 'email_verified');
      expect(types).toEqual([
        'login_failed',
        'login_failed',
        'login_failed',
        'login_failed',
        'login_failed',
        'account_locked',
        'login_locked_out',
      ]);
      expect(bed.auditLog.events.find((e) => e.type === 'account_locked')?.details).toEqual({ failures: 5 });
      expect(bed.auditLog.events.at(-1)).toMatchObject({ type: 'login_locked_out', userId: user.id, ip: '192.0.2.1' });
    });

    it('counts down retryAfterSeconds, and lets the person in once the lockout is over', async () => {
      await bed.activeUser({ email: EMAIL });
      await failFiveTimes(EMAIL);
      bed.clock.advance(14 * MINUTE);
      const error = (await login.execute({ email: EMAIL, password: STRONG_PASSWORD }))._unsafeUnwrapErr();
      expect(error).toMatchObject({ type: 'users.account_locked', details: { retryAfterSeconds: 50 } });
      bed.clock.advance(50 * SECOND);
      expect((await login.execute({ email: EMAIL, password: STRONG_PASSWORD })).isOk()).toBe(true);
    });

    it('gives a fresh count after the lockout: one more failure does not lock again', async () => {
      await bed.activeUser({ email: EMAIL });
      await failFiveTimes(EMAIL);
      bed.clock.advance(15 * MINUTE);
      expect((await login.execute({ email: EMAIL, password: 'wrong again' }))._unsafeUnwrapErr().type).toBe(
        'users.invalid_credentials',
      );
      expect((await login.execute({ email: EMAIL, password: STRONG_PASSWORD })).isOk()).toBe(true);
    });

    it('forgets the failures after a success', async () => {
      await bed.activeUser({ email: EMAIL });
      for (let n = 0; n < 4; n++) await login.execute({ email: EMAIL, password: 'wrong password' });
      expect((await login.execute({ email: EMAIL, password: STRONG_PASSWORD })).isOk()).toBe(true);
      for (let n = 0; n < 4; n++) await login.execute({ email: EMAIL, password: 'wrong password' });
      expect((await login.execute({ email: EMAIL, password: STRONG_PASSWORD })).isOk()).toBe(true);
      expect(bed.auditTypes()).not.toContain('account_locked');
    });

    it('forgets failures older than the window', async () => {
      await bed.activeUser({ email: EMAIL });
      for (let n = 0; n < 4; n++) await login.execute({ email: EMAIL, password: 'wrong password' });
      bed.clock.advance(15 * MINUTE);
      await login.execute({ email: EMAIL, password: 'wrong password' });
      expect((await login.execute({ email: EMAIL, password: STRONG_PASSWORD })).isOk()).toBe(true);
    });

    it('locks out an unknown address the same way, so a lockout does not tell whether an account exists', async () => {
      await failFiveTimes('nobody@example.com');
      const error = (await login.execute({ email: 'NOBODY@example.com', password: STRONG_PASSWORD }))._unsafeUnwrapErr();
      expect(error).toMatchObject({ type: 'users.account_locked', details: { retryAfterSeconds: 15 * 60 - 10 } });
      expect(bed.auditTypes(null)).toEqual([...Array(5).fill('login_failed'), 'account_locked', 'login_locked_out']);
    });

    it('keeps one account locked without affecting another', async () => {
      await bed.activeUser({ email: EMAIL });
      await bed.activeUser({ email: 'bia@example.com', displayName: 'Bia Lima' });
      await failFiveTimes(EMAIL);
      expect((await login.execute({ email: 'bia@example.com', password: STRONG_PASSWORD })).isOk()).toBe(true);
    });

    it('never lets more than five guesses through in a window, in any order of right and wrong passwords', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), async (attempts) => {
          bed = usersTestBed();
          login = bed.get(Login);
          await bed.activeUser({ email: EMAIL });
          let failuresSinceSuccess = 0;
          for (const right of attempts) {
            const result = await login.execute({ email: EMAIL, password: right ? STRONG_PASSWORD : 'wrong password' });
            if (failuresSinceSuccess >= 5) {
              expect(result._unsafeUnwrapErr().type).toBe('users.account_locked');
            } else if (right) {
              expect(result.isOk()).toBe(true);
              failuresSinceSuccess = 0;
            } else {
              expect(result._unsafeUnwrapErr().type).toBe('users.invalid_credentials');
              failuresSinceSuccess += 1;
            }
          }
        }),
        { numRuns: 40 },
      );
    });
  });
});
