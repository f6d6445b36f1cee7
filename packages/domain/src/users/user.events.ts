import type { DomainEvent } from '../platform/domain-event.js';
import type { UserRole, UserStatus } from './user-role.js';

/** Wire names and versions of the users module's events (the catalogue in ARCHITECTURE.md). No event carries a secret. */
export type UserRegistered = DomainEvent<
  'user.registered',
  { userId: string; email: string; displayName: string; role: UserRole; status: UserStatus; timeZone: string; locale: string }
>;
export type UserEmailVerified = DomainEvent<'user.email_verified', { userId: string; email: string }>;
export type UserUpdated = DomainEvent<
  'user.updated',
  { userId: string; changes: { displayName?: string; timeZone?: string; locale?: string } }
>;
export type UserDeactivated = DomainEvent<
  'user.deactivated',
  { userId: string; deactivatedBy: string | null; reason: string | null }
>;
export type UserReactivated = DomainEvent<
  'user.reactivated',
  { userId: string; reactivatedBy: string | null; status: UserStatus }
>;
export type UserPasswordChanged = DomainEvent<'user.password_changed', { userId: string; reason: 'changed' | 'reset' }>;

export type UserEvent =
  | UserRegistered
  | UserEmailVerified
  | UserUpdated
  | UserDeactivated
  | UserReactivated
  | UserPasswordChanged;
