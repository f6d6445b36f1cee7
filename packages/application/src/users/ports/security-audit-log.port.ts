import type { Page } from '../../platform/pagination.js';

export type SecurityEventType =
  | 'registered'
  | 'registration_refused'
  | 'administrator_created'
  | 'email_verified'
  | 'login_succeeded'
  | 'login_failed'
  | 'login_refused'
  | 'login_locked_out'
  | 'account_locked'
  | 'refresh_token_reused'
  | 'logout'
  | 'logout_all'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'profile_updated'
  | 'user_deactivated'
  | 'user_reactivated';

export interface SecurityEvent {
  readonly id: string;
  readonly type: SecurityEventType;
  /** The account concerned, when known (a failed login for an unknown address has none). */
  readonly userId: string | null;
  /** Who did it, when not the account itself (an admin). */
  readonly actorId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly correlationId: string | null;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
  readonly occurredAt: Date;
}

/**
 * The security audit trail (logins, lockouts, token reuse, role and status changes). An entry
 * joins the caller's unit of work when there is one: use cases that refuse (a failed login)
 * record outside any unit, so the refusal is kept.
 */
export interface SecurityAuditLog {
  record(event: SecurityEvent): Promise<void>;
  /** Newest first. */
  list(filter: { readonly userId?: string; readonly limit: number; readonly cursor?: string }): Promise<Page<SecurityEvent>>;
}
export const SecurityAuditLog = Symbol.for('aura.users.SecurityAuditLog');
