import { err, ok, type Result } from 'neverthrow';
import { AggregateRoot } from '../platform/aggregate-root.js';
import type { Email } from './email.js';
import type { PasswordHash } from './password.js';
import type { DisplayName, Locale, TimeZone } from './profile.js';
import {
  type AccountDeactivated,
  type AlreadyDeactivated,
  type EmailAlreadyVerified,
  type EmailNotVerified,
  type NotDeactivated,
  type RoleNotSelfAssignable,
  usersErrors,
} from './user.errors.js';
import type { UserEvent } from './user.events.js';
import { SELF_REGISTRATION_ROLES, type UserRole, type UserStatus } from './user-role.js';

/** Everything a user is; what repositories persist and rebuild. */
export interface UserState {
  readonly id: string;
  readonly email: Email;
  readonly displayName: DisplayName;
  readonly role: UserRole;
  readonly status: UserStatus;
  readonly emailVerifiedAt: Date | null;
  readonly passwordHash: PasswordHash;
  readonly timeZone: TimeZone;
  readonly locale: Locale;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deactivatedAt: Date | null;
  /** Access and refresh tokens issued before this instant are no longer honoured. */
  readonly sessionsRevokedAt: Date | null;
  /** Optimistic concurrency: bumped by every save. */
  readonly version: number;
}

export interface NewUser {
  readonly id: string;
  readonly email: Email;
  readonly displayName: DisplayName;
  readonly role: UserRole;
  readonly passwordHash: PasswordHash;
  readonly timeZone: TimeZone;
  readonly locale: Locale;
}

export interface ProfileChanges {
  readonly displayName?: DisplayName;
  readonly timeZone?: TimeZone;
  readonly locale?: Locale;
}

/**
 * A person with an account. Status machine:
 *
 *   pending_verification ──verifyEmail──► active
 *   pending_verification | active ──deactivate──► deactivated
 *   deactivated ──reactivate──► active (email verified) | pending_verification
 *
 * The seeds' rule holds: only an active user with a verified email can log in.
 */
export class User extends AggregateRoot<string, UserEvent> {
  #state: UserState;

  private constructor(state: UserState) {
    super(state.id);
    this.#state = state;
  }

  /** Self-registration (patient or therapist): pending until the email address is verified. */
  static register(input: NewUser, at: Date): Result<User, RoleNotSelfAssignable> {
    if (!SELF_REGISTRATION_ROLES.includes(input.role)) return err(usersErrors.roleNotSelfAssignable(input.role));
    return ok(User.create(input, 'pending_verification', null, at));
  }

  /** An operator-created account (the first admin): active, its address vouched for by the operator. */
  static createByOperator(input: NewUser, at: Date): User {
    return User.create(input, 'active', at, at);
  }

  private static create(input: NewUser, status: UserStatus, verifiedAt: Date | null, at: Date): User {
    const user = new User({
      ...input,
      status,
      emailVerifiedAt: verifiedAt,
      createdAt: at,
      updatedAt: at,
      deactivatedAt: null,
      sessionsRevokedAt: null,
      version: 0,
    });
    user.record({
      type: 'user.registered',
      version: 1,
      aggregateId: input.id,
      occurredAt: at,
      data: {
        userId: input.id,
        email: input.email,
        displayName: input.displayName,
        role: input.role,
        status,
        timeZone: input.timeZone,
        locale: input.locale,
      },
    });
    return user;
  }

  /** Rebuilds a user from storage; records nothing. */
  static restore(state: UserState): User {
    return new User(state);
  }

  get state(): UserState {
    return this.#state;
  }
  get email(): Email {
    return this.#state.email;
  }
  get role(): UserRole {
    return this.#state.role;
  }
  get status(): UserStatus {
    return this.#state.status;
  }
  get emailVerified(): boolean {
    return this.#state.emailVerifiedAt !== null;
  }
  get passwordHash(): PasswordHash {
    return this.#state.passwordHash;
  }

