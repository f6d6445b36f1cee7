import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimLoginAttempt, type LockoutPolicy, type LoginThrottleState, lockedUntil, NO_FAILURES } from './login-throttle.js';

const policyArbitrary: fc.Arbitrary<LockoutPolicy> = fc.record({
  threshold: fc.integer({ min: 1, max: 10 }),
  windowMs: fc.integer({ min: 1, max: 1_000_000 }),
  lockoutMs: fc.integer({ min: 1, max: 1_000_000 }),
});

interface Attempt {
  readonly afterMs: number;
  readonly outcome: 'success' | 'failure';
}

const attemptsArbitrary: fc.Arbitrary<Attempt[]> = fc.array(
  fc.record({
    // Mostly bursts (a guesser), sometimes pauses long enough for windows and locks to pass.
    afterMs: fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 10 }), weight: 3 },
      { arbitrary: fc.integer({ min: 0, max: 50_000 }), weight: 2 },
      { arbitrary: fc.integer({ min: 0, max: 2_000_000 }), weight: 1 },
    ),
    outcome: fc.oneof(
      { arbitrary: fc.constant('failure' as const), weight: 9 },
      { arbitrary: fc.constant('success' as const), weight: 1 },
    ),
  }),
  { maxLength: 80, size: 'max' },
);

const start = new Date('2030-01-01T00:00:00.000Z').getTime();
const policy: LockoutPolicy = { threshold: 3, windowMs: 60_000, lockoutMs: 300_000 };
const at = (ms: number) => new Date(start + ms);

/** Claims each attempt; an allowed successful one clears the state. Calls `check` with what happened. */
function replay(
  attempts: readonly Attempt[],
  rules: LockoutPolicy,
  check: (step: {
    before: LoginThrottleState;
    now: Date;
    claim: ReturnType<typeof claimLoginAttempt>;
    outcome: Attempt['outcome'];
  }) => void,
): void {
  let state = NO_FAILURES;
  let now = start;
  for (const { afterMs, outcome } of attempts) {
    now += afterMs;
    const claim = claimLoginAttempt(state, new Date(now), rules);
    check({ before: state, now: new Date(now), claim, outcome });
    state = claim.allowed && outcome === 'success' ? NO_FAILURES : claim.state;
  }
}

