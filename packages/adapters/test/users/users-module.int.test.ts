/**
 * The users module installed in a real Aura (in-memory PGlite): every binding resolves, the
 * access guard is registered, and the migrations create the users schema.
 */
import { AccessGuard, AccessTokenIssuer } from '@aura/application/platform';
import * as users from '@aura/application/users';
import type { Newable } from 'inversify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../../src/platform/config/config.js';
import { type Aura, createAura } from '../../src/platform/create-aura.js';
import { pendingMigrations } from '../../src/platform/db/migrate.js';
import { Argon2PasswordHasher } from '../../src/users/argon2-password.hasher.js';
import { CryptoOpaqueTokens } from '../../src/users/crypto-opaque.tokens.js';
import { DevMailboxAccountMessenger } from '../../src/users/dev-mailbox-account.messenger.js';
import { KyselyLoginThrottleStore } from '../../src/users/kysely-login-throttle.store.js';
import { KyselyOneTimeTokenStore } from '../../src/users/kysely-one-time-token.store.js';
import { KyselySecurityAuditLog } from '../../src/users/kysely-security-audit.log.js';
import { KyselySessionStore } from '../../src/users/kysely-session.store.js';
import { KyselyUserRepository } from '../../src/users/kysely-user.repository.js';
import { usersModule } from '../../src/users/users.module.js';
import { AccountMailSettings } from '../../src/users/users.settings.js';
import { ZxcvbnPasswordStrengthEstimator } from '../../src/users/zxcvbn-password-strength.estimator.js';

/** The use cases and services the module must bind (the loop below also finds any it adds later). */
const EXPECTED_SERVICES: readonly Newable[] = [
  users.SecurityAudit,
  users.PasswordPolicy,
  users.PasswordReplacement,
  users.SessionIssuer,
  users.RegisterUser,
  users.VerifyEmail,
  users.SendAccountEmail,
  users.RequestAccountEmail,
  users.Login,
  users.RefreshSession,
  users.Logout,
  users.LogoutEverywhere,
  users.ChangePassword,
  users.ConfirmPasswordReset,
  users.UpdateProfile,
  users.DeactivateUser,
  users.ReactivateUser,
  users.CreateAdministrator,
  users.GetUser,
  users.ListUsers,
  users.ListSecurityEvents,
  users.AccountEmailsProcessor,
  users.SendVerificationOnRegistration,
];

const PORTS: ReadonlyArray<readonly [string, symbol, Newable]> = [
  ['UserRepository', users.UserRepository, KyselyUserRepository],
  ['SessionStore', users.SessionStore, KyselySessionStore],
  ['OneTimeTokenStore', users.OneTimeTokenStore, KyselyOneTimeTokenStore],
  ['LoginThrottleStore', users.LoginThrottleStore, KyselyLoginThrottleStore],
  ['SecurityAuditLog', users.SecurityAuditLog, KyselySecurityAuditLog],
  ['PasswordHasher', users.PasswordHasher, Argon2PasswordHasher],
  ['PasswordStrengthEstimator', users.PasswordStrengthEstimator, ZxcvbnPasswordStrengthEstimator],
  ['OpaqueTokens', users.OpaqueTokens, CryptoOpaqueTokens],
  ['AccountMessenger', users.AccountMessenger, DevMailboxAccountMessenger],
];

const isClass = (value: unknown): value is Newable =>
  typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));

