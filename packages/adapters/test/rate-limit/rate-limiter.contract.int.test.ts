/**
 * The behaviour every `RateLimiter` adapter must have, run against the in-memory limiter and
 * against Redis. Redis is not optional here: the test run always provides one (test/global-setup.ts),
 * so its absence fails the suite instead of skipping it.
 */
import type { RateLimitDecision, RateLimiter, RateLimitPolicy } from '@aura/application';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redisUrl, uniqueName } from '../../../../test/support/services.js';
import { MemoryRateLimiter } from '../../src/platform/rate-limit/memory-rate-limiter.js';
import { RedisRateLimiter } from '../../src/platform/rate-limit/redis-rate-limiter.js';
import { waitUntil } from '../support/wait.js';

interface RateLimiterTarget {
  readonly name: string;
  /** A fresh limiter, ready to count; `close` releases it. */
  make(): Promise<{ limiter: RateLimiter; close: () => Promise<void> }>;
}

function requiredRedisUrl(): string {
  if (redisUrl === null) throw new Error('this suite needs Redis: set REDIS_URL or install redis-server');
  return redisUrl;
}

const targets: RateLimiterTarget[] = [
  {
    name: 'MemoryRateLimiter',
    make: async () => ({ limiter: new MemoryRateLimiter(), close: async () => undefined }),
  },
  {
    name: 'RedisRateLimiter',
    make: async () => {
      const prefix = uniqueName('rl');
      const limiter = new RedisRateLimiter({ url: requiredRedisUrl(), prefix });
      await waitConnected(limiter, prefix);
      return { limiter, close: () => limiter.close() };
    },
  },
];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const policy = (limit: number, windowSeconds = 60): RateLimitPolicy => ({ name: uniqueName('policy'), limit, windowSeconds });

async function consumeTimes(limiter: RateLimiter, p: RateLimitPolicy, key: string, times: number): Promise<RateLimitDecision[]> {
  const decisions: RateLimitDecision[] = [];
  for (let i = 0; i < times; i += 1) decisions.push(await limiter.consume(p, key));
  return decisions;
}

describe.each(targets)('RateLimiter contract: $name', (target) => {
  let limiter: RateLimiter;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ limiter, close } = await target.make());
  });
  afterEach(() => close());

  it('allows `limit` requests with remaining counting down to 0, then refuses until the window resets', async () => {
    const p = policy(3, 60);
    const decisions = await consumeTimes(limiter, p, 'client-a', 4);
    expect(decisions.slice(0, 3).map((d) => [d.allowed, d.limit, d.remaining])).toEqual([
      [true, 3, 2],
      [true, 3, 1],
      [true, 3, 0],
    ]);
    for (const allowed of decisions.slice(0, 3)) {
      expect(allowed.resetMs).toBeGreaterThan(0);
      expect(allowed.resetMs).toBeLessThanOrEqual(60_000);
    }
    const refused = decisions[3];
    expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0 });
    expect(refused?.resetMs).toBeGreaterThan(0);
    expect(refused?.resetMs).toBeLessThanOrEqual(60_000);
    // Still refused: refusals do not open the window again.
    expect(await limiter.consume(p, 'client-a')).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('counts each key on its own', async () => {
    const p = policy(2);
    await consumeTimes(limiter, p, 'key-1', 2);
    expect((await limiter.consume(p, 'key-1')).allowed).toBe(false);
    expect(await limiter.consume(p, 'key-2')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('counts each policy on its own, for the same key', async () => {
    const first = policy(1);
    const second = policy(1);
    expect((await limiter.consume(first, 'same-key')).allowed).toBe(true);
    expect((await limiter.consume(first, 'same-key')).allowed).toBe(false);
    expect((await limiter.consume(second, 'same-key')).allowed).toBe(true);
  });

  it('allows requests again once the window has passed', async () => {
    const p = policy(2, 1);
    await consumeTimes(limiter, p, 'client', 2);
    const refused = await limiter.consume(p, 'client');
    expect(refused.allowed).toBe(false);
    expect(refused.resetMs).toBeLessThanOrEqual(1_000);
    await sleep(1_100);
    expect(await limiter.consume(p, 'client')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('lets exactly `limit` of 50 concurrent requests through', async () => {
    const p = policy(10);
    const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.consume(p, 'crowd')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    expect(
      decisions
        .filter((d) => d.allowed)
        .map((d) => d.remaining)
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses a policy it cannot enforce', async () => {
    await expect(limiter.consume({ name: uniqueName('bad'), limit: 0, windowSeconds: 60 }, 'k')).rejects.toThrow(RangeError);
    await expect(limiter.consume({ name: uniqueName('bad'), limit: 5, windowSeconds: 0.5 }, 'k')).rejects.toThrow(RangeError);
  });
});

describe('RedisRateLimiter', () => {
  it('shares counters between instances (processes) with the same prefix', async () => {
    const prefix = uniqueName('rl');
    const one = new RedisRateLimiter({ url: requiredRedisUrl(), prefix });
    const two = new RedisRateLimiter({ url: requiredRedisUrl(), prefix });
    try {
      await Promise.all([waitConnected(one, prefix), waitConnected(two, prefix)]);
      const p = policy(2);
      expect((await one.consume(p, 'k')).allowed).toBe(true);
      expect((await two.consume(p, 'k')).allowed).toBe(true);
      expect((await one.consume(p, 'k')).allowed).toBe(false);
      expect((await two.consume(p, 'k')).allowed).toBe(false);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('keeps limiting per process from its insurance limiter when Redis is unreachable', async () => {
    const errors: Error[] = [];
    const limiter = new RedisRateLimiter({
      url: 'redis://127.0.0.1:1',
      prefix: uniqueName('rl'),
      onError: (e) => errors.push(e),
    });
    const p = policy(2);
    const started = Date.now();
    const decisions = await consumeTimes(limiter, p, 'client', 3);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(decisions[2]?.resetMs).toBeGreaterThan(0);
    expect(decisions[2]?.resetMs).toBeLessThanOrEqual(60_000);
    await waitUntil(() => errors.length > 0, 'the connection error is reported');
    await expect(limiter.close()).resolves.toBeUndefined();
  });

  it('close() resolves after use, and again when called twice', async () => {
    const prefix = uniqueName('rl');
    const limiter = new RedisRateLimiter({ url: requiredRedisUrl(), prefix });
    await waitConnected(limiter, prefix);
    await limiter.consume(policy(1), 'k');
    await expect(limiter.close()).resolves.toBeUndefined();
    await expect(limiter.close()).resolves.toBeUndefined();
  });
});

/**
 * A Redis limiter answers from its insurance limiter until its connection is ready, and that
 * would split the counts of a test in two. Waits until a consume lands in Redis, seen as its
 * key there (which also pins the key layout `<prefix>:rl:<policy>:<key>`).
 */
async function waitConnected(limiter: RedisRateLimiter, prefix: string): Promise<void> {
  const redis = new Redis(requiredRedisUrl(), { lazyConnect: true });
  try {
    await redis.connect();
    const probe = policy(1_000);
    const deadline = Date.now() + 10_000;
    for (let attempt = 0; ; attempt += 1) {
      await limiter.consume(probe, `probe-${attempt}`);
      if ((await redis.exists(`${prefix}:rl:${probe.name}:probe-${attempt}`)) === 1) return;
      if (Date.now() > deadline) throw new Error('timed out waiting for the Redis connection');
      await sleep(10);
    }
  } finally {
    redis.disconnect();
  }
}
