/** How many requests a key may make per window. `name` keeps policies apart in a shared store. */
export interface RateLimitPolicy {
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  /** Requests left in the current window (0 when refused). */
  readonly remaining: number;
  /** Milliseconds until the window resets (when refused: until a request may be made again). */
  readonly resetMs: number;
}

/**
 * Counts requests per key (a client address, an account) in fixed windows. In memory when
 * embedded; shared through Redis between processes in production.
 */
export interface RateLimiter {
  consume(policy: RateLimitPolicy, key: string): Promise<RateLimitDecision>;
}
export const RateLimiter = Symbol.for('aura.platform.RateLimiter');
