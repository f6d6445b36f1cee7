import { type DomainError, domainError } from '../platform/domain-error.js';

/** Input that breaks a value object's rule; `details.field` names the field (HTTP renders it as a pointer). */
export type InvalidEmail = DomainError<'users.invalid_email'>;
export type InvalidDisplayName = DomainError<'users.invalid_display_name'>;
export type InvalidTimeZone = DomainError<'users.invalid_time_zone'>;
export type InvalidLocale = DomainError<'users.invalid_locale'>;
export type WeakPassword = DomainError<'users.weak_password'>;

export type EmailNotVerified = DomainError<'users.email_not_verified'>;
export type AccountDeactivated = DomainError<'users.account_deactivated'>;
export type EmailAlreadyVerified = DomainError<'users.email_already_verified'>;
export type AlreadyDeactivated = DomainError<'users.already_deactivated'>;
export type NotDeactivated = DomainError<'users.not_deactivated'>;
export type RoleNotSelfAssignable = DomainError<'users.role_not_self_assignable'>;

export const invalidField = <T extends string>(type: T, field: string, message: string): DomainError<T> =>
  domainError(type, message, { field });

export const usersErrors = {
  emailNotVerified: (): EmailNotVerified =>
    domainError(
      'users.email_not_verified',
      'verify your email address before logging in (see POST /api/auth/resend-verification)',
    ),
  accountDeactivated: (): AccountDeactivated => domainError('users.account_deactivated', 'this account is deactivated'),
  emailAlreadyVerified: (): EmailAlreadyVerified =>
    domainError('users.email_already_verified', 'the email address is already verified'),
  alreadyDeactivated: (): AlreadyDeactivated => domainError('users.already_deactivated', 'the account is already deactivated'),
  notDeactivated: (): NotDeactivated => domainError('users.not_deactivated', 'only a deactivated account can be reactivated'),
  roleNotSelfAssignable: (role: string): RoleNotSelfAssignable =>
    domainError('users.role_not_self_assignable', `the role ${role} cannot be chosen at registration`, { field: 'role' }),
};
