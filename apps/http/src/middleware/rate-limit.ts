import type { RateLimiter, RateLimitPolicy } from '@aura/application/platform';
import type { Request, RequestHandler } from 'express';
import { HttpProblem } from '../platform/problem.js';

/**
 * Limits a route (or a router) to `policy.limit` requests per `policy.windowSeconds` per key,
 * by default the client address (`req.ip`, which honours the `trust proxy` setting).
 *
 * Every response it sees gets the IETF draft headers (draft-ietf-httpapi-ratelimit-headers-06)
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the window
 * resets, rounded up). A refused request is a 429 `platform.rate_limited` problem with
 * `Retry-After` (whole seconds, at least 1), rendered by the error handler.
 */
export function rateLimit(
  limiter: RateLimiter,
  policy: RateLimitPolicy,
  keyOf: (req: Request) => string = (req) => req.ip ?? 'unknown',
): RequestHandler {
  return async (req, res, next) => {
    const decision = await limiter.consume(policy, keyOf(req));
    const resetSeconds = Math.ceil(decision.resetMs / 1000);
    res.setHeader('RateLimit-Limit', String(decision.limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    res.setHeader('RateLimit-Reset', String(resetSeconds));
    if (!decision.allowed) {
      const retryAfter = Math.max(1, resetSeconds);
      throw new HttpProblem(
        429,
        'platform.rate_limited',
        'Too many requests',
        `at most ${policy.limit} ${policy.limit === 1 ? 'request' : 'requests'} per ${policy.windowSeconds} s are allowed; retry in ${retryAfter} s`,
        { retryAfter: String(retryAfter) },
      );
    }
    next();
  };
}
