import type { RateLimitDecision, RateLimiter, RateLimitPolicy } from '@aura/application/platform';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * The embedded `RateLimiter`: fixed windows counted in this process's memory
 * (rate-limiter-flexible's RateLimiterMemory). Each process counts on its own, so behind a
 * load balancer with N processes a client gets up to N × limit; use RedisRateLimiter there.
 *
 * One limiter per policy (name, limit and window), created on first use and kept: policies
 * are declared in code, so there are few of them. Counters of a key expire with its window.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly limiters = new Map<string, RateLimiterMemory>();

  async consume(policy: RateLimitPolicy, key: string): Promise<RateLimitDecision> {
    return consumeWith(this.limiterFor(policy), policy, key);
  }

  private limiterFor(policy: RateLimitPolicy): RateLimiterMemory {
    const id = policyId(policy);
    let limiter = this.limiters.get(id);
    if (limiter === undefined) {
      limiter = memoryLimiter(policy, `rl:${policy.name}`);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

// Shared with RedisRateLimiter (same folder); not part of the package's exports.

/** Throws a RangeError for a policy no store can enforce (whole requests, whole seconds). */
export function assertPolicy(policy: RateLimitPolicy): void {
  if (policy.name.length === 0) throw new RangeError('a rate limit policy needs a name');
  if (!Number.isInteger(policy.limit) || policy.limit < 1) {
    throw new RangeError(`rate limit policy "${policy.name}": limit must be an integer >= 1, got ${policy.limit}`);
  }
  if (!Number.isInteger(policy.windowSeconds) || policy.windowSeconds < 1) {
    throw new RangeError(
      `rate limit policy "${policy.name}": windowSeconds must be an integer >= 1, got ${policy.windowSeconds}`,
    );
  }
}

/** Identifies a policy's limiter: the same name with another limit or window is another limiter. */
export function policyId(policy: RateLimitPolicy): string {
  assertPolicy(policy);
  return JSON.stringify([policy.name, policy.limit, policy.windowSeconds]);
}

export function memoryLimiter(policy: RateLimitPolicy, keyPrefix: string): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix, points: policy.limit, duration: policy.windowSeconds });
}

/**
 * Consumes one point. rate-limiter-flexible resolves with a RateLimiterRes when allowed and
 * rejects with one when refused; any other rejection is a real failure and is rethrown.
 */
export async function consumeWith(
  limiter: RateLimiterAbstract,
  policy: RateLimitPolicy,
  key: string,
): Promise<RateLimitDecision> {
  try {
    const res = await limiter.consume(key, 1);
    return { allowed: true, limit: policy.limit, remaining: res.remainingPoints, resetMs: Math.max(0, res.msBeforeNext) };
  } catch (thrown) {
    if (!(thrown instanceof RateLimiterRes)) throw thrown;
    // At least 1 ms: a refused caller must always be told to wait.
    return { allowed: false, limit: policy.limit, remaining: 0, resetMs: Math.max(1, thrown.msBeforeNext) };
  }
}
