/**
 * Fakes of the users module's ports (and of the platform ports its use cases need), and a
 * test bed: a fresh inversify container wired to the module's in-memory adapters. They keep
 * to each port's documented behaviour and no more.
 */

import type { Uuid } from '@aura/domain';
import type { PasswordHash, PasswordStrength } from '@aura/domain/users';
import { Container, type Newable } from 'inversify';
import type { Actor, Role } from '../../src/platform/actor.js';
import { AccessTokenIssuer, type IssuedAccessToken } from '../../src/platform/ports/access-token-issuer.port.js';
import type { VerifiedAccessToken } from '../../src/platform/ports/access-token-verifier.port.js';
import { Clock } from '../../src/platform/ports/clock.port.js';
import { ExecutionContext, type ExecutionScope } from '../../src/platform/ports/execution-context.port.js';
import { IdGenerator } from '../../src/platform/ports/id-generator.port.js';
import { JobQueue } from '../../src/platform/ports/job-queue.port.js';
import { type LogFields, Logger } from '../../src/platform/ports/logger.port.js';
import { UnitOfWork } from '../../src/platform/ports/unit-of-work.port.js';
import { CreateAdministrator } from '../../src/users/commands/create-administrator.command.js';
import { RegisterUser, type RegisterUserInput } from '../../src/users/commands/register-user.command.js';
import { SendAccountEmail } from '../../src/users/commands/send-account-email.command.js';
import { VerifyEmail } from '../../src/users/commands/verify-email.command.js';
import { InMemoryLoginThrottleStore } from '../../src/users/in-memory/in-memory-login-throttle.store.js';
import { InMemoryOneTimeTokenStore } from '../../src/users/in-memory/in-memory-one-time-token.store.js';
import { InMemorySecurityAuditLog } from '../../src/users/in-memory/in-memory-security-audit.log.js';
import { InMemorySessionStore } from '../../src/users/in-memory/in-memory-session.store.js';
import { InMemoryUserRepository } from '../../src/users/in-memory/in-memory-user.repository.js';
import { type AccountMessage, AccountMessenger } from '../../src/users/ports/account-messenger.port.js';
import { LoginThrottleStore } from '../../src/users/ports/login-throttle.store.port.js';
import { OneTimeTokenStore } from '../../src/users/ports/one-time-token.store.port.js';
import { type OpaqueToken, OpaqueTokens } from '../../src/users/ports/opaque-tokens.port.js';
import { PasswordHasher, PasswordStrengthEstimator } from '../../src/users/ports/password-hasher.port.js';
import { SecurityAuditLog } from '../../src/users/ports/security-audit-log.port.js';
import { SessionStore } from '../../src/users/ports/session.store.port.js';
import { UserRepository } from '../../src/users/ports/user.repository.port.js';
import { UsersSettings } from '../../src/users/ports/users-settings.js';
import type { UserView } from '../../src/users/user.view.js';
import { usersServices } from '../../src/users/users.services.js';
import { InMemoryRecordingJobQueue } from '../platform/in-memory-fakes.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const usersSettings: UsersSettings = {
  refreshTokenTtlMs: 7 * DAY,
  lockout: { threshold: 5, windowMs: 15 * MINUTE, lockoutMs: 15 * MINUTE },
  passwordMinScore: 3,
  accountEmailIntervalMs: 60_000,
};

