import type { Logger, RateLimitDecision, RateLimiter, RateLimitPolicy } from '@aura/application/platform';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../../packages/adapters/src/platform/rate-limit/memory-rate-limiter.js';
import { errorHandler } from '../src/middleware/error-handler.js';
import { clientKey, rateLimit } from '../src/middleware/rate-limit.js';

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

function appWith(limiter: RateLimiter, policy: RateLimitPolicy, keyOf?: (req: express.Request) => string) {
  const app = express();
  app.set('trust proxy', true);
  app.get('/limited', rateLimit(limiter, policy, keyOf), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(errorHandler(silent));
  return app;
}

const policy = (limit: number, windowSeconds = 60): RateLimitPolicy => ({ name: 'test.limited', limit, windowSeconds });

describe('rateLimit middleware', () => {
  it('lets requests through with the RateLimit headers counting down', async () => {
    const app = appWith(new MemoryRateLimiter(), policy(2, 60));
    const first = await request(app).get('/limited');
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-limit']).toBe('2');
    expect(first.headers['ratelimit-remaining']).toBe('1');
    expect(first.headers['ratelimit-reset']).toBe('60');
    const second = await request(app).get('/limited');
    expect(second.status).toBe(200);
    expect(second.headers['ratelimit-remaining']).toBe('0');
    expect(Number(second.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(59);
    expect(Number(second.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
  });

  it('refuses past the limit with a 429 problem and Retry-After', async () => {
    const app = appWith(new MemoryRateLimiter(), policy(1, 30));
    await request(app).get('/limited').expect(200);
    const refused = await request(app).get('/limited');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      type: 'urn:aura:problem:platform.rate_limited',
      title: 'Too many requests',
      status: 429,
      instance: '/limited',
    });
    expect(refused.body.detail).toMatch(/retry in 30 s/);
    expect(refused.body.retryAfter).toBeUndefined();
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.headers['ratelimit-limit']).toBe('1');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
  });

  it('rounds Retry-After up to whole seconds, never below 1', async () => {
    const nearlyReset: RateLimiter = {
      consume: async (p): Promise<RateLimitDecision> => ({ allowed: false, limit: p.limit, remaining: 0, resetMs: 1 }),
    };
    const refused = await request(appWith(nearlyReset, policy(5))).get('/limited');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['ratelimit-reset']).toBe('1');

    const later: RateLimiter = {
      consume: async (p): Promise<RateLimitDecision> => ({ allowed: false, limit: p.limit, remaining: 0, resetMs: 4_001 }),
    };
    expect((await request(appWith(later, policy(5))).get('/limited')).headers['retry-after']).toBe('5');
  });

  it('counts client addresses independently (X-Forwarded-For behind a trusted proxy)', async () => {
    const app = appWith(new MemoryRateLimiter(), policy(1));
    await request(app).get('/limited').set('x-forwarded-for', '203.0.113.1').expect(200);
    await request(app).get('/limited').set('x-forwarded-for', '203.0.113.1').expect(429);
    await request(app).get('/limited').set('x-forwarded-for', '203.0.113.2').expect(200);
  });

  it('uses the key the route chooses', async () => {
    const app = appWith(new MemoryRateLimiter(), policy(1), (req) => req.get('x-account') ?? 'anonymous');
    await request(app).get('/limited').set('x-account', 'alice').expect(200);
    await request(app).get('/limited').set('x-account', 'alice').expect(429);
    await request(app).get('/limited').set('x-account', 'bob').expect(200);
    await request(app).get('/limited').expect(200);
    await request(app).get('/limited').expect(429);
  });

  it('passes a limiter failure to the error handler as a 500', async () => {
    const broken: RateLimiter = {
      consume: async () => {
        throw new Error('store exploded');
      },
    };
    const res = await request(appWith(broken, policy(1))).get('/limited');
    expect(res.status).toBe(500);
    expect(res.body.type).toBe('urn:aura:problem:internal');
  });
});

describe('clientKey', () => {
  it('keys IPv4 as is, IPv4-mapped IPv6 as the IPv4, and IPv6 by its /64 network', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:DB8:1:2:FFFF::9')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey(undefined)).toBe('unknown');
    expect(clientKey('')).toBe('unknown');
  });
});
