import {
  claimLoginAttempt,
  type LockoutPolicy,
  type LoginAttemptClaim,
  type LoginThrottleState,
  NO_FAILURES,
} from '@aura/domain/users';
import type { LoginThrottleStore } from '../ports/login-throttle.store.port.js';

/**
 * A LoginThrottleStore in a Map. A claim reads, decides and writes without awaiting in
 * between, so concurrent claims are counted one by one, as under the SQL adapter's row lock.
 */
export class InMemoryLoginThrottleStore implements LoginThrottleStore {
  readonly #states = new Map<string, LoginThrottleState>();

  async claim(key: string, now: Date, policy: LockoutPolicy): Promise<LoginAttemptClaim> {
    const claim = claimLoginAttempt(this.#states.get(key) ?? NO_FAILURES, now, policy);
    if (claim.allowed) this.#states.set(key, claim.state);
    return claim;
  }

  async clear(key: string): Promise<void> {
    this.#states.delete(key);
  }

  async purgeIdleSince(before: Date): Promise<number> {
    let purged = 0;
    for (const [key, state] of [...this.#states]) {
      if (state.lastFailureAt === null || state.lastFailureAt < before) {
        this.#states.delete(key);
        purged += 1;
      }
    }
    return purged;
  }
}
