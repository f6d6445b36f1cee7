import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantArbitrary } from '../testing/index.js';
import {
  checkOneTimeToken,
  decideRefresh,
  ONE_TIME_TOKEN_TTL_MS,
  type OneTimeTokenPurpose,
  type OneTimeTokenRecord,
  type RefreshTokenRecord,
  refreshErrors,
} from './session-tokens.js';

const now = new Date('2030-06-01T12:00:00.000Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const optionalInstant = fc.option(instantArbitrary, { nil: null });
const purposeArbitrary = fc.constantFrom<OneTimeTokenPurpose>('email_verification', 'password_reset');

const invalidToken = {
  type: 'users.invalid_token',
  message: 'the token is invalid or was already used',
  details: { field: 'token' },
};
const tokenExpired = {
  type: 'users.token_expired',
  message: 'the token has expired: ask for a new one',
  details: { field: 'token' },
};

describe('decideRefresh', () => {
  const record = (overrides: Partial<RefreshTokenRecord>): RefreshTokenRecord => ({
    usedAt: null,
    expiresAt: later(1),
    familyRevokedAt: null,
    ...overrides,
  });

  it('refuses any token of a revoked family, used or not, expired or not', () => {
    fc.assert(
      fc.property(instantArbitrary, optionalInstant, instantArbitrary, instantArbitrary, (revokedAt, usedAt, expiresAt, at) => {
        expect(decideRefresh({ familyRevokedAt: revokedAt, usedAt, expiresAt }, at)).toBe('refuse');
      }),
    );
  });

  it('revokes the family when a used token comes back, even an expired one', () => {
    fc.assert(
      fc.property(instantArbitrary, instantArbitrary, instantArbitrary, (usedAt, expiresAt, at) => {
        expect(decideRefresh({ familyRevokedAt: null, usedAt, expiresAt }, at)).toBe('revoke_family');
      }),
    );
  });

  it('refuses an unused token at or after its expiry and rotates it before', () => {
    fc.assert(
      fc.property(instantArbitrary, instantArbitrary, (expiresAt, at) => {
        expect(decideRefresh({ familyRevokedAt: null, usedAt: null, expiresAt }, at)).toBe(expiresAt <= at ? 'refuse' : 'rotate');
      }),
    );
    expect(decideRefresh(record({ expiresAt: now }), now)).toBe('refuse');
    expect(decideRefresh(record({ expiresAt: later(1) }), now)).toBe('rotate');
    expect(decideRefresh(record({ usedAt: now, expiresAt: later(-1) }), now)).toBe('revoke_family');
    expect(decideRefresh(record({ familyRevokedAt: now, usedAt: now }), now)).toBe('refuse');
  });

  it('has an error for each refusal', () => {
    expect(refreshErrors.invalid()).toEqual({
      type: 'users.invalid_refresh_token',
      message: 'the refresh token is invalid, expired or revoked',
    });
    expect(refreshErrors.reused()).toEqual({
      type: 'users.refresh_token_reused',
      message: 'this refresh token was already used: every session it belongs to has been ended',
    });
  });
});

describe('checkOneTimeToken', () => {
  it('lets verification links live 24 hours and reset links 1 hour', () => {
    expect(ONE_TIME_TOKEN_TTL_MS).toEqual({ email_verification: 86_400_000, password_reset: 3_600_000 });
  });

  it('refuses a missing token', () => {
    fc.assert(
      fc.property(purposeArbitrary, instantArbitrary, (purpose, at) => {
        expect(checkOneTimeToken(undefined, purpose, at)._unsafeUnwrapErr()).toEqual(invalidToken);
      }),
    );
  });

  it('refuses a token for the other purpose or already used as invalid, even when it has also expired', () => {
    fc.assert(
      fc.property(
        purposeArbitrary,
        fc.boolean(),
        optionalInstant,
        instantArbitrary,
        instantArbitrary,
        (purpose, same, usedAt, expiresAt, at) => {
          fc.pre(!same || usedAt !== null);
          const other: OneTimeTokenPurpose = purpose === 'email_verification' ? 'password_reset' : 'email_verification';
          const token: OneTimeTokenRecord = { purpose: same ? purpose : other, usedAt, expiresAt };
          expect(checkOneTimeToken(token, purpose, at)._unsafeUnwrapErr()).toEqual(invalidToken);
        },
      ),
    );
  });

  it('accepts an unused token for its purpose strictly before it expires', () => {
    fc.assert(
      fc.property(purposeArbitrary, instantArbitrary, instantArbitrary, (purpose, expiresAt, at) => {
        const result = checkOneTimeToken({ purpose, usedAt: null, expiresAt }, purpose, at);
        if (expiresAt <= at) expect(result._unsafeUnwrapErr()).toEqual(tokenExpired);
        else expect(result.isOk()).toBe(true);
      }),
    );
    const issued = (purpose: OneTimeTokenPurpose): OneTimeTokenRecord => ({
      purpose,
      usedAt: null,
      expiresAt: later(ONE_TIME_TOKEN_TTL_MS[purpose]),
    });
    expect(
      checkOneTimeToken(issued('password_reset'), 'password_reset', later(ONE_TIME_TOKEN_TTL_MS.password_reset - 1)).isOk(),
    ).toBe(true);
    expect(
      checkOneTimeToken(
        issued('password_reset'),
        'password_reset',
        later(ONE_TIME_TOKEN_TTL_MS.password_reset),
      )._unsafeUnwrapErr(),
    ).toEqual(tokenExpired);
    expect(checkOneTimeToken(issued('email_verification'), 'email_verification', now).isOk()).toBe(true);
  });
});