describe('usersModule in createAura', () => {
  let aura: Aura;

  beforeAll(async () => {
    aura = await createAura({ config: configFrom({ PUBLIC_BASE_URL: 'https://aura.example.org' }), modules: [usersModule] });
  });
  afterAll(async () => {
    await aura?.close();
  });

  it('installs after the platform, under its API prefix', () => {
    expect(aura.modules.map((module) => module.name)).toEqual(['platform', 'users']);
    expect(usersModule.apiPrefix).toBe('auth');
    expect(usersModule.provides).toEqual([users.UsersContract]);
  });

  it('binds every use case and service it lists, and each resolves (once: they are singletons)', async () => {
    for (const service of EXPECTED_SERVICES) {
      expect(aura.container.isBound(service), service.name).toBe(true);
      const instance = await aura.get(service);
      expect(instance, service.name).toBeInstanceOf(service);
      expect(await aura.get(service), service.name).toBe(instance);
    }
  });

  it('resolves every class exported by @aura/application/users that it binds', async () => {
    const classes = Object.entries(users as Record<string, unknown>).filter((entry): entry is [string, Newable] =>
      isClass(entry[1]),
    );
    const bound = classes.filter(([, value]) => aura.container.isBound(value));
    expect(bound.map(([name]) => name).sort()).toEqual(
      expect.arrayContaining(EXPECTED_SERVICES.map((service) => service.name).sort()),
    );
    for (const [name, value] of bound) expect(await aura.get(value), name).toBeInstanceOf(value);
    // The in-memory adapters are for tests of the application layer, not bound here.
    const inMemory = classes.filter(([name]) => name.startsWith('InMemory'));
    expect(inMemory.length).toBeGreaterThan(0);
    for (const [name, value] of inMemory) expect(aura.container.isBound(value), name).toBe(false);
  });

  it('binds each port to its adapter', async () => {
    for (const [name, port, adapter] of PORTS) expect(await aura.get(port), name).toBeInstanceOf(adapter);
  });

  it('binds the UsersContract to its service, and its settings from the configuration', async () => {
    expect(await aura.get(users.UsersContract)).toBeInstanceOf(users.UsersContractService);
    expect(await aura.get<users.UsersSettings>(users.UsersSettings)).toEqual({
      refreshTokenTtlMs: 604_800_000,
      lockout: { threshold: 5, windowMs: 900_000, lockoutMs: 900_000 },
      passwordMinScore: 3,
      accountEmailIntervalMs: 60_000,
    });
    expect(await aura.get(AccountMailSettings)).toEqual({ publicBaseUrl: 'https://aura.example.org' });
  });

  it('registers exactly one access guard: the users one', () => {
    const guards = aura.container.getAll<AccessGuard>(AccessGuard);
    expect(guards).toHaveLength(1);
    expect(guards[0]).toBeInstanceOf(users.UserAccessGuard);
  });

  it('refuses, through its guard, a signed token of a user that does not exist', async () => {
    const issuer = aura.container.get<AccessTokenIssuer>(AccessTokenIssuer);
    const issued = await issuer.issue({ userId: '0190aaaa-bbbb-7ccc-8ddd-00000000dead', roles: ['patient'] });
    const [guard] = aura.container.getAll<AccessGuard>(AccessGuard);
    const verdict = await guard?.admit({
      actor: { userId: '0190aaaa-bbbb-7ccc-8ddd-00000000dead', roles: ['patient'] },
      issuedAt: issued.issuedAt,
      expiresAt: issued.expiresAt,
      tokenId: issued.tokenId,
    });
    expect(verdict?.isErr()).toBe(true);
  });

  it('declares its events, its subscription and its job queues (one of them hourly)', () => {
    expect(usersModule.events).toBe(users.usersEvents);
    expect(usersModule.subscriptions?.map((s) => [s.subscriber, s.eventType, s.handler])).toEqual([
      ['users.send-verification-email', 'user.registered', users.SendVerificationOnRegistration],
    ]);
    expect(usersModule.jobs?.map((job) => [job.queue, job.processor, job.everyMs])).toEqual([
      [users.ACCOUNT_EMAILS_QUEUE, users.AccountEmailsProcessor, undefined],
      [users.PURGE_EXPIRED_CREDENTIALS_QUEUE, users.PurgeExpiredCredentials, 3_600_000],
    ]);
  });

  it('has migrated: the users tables exist', async () => {
    const { rows } = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'users' ORDER BY table_name`.execute(
      aura.database.db,
    );
    expect(rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'login_throttle',
        'one_time_tokens',
        'refresh_token_families',
        'refresh_tokens',
        'security_events',
        'users',
      ]),
    );
    const applied = await aura.database.db.selectFrom('users.kysely_migration').select('name').execute();
    expect(applied.map((row: { name: string }) => row.name)).toEqual(['2026_11_22_000000_users_initial']);
    expect(await pendingMigrations(aura.database.db, usersModule)).toEqual([]);
  });

  it('is ready: the database, the queue and both modules report up', async () => {
    const report = await aura.readiness();
    expect(report.status).toBe('up');
  });
});

describe('the password policy with the real estimator', () => {
  let aura: Aura;
  beforeAll(async () => {
    aura = await createAura({ config: configFrom(), modules: [usersModule] });
  });
  afterAll(() => aura.close());

  it('refuses passwords built from the person’s own address or name, and accepts a strong phrase', async () => {
    const policy = await aura.get(users.PasswordPolicy);
    const mine = ['margaret.hamilton@example.com', 'Margaret Hamilton'];
    for (const password of ['margaret.hamilton2024', 'MargaretHamilton!', 'password123', 'qwertyuiop']) {
      expect((await policy.check(password, mine))._unsafeUnwrapErr(), password).toMatchObject({
        type: 'users.weak_password',
        details: { field: 'password', reason: 'too_guessable' },
      });
    }
    expect((await policy.check('orbit lantern quietly marmalade', mine)).isOk()).toBe(true);
  });
});
