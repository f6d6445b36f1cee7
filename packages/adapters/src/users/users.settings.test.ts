import { describe, expect, it } from 'vitest';
import { configFrom } from '../platform/config/config.js';
import { usersSettingsFrom } from './users.settings.js';

describe('usersSettingsFrom', () => {
  it('maps the defaults, turning seconds into milliseconds', () => {
    expect(usersSettingsFrom(configFrom())).toEqual({
      refreshTokenTtlMs: 604_800_000,
      lockout: { threshold: 5, windowMs: 900_000, lockoutMs: 900_000 },
      passwordMinScore: 3,
      accountEmailIntervalMs: 60_000,
    });
  });

  it('maps configured values, turning seconds into milliseconds', () => {
    const config = configFrom({
      AUTH_REFRESH_TOKEN_TTL_S: '3600',
      AUTH_LOCKOUT_THRESHOLD: '7',
      AUTH_LOCKOUT_WINDOW_S: '120',
      AUTH_LOCKOUT_DURATION_S: '45',
      AUTH_PASSWORD_MIN_SCORE: '2',
      AUTH_ACCOUNT_EMAIL_INTERVAL_S: '0',
    });
    expect(usersSettingsFrom(config)).toEqual({
      refreshTokenTtlMs: 3_600_000,
      lockout: { threshold: 7, windowMs: 120_000, lockoutMs: 45_000 },
      passwordMinScore: 2,
      accountEmailIntervalMs: 0,
    });
  });
});
