import type { Newable } from 'inversify';
import { DeactivateUser, ReactivateUser } from './commands/account-status.command.js';
import { ChangePassword, ConfirmPasswordReset, PasswordReplacement } from './commands/change-password.command.js';
import { CreateAdministrator } from './commands/create-administrator.command.js';
import { Login } from './commands/login.command.js';
import { Logout, LogoutEverywhere } from './commands/logout.command.js';
import { RefreshSession } from './commands/refresh-session.command.js';
import { RegisterUser } from './commands/register-user.command.js';
import { RequestAccountEmail, SendAccountEmail } from './commands/send-account-email.command.js';
import { UpdateProfile } from './commands/update-profile.command.js';
import { VerifyEmail } from './commands/verify-email.command.js';
import { PasswordPolicy } from './password-policy.js';
import { GetUser, ListSecurityEvents, ListUsers } from './queries/users.queries.js';
import { SecurityAudit } from './security-audit.js';
import { SessionIssuer } from './session-issuer.js';
import { UserAccessGuard } from './user-access.guard.js';
import { AccountEmailsProcessor, PurgeExpiredCredentials, SendVerificationOnRegistration } from './users.jobs.js';
import { UsersContractService } from './users-contract.service.js';

/**
 * Every injectable class of the users module's application layer (use cases, queries, their
 * services, job and event handlers), each bound to itself: the adapters' container module
 * and the application tests' container bind the same list.
 */
export const usersServices: readonly Newable[] = [
  SecurityAudit,
  PasswordPolicy,
  PasswordReplacement,
  SessionIssuer,
  RegisterUser,
  VerifyEmail,
  SendAccountEmail,
  RequestAccountEmail,
  Login,
  RefreshSession,
  Logout,
  LogoutEverywhere,
  ChangePassword,
  ConfirmPasswordReset,
  UpdateProfile,
  DeactivateUser,
  ReactivateUser,
  CreateAdministrator,
  GetUser,
  ListUsers,
  ListSecurityEvents,
  AccountEmailsProcessor,
  PurgeExpiredCredentials,
  SendVerificationOnRegistration,
  UsersContractService,
  UserAccessGuard,
];
