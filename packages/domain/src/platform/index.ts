export { AggregateRoot } from './aggregate-root.js';
export type { DomainError } from './domain-error.js';
export { domainError, isDomainError } from './domain-error.js';
export type { DomainEvent } from './domain-event.js';
export { normaliseEmailAddress } from './email-address.js';
export type { BusinessRule } from './rule.js';
export { checkRules } from './rule.js';
export type { InvalidUuid, Uuid } from './uuid.js';
export { parseUuid, uuidV7Timestamp, uuidVersion } from './uuid.js';
