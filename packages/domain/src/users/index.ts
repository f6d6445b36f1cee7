export type { Email } from './email.js';
export { parseEmail } from './email.js';
export type { LockoutPolicy, LoginAttemptClaim, LoginThrottleState } from './login-throttle.js';
export { claimLoginAttempt, lockedUntil, NO_FAILURES } from './login-throttle.js';
export type { PasswordHash, PasswordStrength } from './password.js';
export { checkPasswordLength, checkPasswordStrength, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password.js';
export type { DisplayName, Locale, TimeZone } from './profile.js';
export { DISPLAY_NAME_MAX, isWellFormedText, parseDisplayName, parseLocale, parseTimeZone } from './profile.js';
export type {
  InvalidRefreshToken,
  InvalidToken,
  OneTimeTokenPurpose,
  OneTimeTokenRecord,
  RefreshDecision,
  RefreshTokenRecord,
  RefreshTokenReused,
  TokenExpired,
} from './session-tokens.js';
export { checkOneTimeToken, decideRefresh, ONE_TIME_TOKEN_TTL_MS, refreshErrors } from './session-tokens.js';
export type * from './user.errors.js';
export { invalidField, usersErrors } from './user.errors.js';
export type * from './user.events.js';
export type { NewUser, ProfileChanges, UserState } from './user.js';
export { User } from './user.js';
export type { UserRole, UserStatus } from './user-role.js';
export { SELF_REGISTRATION_ROLES, USER_ROLES, USER_STATUSES } from './user-role.js';
