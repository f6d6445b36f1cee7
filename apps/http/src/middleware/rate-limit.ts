import { isIPv4, isIPv6 } from 'node:net';
import type { RateLimiter, RateLimitPolicy } from '@aura/application/platform';
import type { Request, RequestHandler } from 'express';
import { HttpProblem } from '../platform/problem.js';

/**
 * The rate-limit key of a client address: an IPv4 address as it is (also when written as
 * IPv4-mapped IPv6), an IPv6 address by its /64 network, which one subscriber usually has
 * whole (counting each of its addresses apart would let it make 2^64 times the limit).
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined && isIPv4(mapped)) return mapped;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Limits a route (or a router) to `policy.limit` requests per `policy.windowSeconds` per key,
 * by default the client address (`req.ip`, which honours the `trust proxy` setting; IPv6 by /64).
 *
 * Every response it sees gets the IETF draft headers (draft-ietf-httpapi-ratelimit-headers-06)
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the window
 * resets, rounded up). A refused request is a 429 `platform.rate_limited` problem with
 * `Retry-After` (whole seconds, at least 1), rendered by the error handler.
 */
export function rateLimit(
  limiter: RateLimiter,
  policy: RateLimitPolicy,
  keyOf: (req: Request) => string = (req) => clientKey(req.ip),
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
