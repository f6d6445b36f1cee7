import type { UsersSettings } from '@aura/application/users';
import type { AuraConfig } from '../platform/config/config.js';

/** Where account emails point people to. */
export interface AccountMailSettings {
  readonly publicBaseUrl: string;
}
export const AccountMailSettings = Symbol.for('aura.users.AccountMailSettings');

export function usersSettingsFrom(config: AuraConfig): UsersSettings {
  return {
    refreshTokenTtlMs: config.AUTH_REFRESH_TOKEN_TTL_S * 1000,
    lockout: {
      threshold: config.AUTH_LOCKOUT_THRESHOLD,
      windowMs: config.AUTH_LOCKOUT_WINDOW_S * 1000,
      lockoutMs: config.AUTH_LOCKOUT_DURATION_S * 1000,
    },
    passwordMinScore: config.AUTH_PASSWORD_MIN_SCORE,
    accountEmailIntervalMs: config.AUTH_ACCOUNT_EMAIL_INTERVAL_S * 1000,
  };
}
