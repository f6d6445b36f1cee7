import { err, ok, type Result } from 'neverthrow';
import { type DomainError, domainError } from './domain-error.js';

declare const uuidBrand: unique symbol;
/** A lower-case RFC 9562 UUID string. Identity is generated outside the domain (IdGenerator port). */
export type Uuid = string & { readonly [uuidBrand]: true };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export type InvalidUuid = DomainError<'platform.invalid_uuid'>;

export function parseUuid(value: string): Result<Uuid, InvalidUuid> {
  const normalised = value.trim().toLowerCase();
  return UUID.test(normalised) ? ok(normalised as Uuid) : err(domainError('platform.invalid_uuid', 'must be a UUID', { value }));
}

/** The version nibble of a UUID (7 for the time-ordered ids Aura generates). */
export function uuidVersion(id: Uuid): number {
  return Number.parseInt(id.charAt(14), 16);
}

/** Milliseconds since the epoch encoded in a UUIDv7, or undefined for other versions. */
export function uuidV7Timestamp(id: Uuid): number | undefined {
  if (uuidVersion(id) !== 7) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
