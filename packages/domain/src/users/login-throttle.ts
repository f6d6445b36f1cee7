/** Failed-login lockout: `threshold` failures within `windowMs` lock the account for `lockoutMs`. */
export interface LockoutPolicy {
  readonly threshold: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
}

/**
 * Attempts counted against one login key (an account's email, known or not, so a lockout
 * does not reveal whether the account exists). Every attempt is claimed *before* the
 * password is checked and counts as a failure until it succeeds, so concurrent guesses
 * cannot slip past the threshold; a success clears the state.
 */
export interface LoginThrottleState {
  readonly failures: number;
  readonly windowStartedAt: Date | null;
  readonly lastFailureAt: Date | null;
}

export const NO_FAILURES: LoginThrottleState = { failures: 0, windowStartedAt: null, lastFailureAt: null };

export type LoginAttemptClaim =
  | {
      readonly allowed: true;
      readonly state: LoginThrottleState /** this attempt is the one that reaches the threshold */;
      readonly reachesThreshold: boolean;
    }
  | { readonly allowed: false; readonly state: LoginThrottleState; readonly lockedUntil: Date };

/** When the lock set by the threshold-th failure lifts, or undefined if the state is not locked at `now`. */
export function lockedUntil(state: LoginThrottleState, now: Date, policy: LockoutPolicy): Date | undefined {
  if (state.failures < policy.threshold || state.lastFailureAt === null) return undefined;
  const until = new Date(state.lastFailureAt.getTime() + policy.lockoutMs);
  return now < until ? until : undefined;
}

export function claimLoginAttempt(state: LoginThrottleState, now: Date, policy: LockoutPolicy): LoginAttemptClaim {
  const until = lockedUntil(state, now, policy);
  if (until !== undefined) return { allowed: false, state, lockedUntil: until };
  const windowOver = state.windowStartedAt === null || now.getTime() - state.windowStartedAt.getTime() >= policy.windowMs;
  const fresh = windowOver || state.failures >= policy.threshold;
  const failures = (fresh ? 0 : state.failures) + 1;
  return {
    allowed: true,
    reachesThreshold: failures === policy.threshold,
    state: { failures, windowStartedAt: fresh ? now : state.windowStartedAt, lastFailureAt: now },
  };
}
