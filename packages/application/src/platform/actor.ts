import { type DomainError, domainError } from '@aura/domain';
import { err, ok, type Result } from 'neverthrow';

export type Role = 'patient' | 'therapist' | 'admin';
export const ROLES: readonly Role[] = ['patient', 'therapist', 'admin'];

/** The authenticated caller of a use case. Permission and ownership checks use it. */
export interface Actor {
  readonly userId: string;
  readonly roles: readonly Role[];
}

export type Forbidden = DomainError<'platform.forbidden'>;

export function requireRole(actor: Actor, ...roles: readonly Role[]): Result<void, Forbidden> {
  return actor.roles.some((role) => roles.includes(role))
    ? ok(undefined)
    : err(domainError('platform.forbidden', `requires the role ${roles.join(' or ')}`));
}