/** A clock that stands still until told to move. */
export class ControllableClock implements Clock {
  #time: number;
  constructor(start: Date = new Date('2026-11-22T08:00:00.250Z')) {
    this.#time = start.getTime();
  }
  now(): Date {
    return new Date(this.#time);
  }
  advance(ms: number): void {
    this.#time += ms;
  }
}

/** UUIDv7-shaped ids in ascending order (so ordered lists and audit trails sort as with real ones). */
export class SequentialIds implements IdGenerator {
  #n = 0;
  readonly issued: string[] = [];
  next(): Uuid {
    this.#n += 1;
    const id = `0190aaaa-bbbb-7ccc-8ddd-${String(this.#n).padStart(12, '0')}`;
    this.issued.push(id);
    return id as Uuid;
  }
}

/** Runs work directly: nothing to commit or roll back. */
export const directUnitOfWork: UnitOfWork = {
  transaction: (work) => work(),
  result: (work) => work(),
  afterCommit: (effect) => {
    void Promise.resolve()
      .then(effect)
      .catch(() => undefined);
  },
};

export class FixedExecutionContext implements ExecutionContext {
  constructor(public scope: ExecutionScope | undefined = { correlationId: 'corr-1' }) {}
  current(): ExecutionScope | undefined {
    return this.scope;
  }
  run<T>(_scope: ExecutionScope, work: () => T): T {
    return work();
  }
}

/** Writes nothing anywhere; keeps the entries so a test can read them. */
export class SilentLogger implements Logger {
  readonly entries: { level: string; message: string; fields: LogFields | undefined }[] = [];
  debug(message: string, fields?: LogFields): void {
    this.entries.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: LogFields): void {
    this.entries.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.entries.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: LogFields): void {
    this.entries.push({ level: 'error', message, fields });
  }
  child(): Logger {
    return this;
  }
}

export { InMemoryRecordingJobQueue as RecordingJobQueue };

/** Access tokens `access-<userId>-<n>`, living 30 minutes from the clock's now. */
export class FakeAccessTokenIssuer implements AccessTokenIssuer {
  #n = 0;
  readonly issued: (IssuedAccessToken & { readonly userId: string; readonly roles: readonly Role[] })[] = [];
  constructor(private readonly clock: Clock) {}
  async issue(subject: { readonly userId: string; readonly roles: readonly Role[] }): Promise<IssuedAccessToken> {
    this.#n += 1;
    const issuedAt = this.clock.now();
    const token = {
      token: `access-${subject.userId}-${this.#n}`,
      tokenId: `jti-${this.#n}`,
      issuedAt,
      expiresAt: new Date(issuedAt.getTime() + 1800 * SECOND),
      expiresIn: 1800,
    };
    this.issued.push({ ...token, userId: subject.userId, roles: [...subject.roles] });
    return token;
  }
}

/** `hash:<password>`; counts every call, so tests can compare the work done on different paths. */
export class FakePasswordHasher implements PasswordHasher {
  hashCalls = 0;
  verifyCalls = 0;
  async hash(password: string): Promise<PasswordHash> {
    this.hashCalls += 1;
    return `hash:${password}` as PasswordHash;
  }
  async verify(hash: PasswordHash, password: string): Promise<boolean> {
    this.verifyCalls += 1;
    return hash === `hash:${password}`;
  }
  resetCounts(): void {
    this.hashCalls = 0;
    this.verifyCalls = 0;
  }
}

export const WEAK_WARNING = 'This is similar to a commonly used password.';
export const WEAK_SUGGESTIONS = ['Add another word or two.', 'Avoid common phrases.'];

/** Score 4, except 0 (with feedback) for a password containing `weak`. Remembers what it was asked. */
export class FakeStrengthEstimator implements PasswordStrengthEstimator {
  readonly calls: { password: string; userInputs: readonly string[] }[] = [];
  async estimate(password: string, userInputs: readonly string[]): Promise<PasswordStrength> {
    this.calls.push({ password, userInputs: [...userInputs] });
    return password.includes('weak')
      ? { score: 0, warning: WEAK_WARNING, suggestions: WEAK_SUGGESTIONS }
      : { score: 4, warning: null, suggestions: [] };
  }
}

export class RecordingAccountMessenger implements AccountMessenger {
  readonly sent: ({ readonly kind: 'verification' | 'password_reset' } & AccountMessage)[] = [];
  async sendEmailVerification(message: AccountMessage): Promise<void> {
    this.sent.push({ kind: 'verification', ...message });
  }
  async sendPasswordReset(message: AccountMessage): Promise<void> {
    this.sent.push({ kind: 'password_reset', ...message });
  }
  /** The token of the latest message of this kind to this user. */
  lastToken(userId: string, kind: 'verification' | 'password_reset'): string {
    const message = this.sent.filter((m) => m.userId === userId && m.kind === kind).at(-1);
    if (message === undefined) throw new Error(`no ${kind} message was sent to ${userId}`);
    return message.token;
  }
}

/** Tokens `token-<n>`, stored as `h(token-<n>)`. */
export class FakeOpaqueTokens implements OpaqueTokens {
  #n = 0;
  generate(): OpaqueToken {
    this.#n += 1;
    const token = `token-${this.#n}`;
    return { token, hash: this.hash(token) };
  }
  hash(token: string): string {
    return `h(${token})`;
  }
}

export const STRONG_PASSWORD = 'correct horse battery staple';

/** A fresh container wired to in-memory adapters and the fakes above, with handles on all of them. */
export function usersTestBed() {
  const clock = new ControllableClock();
  const ids = new SequentialIds();
  const context = new FixedExecutionContext();
  const logger = new SilentLogger();
  const queue = new InMemoryRecordingJobQueue();
  const accessTokens = new FakeAccessTokenIssuer(clock);
  const hasher = new FakePasswordHasher();
  const estimator = new FakeStrengthEstimator();
  const messenger = new RecordingAccountMessenger();
  const opaqueTokens = new FakeOpaqueTokens();
  const users = new InMemoryUserRepository();
  const sessions = new InMemorySessionStore();
  const oneTimeTokens = new InMemoryOneTimeTokenStore();
  const throttle = new InMemoryLoginThrottleStore();
  const auditLog = new InMemorySecurityAuditLog();

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(Clock).toConstantValue(clock);
  container.bind(IdGenerator).toConstantValue(ids);
  container.bind(UnitOfWork).toConstantValue(directUnitOfWork);
  container.bind(ExecutionContext).toConstantValue(context);
  container.bind(Logger).toConstantValue(logger);
  container.bind(JobQueue).toConstantValue(queue);
  container.bind(AccessTokenIssuer).toConstantValue(accessTokens);
  container.bind(PasswordHasher).toConstantValue(hasher);
  container.bind(PasswordStrengthEstimator).toConstantValue(estimator);
  container.bind(AccountMessenger).toConstantValue(messenger);
  container.bind(OpaqueTokens).toConstantValue(opaqueTokens);
  container.bind(UsersSettings).toConstantValue(usersSettings);
  container.bind(UserRepository).toConstantValue(users);
  container.bind(SessionStore).toConstantValue(sessions);
  container.bind(OneTimeTokenStore).toConstantValue(oneTimeTokens);
  container.bind(LoginThrottleStore).toConstantValue(throttle);
  container.bind(SecurityAuditLog).toConstantValue(auditLog);
  for (const useCase of usersServices) container.bind(useCase).toSelf();

  const bed = {
    container,
    clock,
    ids,
    context,
    logger,
    queue,
    accessTokens,
    hasher,
    estimator,
    messenger,
    opaqueTokens,
    users,
    sessions,
    oneTimeTokens,
    throttle,
    auditLog,
    get: <T>(useCase: Newable<T>): T => container.get<T>(useCase),

    /** Registers through RegisterUser (pending verification). */
    async register(input: Partial<RegisterUserInput> & { readonly email: string }): Promise<UserView> {
      const result = await bed.get(RegisterUser).execute({
        displayName: 'Ana Souza',
        password: STRONG_PASSWORD,
        ...input,
      });
      return result._unsafeUnwrap();
    },

    /** Sends the verification email and spends its token: the account is active. */
    async verify(userId: string): Promise<UserView> {
      const outcome = await bed.get(SendAccountEmail).execute({ kind: 'verification', userId });
      if (outcome !== 'sent') throw new Error(`verification email not sent: ${outcome}`);
      const result = await bed.get(VerifyEmail).execute({ token: messenger.lastToken(userId, 'verification') });
      return result._unsafeUnwrap();
    },

    /** Registers and verifies: an active account that can log in. */
    async activeUser(input: Partial<RegisterUserInput> & { readonly email: string }): Promise<UserView> {
      const registered = await bed.register(input);
      return bed.verify(registered.id);
    },

    /** An active admin, created by the operator use case. */
    async admin(email = 'root@example.com'): Promise<UserView> {
      const result = await bed.get(CreateAdministrator).execute({ email, displayName: 'Root Admin', password: STRONG_PASSWORD });
      return result._unsafeUnwrap();
    },

    /** Which security events were recorded, oldest first, as `type` (and userId when asked). */
    auditTypes(userId?: string | null): string[] {
      return auditLog.events.filter((e) => userId === undefined || e.userId === userId).map((e) => e.type);
    },
  };
  return bed;
}

export type UsersTestBed = ReturnType<typeof usersTestBed>;

export const actorOf = (view: { readonly id: string; readonly role: Role }): Actor => ({ userId: view.id, roles: [view.role] });

/** What the access-token verifier would hand the guard for a token issued at `issuedAt`. */
export const verifiedToken = (actor: Actor, issuedAt: Date): VerifiedAccessToken => ({
  actor,
  issuedAt,
  expiresAt: new Date(issuedAt.getTime() + 1800 * SECOND),
  tokenId: undefined,
});
