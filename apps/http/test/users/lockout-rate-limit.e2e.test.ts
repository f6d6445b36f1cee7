/**
 * Brute force, two ways: the per-account login lockout (the same for an unknown address, so
 * it reveals nothing) and the per-client rate limit on /api/auth/*.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeUser, adminUser, bearer, expectProblem, startAura, type TestAura, uniqueEmail } from './users-e2e-support.js';

describe('login lockout', () => {
  let t: TestAura;
  beforeAll(async () => {
    t = await startAura('embedded');
  });
  afterAll(async () => {
    await t?.close();
  });

  const attempt = (email: string, password: string) => request(t.app).post('/api/auth/login').send({ email, password });

  const expectLocked = (res: request.Response) => {
    expectProblem(res, 429, 'users.account_locked');
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
  };

  it('locks an account after 5 wrong passwords, the right one included, with Retry-After', async () => {
    const user = await activeUser(t.app);
    for (let i = 0; i < 5; i++) {
      expectProblem(await attempt(user.email, `wrong password number ${i}`), 401, 'users.invalid_credentials');
    }
    expectLocked(await attempt(user.email, 'wrong password number 6'));
    expectLocked(await attempt(user.email, user.password));
    // Whatever the case of the address.
    expectLocked(await attempt(user.email.toUpperCase(), user.password));
    // Another account is not affected.
    const bystander = await activeUser(t.app);
    expect((await attempt(bystander.email, bystander.password)).status).toBe(200);
  });

  it('locks an unknown address the same way (no account enumeration)', async () => {
    const email = uniqueEmail('ghost');
    const answers: request.Response[] = [];
    for (let i = 0; i < 5; i++) answers.push(await attempt(email, `guess number ${i}`));
    for (const res of answers) expectProblem(res, 401, 'users.invalid_credentials');
    expect(new Set(answers.map((res) => res.body.detail)).size).toBe(1);
    expectLocked(await attempt(email, 'guess number 6'));
  });

  it('counts wrong current passwords at /api/users/me/password towards the lockout', async () => {
    const user = await activeUser(t.app);
    const login = await attempt(user.email, user.password);
    expect(login.status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request(t.app)
        .post('/api/users/me/password')
        .set(bearer(login.body.accessToken))
        .send({ currentPassword: `not it ${i}`, newPassword: 'tangerine lighthouse galloping quartz' });
      statuses.push(res.status);
      if (res.status === 429) expectLocked(res);
    }
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses[5]).toBe(429);
    expectLocked(await attempt(user.email, user.password));
  });
});

describe('rate limit on /api/auth/*', () => {
  let t: TestAura;
  beforeAll(async () => {
    t = await startAura('embedded', { AUTH_RATE_LIMIT_MAX: '5', AUTH_RATE_LIMIT_WINDOW_S: '60' });
  });
  afterAll(async () => {
    await t?.close();
  });

  // `trust proxy` is `loopback`: X-Forwarded-For names the client, so each test is its own client.
  it('refuses the 6th request from one client with 429, Retry-After and RateLimit headers', async () => {
    const client = '203.0.113.10';
    const send = () =>
      request(t.app)
        .post('/api/auth/resend-verification')
        .set('x-forwarded-for', client)
        .send({ email: uniqueEmail('rl') });
    for (let i = 0; i < 5; i++) {
      const res = await send();
      expect(res.status).toBe(202);
      expect(res.headers['ratelimit-limit']).toBe('5');
      expect(res.headers['ratelimit-remaining']).toBe(String(4 - i));
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
    }
    const refused = await send();
    expectProblem(refused, 429, 'platform.rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-limit']).toBe('5');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(Number(refused.headers['ratelimit-reset'])).toBeGreaterThan(0);
    // Every /api/auth route shares the budget, malformed requests and logins included.
    expectProblem(
      await request(t.app).post('/api/auth/login').set('x-forwarded-for', client).send({ email: 'x', password: 'y' }),
      429,
      'platform.rate_limited',
    );
    // Another client still gets through.
    const otherClient = await request(t.app)
      .post('/api/auth/resend-verification')
      .set('x-forwarded-for', '203.0.113.11')
      .send({ email: uniqueEmail('rl') });
    expect(otherClient.status).toBe(202);
  });

  it('counts malformed requests too', async () => {
    const client = '203.0.113.20';
    for (let i = 0; i < 5; i++) {
      const res = await request(t.app).post('/api/auth/login').set('x-forwarded-for', client).send({ nonsense: true });
      expectProblem(res, 400, 'validation_failed');
    }
    expectProblem(
      await request(t.app).post('/api/auth/login').set('x-forwarded-for', client).send({ nonsense: true }),
      429,
      'platform.rate_limited',
    );
  });

  // BUG: http-api.ts documents the limit as "counted before anything else, malformed requests
  // included", but express.json() runs before the route's limiter: malformed JSON is answered
  // 400 without being counted or refused, past the limit too.
  it('counts and refuses malformed JSON bodies too', async () => {
    const client = '203.0.113.40';
    const malformed = () =>
      request(t.app).post('/api/auth/register').set('x-forwarded-for', client).set('content-type', 'application/json').send('{');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await malformed()).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
  });

  it('does not limit /api/users/me', async () => {
    const admin = await adminUser(t.aura, t.app); // one /api/auth/login from the default client
    const client = '203.0.113.30';
    for (let i = 0; i < 5; i++) {
      await request(t.app)
        .post('/api/auth/resend-verification')
        .set('x-forwarded-for', client)
        .send({ email: uniqueEmail('rl') });
    }
    expectProblem(
      await request(t.app)
        .post('/api/auth/resend-verification')
        .set('x-forwarded-for', client)
        .send({ email: uniqueEmail('rl') }),
      429,
      'platform.rate_limited',
    );
    for (let i = 0; i < 12; i++) {
      const res = await request(t.app).get('/api/users/me').set('x-forwarded-for', client).set(bearer(admin.accessToken));
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});
