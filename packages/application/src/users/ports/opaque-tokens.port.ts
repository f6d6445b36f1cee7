/** A random secret (≥ 256 bits) handed to a person, and the hash under which it is stored. */
export interface OpaqueToken {
  readonly token: string;
  readonly hash: string;
}

/** Refresh, verification and reset tokens: random, URL-safe, stored only as a hash. */
export interface OpaqueTokens {
  generate(): OpaqueToken;
  hash(token: string): string;
}
export const OpaqueTokens = Symbol.for('aura.users.OpaqueTokens');