describe('claimLoginAttempt', () => {
  it('allows at most `threshold` attempts per window between two successes', () => {
    fc.assert(
      fc.property(policyArbitrary, attemptsArbitrary, (rules, attempts) => {
        let episode: { startedAt: number; claims: number } | undefined;
        replay(attempts, rules, ({ claim, now, outcome }) => {
          if (!claim.allowed) return;
          const startedAt = (claim.state.windowStartedAt as Date).getTime();
          episode = episode?.startedAt === startedAt ? { startedAt, claims: episode.claims + 1 } : { startedAt, claims: 1 };
          expect(episode.claims).toBeLessThanOrEqual(rules.threshold);
          expect(claim.state.failures).toBe(episode.claims);
          expect(now.getTime() - startedAt).toBeLessThan(rules.windowMs);
          if (outcome === 'success') episode = undefined;
        });
      }),
    );
  });

  it('never allows 2 × threshold unsuccessful attempts within less than min(window, lockout)', () => {
    fc.assert(
      fc.property(policyArbitrary, attemptsArbitrary, (rules, attempts) => {
        let run: number[] = [];
        replay(attempts, rules, ({ claim, now, outcome }) => {
          if (!claim.allowed) return;
          run.push(now.getTime());
          const n = run.length;
          if (n >= 2 * rules.threshold) {
            expect((run[n - 1] as number) - (run[n - 2 * rules.threshold] as number)).toBeGreaterThanOrEqual(
              Math.min(rules.windowMs, rules.lockoutMs),
            );
          }
          if (outcome === 'success') run = [];
        });
      }),
    );
  });

  it('refuses only while locked, until lastFailureAt + lockoutMs, without counting the refusal', () => {
    fc.assert(
      fc.property(policyArbitrary, attemptsArbitrary, (rules, attempts) => {
        replay(attempts, rules, ({ before, now, claim }) => {
          if (claim.allowed) return;
          expect(before.failures).toBeGreaterThanOrEqual(rules.threshold);
          expect(claim.state).toBe(before);
          expect(claim.lockedUntil.getTime()).toBe((before.lastFailureAt as Date).getTime() + rules.lockoutMs);
          expect(claim.lockedUntil.getTime()).toBeGreaterThan(now.getTime());
          expect(lockedUntil(before, now, rules)).toEqual(claim.lockedUntil);
        });
      }),
    );
  });

  it('starts a fresh window once the lock lifts or the window passes, and counts on inside it', () => {
    fc.assert(
      fc.property(policyArbitrary, attemptsArbitrary, (rules, attempts) => {
        replay(attempts, rules, ({ before, now, claim }) => {
          const lockLifted =
            before.failures >= rules.threshold && now.getTime() >= (before.lastFailureAt as Date).getTime() + rules.lockoutMs;
          const windowPassed =
            before.windowStartedAt === null || now.getTime() - before.windowStartedAt.getTime() >= rules.windowMs;
          if (before.failures < rules.threshold || lockLifted) expect(claim.allowed).toBe(true);
          if (!claim.allowed) return;
          expect(claim.state.lastFailureAt).toEqual(now);
          if (lockLifted || windowPassed) {
            expect(claim.state).toEqual({ failures: 1, windowStartedAt: now, lastFailureAt: now });
          } else {
            expect(claim.state.failures).toBe(before.failures + 1);
            expect(claim.state.windowStartedAt).toBe(before.windowStartedAt);
          }
        });
      }),
    );
  });

  it('reaches the threshold exactly on the threshold-th failure, which locks', () => {
    fc.assert(
      fc.property(policyArbitrary, attemptsArbitrary, (rules, attempts) => {
        replay(attempts, rules, ({ now, claim }) => {
          if (!claim.allowed) return;
          expect(claim.reachesThreshold).toBe(claim.state.failures === rules.threshold);
          expect(lockedUntil(claim.state, now, rules)).toEqual(
            claim.reachesThreshold ? new Date(now.getTime() + rules.lockoutMs) : undefined,
          );
        });
      }),
    );
  });

  it('locks after threshold failures within the window, and lets the next attempt in once the lock lifts', () => {
    const first = claimLoginAttempt(NO_FAILURES, at(0), policy);
    expect(first).toEqual({
      allowed: true,
      reachesThreshold: false,
      state: { failures: 1, windowStartedAt: at(0), lastFailureAt: at(0) },
    });
    const second = claimLoginAttempt(first.state, at(10_000), policy);
    expect(second).toEqual({
      allowed: true,
      reachesThreshold: false,
      state: { failures: 2, windowStartedAt: at(0), lastFailureAt: at(10_000) },
    });
    const third = claimLoginAttempt(second.state, at(59_999), policy);
    expect(third).toEqual({
      allowed: true,
      reachesThreshold: true,
      state: { failures: 3, windowStartedAt: at(0), lastFailureAt: at(59_999) },
    });
    expect(claimLoginAttempt(third.state, at(60_000), policy)).toEqual({
      allowed: false,
      state: third.state,
      lockedUntil: at(359_999),
    });
    expect(claimLoginAttempt(third.state, at(359_998), policy).allowed).toBe(false);
    expect(claimLoginAttempt(third.state, at(359_999), policy)).toEqual({
      allowed: true,
      reachesThreshold: false,
      state: { failures: 1, windowStartedAt: at(359_999), lastFailureAt: at(359_999) },
    });
  });

  it('starts over when the window has passed', () => {
    const second = claimLoginAttempt(claimLoginAttempt(NO_FAILURES, at(0), policy).state, at(1), policy);
    expect(claimLoginAttempt(second.state, at(59_999), policy).state.failures).toBe(3);
    expect(claimLoginAttempt(second.state, at(60_000), policy)).toEqual({
      allowed: true,
      reachesThreshold: false,
      state: { failures: 1, windowStartedAt: at(60_000), lastFailureAt: at(60_000) },
    });
  });
});

describe('lockedUntil', () => {
  const stateArbitrary = fc.record({
    failures: fc.nat({ max: 12 }),
    windowStartedAt: fc.option(fc.integer({ min: 0, max: 1_000_000 }).map(at), { nil: null }),
    lastFailureAt: fc.option(fc.integer({ min: 0, max: 1_000_000 }).map(at), { nil: null }),
  });

  it('is undefined below the threshold, and at or after the lock lifts', () => {
    fc.assert(
      fc.property(stateArbitrary, policyArbitrary, fc.integer({ min: 0, max: 3_000_000 }), (state, rules, nowMs) => {
        const now = at(nowMs);
        const until = lockedUntil(state, now, rules);
        if (state.failures < rules.threshold || state.lastFailureAt === null) expect(until).toBeUndefined();
        else {
          const lifts = state.lastFailureAt.getTime() + rules.lockoutMs;
          expect(until).toEqual(now.getTime() < lifts ? new Date(lifts) : undefined);
        }
      }),
    );
  });

  it('is undefined for a state without a last failure (not reachable through claims)', () => {
    expect(lockedUntil({ failures: 5, windowStartedAt: null, lastFailureAt: null }, at(0), policy)).toBeUndefined();
    expect(lockedUntil(NO_FAILURES, at(0), policy)).toBeUndefined();
  });
});