  /** Only an active user with a verified email can log in; otherwise, why not. */
  loginRefusal(): EmailNotVerified | AccountDeactivated | undefined {
    if (this.#state.status === 'deactivated') return usersErrors.accountDeactivated();
    if (this.#state.status !== 'active' || !this.emailVerified) return usersErrors.emailNotVerified();
    return undefined;
  }

  canLogin(): boolean {
    return this.loginRefusal() === undefined;
  }

  /**
   * Whether a token issued at `issuedAt` still speaks for this user: the user can log in, and
   * the token is not older than the last revocation (logout everywhere, password change,
   * deactivation). Aura's tokens carry their issue time to the millisecond.
   */
  honoursTokenIssuedAt(issuedAt: Date): boolean {
    if (!this.canLogin()) return false;
    const revoked = this.#state.sessionsRevokedAt;
    return revoked === null || issuedAt.getTime() >= revoked.getTime();
  }

  verifyEmail(at: Date): Result<void, EmailAlreadyVerified | AccountDeactivated> {
    if (this.#state.status === 'deactivated') return err(usersErrors.accountDeactivated());
    if (this.emailVerified) return err(usersErrors.emailAlreadyVerified());
    this.#change({ status: 'active', emailVerifiedAt: at }, at);
    this.record({
      type: 'user.email_verified',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { userId: this.id, email: this.#state.email },
    });
    return ok(undefined);
  }

  /** Applies the changes that differ from the current profile; records `user.updated` only if something changed. */
  updateProfile(changes: ProfileChanges, at: Date): boolean {
    const changed: { displayName?: string; timeZone?: string; locale?: string } = {};
    if (changes.displayName !== undefined && changes.displayName !== this.#state.displayName)
      changed.displayName = changes.displayName;
    if (changes.timeZone !== undefined && changes.timeZone !== this.#state.timeZone) changed.timeZone = changes.timeZone;
    if (changes.locale !== undefined && changes.locale !== this.#state.locale) changed.locale = changes.locale;
    if (Object.keys(changed).length === 0) return false;
    this.#change(changed as ProfileChanges, at);
    this.record({
      type: 'user.updated',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { userId: this.id, changes: changed },
    });
    return true;
  }

  /** A new password ends every session: refresh tokens and access tokens issued before now. */
  changePassword(hash: PasswordHash, reason: 'changed' | 'reset', at: Date): void {
    this.#change({ passwordHash: hash, sessionsRevokedAt: at }, at);
    this.record({
      type: 'user.password_changed',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { userId: this.id, reason },
    });
  }

  /** Logout everywhere: tokens issued before now stop being honoured. */
  revokeSessions(at: Date): void {
    this.#change({ sessionsRevokedAt: at }, at);
  }

  deactivate(at: Date, by: string | null, reason: string | null): Result<void, AlreadyDeactivated> {
    if (this.#state.status === 'deactivated') return err(usersErrors.alreadyDeactivated());
    this.#change({ status: 'deactivated', deactivatedAt: at, sessionsRevokedAt: at }, at);
    this.record({
      type: 'user.deactivated',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { userId: this.id, deactivatedBy: by, reason },
    });
    return ok(undefined);
  }

  reactivate(at: Date, by: string | null): Result<void, NotDeactivated> {
    if (this.#state.status !== 'deactivated') return err(usersErrors.notDeactivated());
    const status: UserStatus = this.emailVerified ? 'active' : 'pending_verification';
    this.#change({ status, deactivatedAt: null }, at);
    this.record({
      type: 'user.reactivated',
      version: 1,
      aggregateId: this.id,
      occurredAt: at,
      data: { userId: this.id, reactivatedBy: by, status },
    });
    return ok(undefined);
  }

  #change(changes: Partial<UserState>, at: Date): void {
    this.#state = { ...this.#state, ...changes, updatedAt: at };
  }
}
