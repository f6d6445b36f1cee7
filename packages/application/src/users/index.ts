export type { CannotDeactivateSelf, DeactivateUserError, ReactivateUserError } from './commands/account-status.command.js';
export { DeactivateUser, ReactivateUser } from './commands/account-status.command.js';
export type {
  ChangePasswordError,
  ChangePasswordInput,
  ConfirmPasswordResetError,
  IncorrectPassword,
  UserNotFound,
} from './commands/change-password.command.js';
export { ChangePassword, ConfirmPasswordReset, PasswordReplacement, userNotFound } from './commands/change-password.command.js';
export type { CreateAdministratorError } from './commands/create-administrator.command.js';
export { CreateAdministrator } from './commands/create-administrator.command.js';
export type { AccountLocked, InvalidCredentials, LoginError, LoginInput } from './commands/login.command.js';
export { accountLocked, invalidCredentials, Login } from './commands/login.command.js';
export { Logout, LogoutEverywhere } from './commands/logout.command.js';
export type { RefreshSessionError } from './commands/refresh-session.command.js';
export { RefreshSession } from './commands/refresh-session.command.js';
export type { RegisterUserError, RegisterUserInput } from './commands/register-user.command.js';
export { RegisterUser } from './commands/register-user.command.js';
export type { AccountEmailJob, AccountEmailKind, AccountEmailOutcome } from './commands/send-account-email.command.js';
export { ACCOUNT_EMAILS_QUEUE, RequestAccountEmail, SendAccountEmail } from './commands/send-account-email.command.js';
export type { UpdateProfileError, UpdateProfileInput } from './commands/update-profile.command.js';
export { UpdateProfile } from './commands/update-profile.command.js';
export type { VerifyEmailError } from './commands/verify-email.command.js';
export { VerifyEmail } from './commands/verify-email.command.js';
export type { UserContact, UserProfile, UsersContractError } from './contract.js';
export { UsersContract } from './contract.js';
export * from './in-memory/index.js';
export { PasswordPolicy } from './password-policy.js';
export type { AccountMessage } from './ports/account-messenger.port.js';
export { AccountMessenger } from './ports/account-messenger.port.js';
export { LoginThrottleStore } from './ports/login-throttle.store.port.js';
export type { StoredOneTimeToken } from './ports/one-time-token.store.port.js';
export { OneTimeTokenStore } from './ports/one-time-token.store.port.js';
export type { OpaqueToken } from './ports/opaque-tokens.port.js';
export { OpaqueTokens } from './ports/opaque-tokens.port.js';
export { PasswordHasher, PasswordStrengthEstimator } from './ports/password-hasher.port.js';
export type { SecurityEvent, SecurityEventType } from './ports/security-audit-log.port.js';
export { SecurityAuditLog } from './ports/security-audit-log.port.js';
export type { SessionClient, SessionRevocationReason, StoredRefreshToken } from './ports/session.store.port.js';
export { SessionStore } from './ports/session.store.port.js';
export type { EmailTaken, UserListFilter } from './ports/user.repository.port.js';
export { ConcurrentUserModificationError, UserRepository } from './ports/user.repository.port.js';
export { UsersSettings } from './ports/users-settings.js';
export type { AccountInput, InvalidAccountInput, ParsedAccount } from './profile-input.js';
export { parseAccountInput } from './profile-input.js';
export type { ListUsersInput } from './queries/users.queries.js';
export { GetUser, ListSecurityEvents, ListUsers } from './queries/users.queries.js';
export type { AuditEntry } from './security-audit.js';
export { SecurityAudit } from './security-audit.js';
export type { TokenPair } from './session-issuer.js';
export { SessionIssuer } from './session-issuer.js';
export type { UserView } from './user.view.js';
export { toUserView } from './user.view.js';
export { UserAccessGuard } from './user-access.guard.js';
export {
  userDeactivated,
  userEmailVerified,
  userPasswordChanged,
  userReactivated,
  userRegistered,
  usersEvents,
  userUpdated,
} from './users.events.js';
export {
  AccountEmailsProcessor,
  PURGE_EXPIRED_CREDENTIALS_QUEUE,
  PurgeExpiredCredentials,
  SendVerificationOnRegistration,
} from './users.jobs.js';
export { usersServices } from './users.services.js';
export { UsersContractService } from './users-contract.service.js';
