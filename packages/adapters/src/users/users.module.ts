import { AccessGuard } from '@aura/application/platform';
import {
  ACCOUNT_EMAILS_QUEUE,
  AccountEmailsProcessor,
  AccountMessenger,
  LoginThrottleStore,
  OneTimeTokenStore,
  OpaqueTokens,
  PasswordHasher,
  PasswordStrengthEstimator,
  PURGE_EXPIRED_CREDENTIALS_QUEUE,
  PurgeExpiredCredentials,
  SecurityAuditLog,
  SendVerificationOnRegistration,
  SessionStore,
  UserAccessGuard,
  UserRepository,
  UsersContract,
  UsersContractService,
  UsersSettings,
  usersEvents,
  usersServices,
} from '@aura/application/users';
import { ContainerModule } from 'inversify';
import type { AuraModule } from '../platform/aura-module.js';
import type { AuraConfig } from '../platform/config/config.js';
import { AuraConfigToken } from '../platform/platform.tokens.js';
import { Argon2PasswordHasher } from './argon2-password.hasher.js';
import { CryptoOpaqueTokens } from './crypto-opaque.tokens.js';
import { DevMailboxAccountMessenger } from './dev-mailbox-account.messenger.js';
import { KyselyLoginThrottleStore } from './kysely-login-throttle.store.js';
import { KyselyOneTimeTokenStore } from './kysely-one-time-token.store.js';
import { KyselySecurityAuditLog } from './kysely-security-audit.log.js';
import { KyselySessionStore } from './kysely-session.store.js';
import { KyselyUserRepository } from './kysely-user.repository.js';
import * as initial from './migrations/2026_11_22_000000_users_initial.js';
import { AccountMailSettings, usersSettingsFrom } from './users.settings.js';
import { ZxcvbnPasswordStrengthEstimator } from './zxcvbn-password-strength.estimator.js';

/**
 * The users module: accounts, credentials, sessions (refresh-token families), email
 * verification and password reset, the security audit trail, and the `UsersContract` other
 * modules read users through. Its access guard makes every authenticated route refuse the
 * tokens of deactivated or logged-out users.
 */
export const usersModule: AuraModule = {
  name: 'users',
  apiPrefix: 'auth',
  provides: [UsersContract],
  events: usersEvents,
  subscriptions: [
    {
      subscriber: 'users.send-verification-email',
      eventType: 'user.registered',
      versions: [1],
      handler: SendVerificationOnRegistration,
    },
  ],
  jobs: [
    { queue: ACCOUNT_EMAILS_QUEUE, processor: AccountEmailsProcessor, concurrency: 4 },
    { queue: PURGE_EXPIRED_CREDENTIALS_QUEUE, processor: PurgeExpiredCredentials, concurrency: 1, everyMs: 3_600_000 },
  ],
  containerModule: new ContainerModule(({ bind }) => {
    bind(UsersSettings).toDynamicValue((context) => usersSettingsFrom(context.get<AuraConfig>(AuraConfigToken)));
    bind(AccountMailSettings).toDynamicValue((context) => ({
      publicBaseUrl: context.get<AuraConfig>(AuraConfigToken).PUBLIC_BASE_URL,
    }));
    // Ports → adapters.
    bind(UserRepository).to(KyselyUserRepository);
    bind(SessionStore).to(KyselySessionStore);
    bind(OneTimeTokenStore).to(KyselyOneTimeTokenStore);
    bind(LoginThrottleStore).to(KyselyLoginThrottleStore);
    bind(SecurityAuditLog).to(KyselySecurityAuditLog);
    bind(PasswordHasher).to(Argon2PasswordHasher);
    bind(PasswordStrengthEstimator).to(ZxcvbnPasswordStrengthEstimator);
    bind(OpaqueTokens).to(CryptoOpaqueTokens);
    bind(AccountMessenger).to(DevMailboxAccountMessenger);
    for (const service of usersServices) bind(service).toSelf();
    bind(UsersContract).toService(UsersContractService);
    bind(AccessGuard).toService(UserAccessGuard);
  }),
  migrations: { '2026_11_22_000000_users_initial': initial },
};
