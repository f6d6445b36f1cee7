import { err, ok, type Result } from 'neverthrow';
import type { DomainError } from './domain-error.js';

/**
 * A named business rule. Aggregates check rules before they change and record an event;
 * tests assert which rule broke by its error `type`.
 */
export interface BusinessRule<E extends DomainError = DomainError> {
  readonly name: string;
  isBroken(): boolean;
  readonly error: E;
}

/** The first broken rule's error, or ok. */
export function checkRules<E extends DomainError>(...rules: readonly BusinessRule<E>[]): Result<void, E> {
  const broken = rules.find((rule) => rule.isBroken());
  return broken === undefined ? ok(undefined) : err(broken.error);
}
