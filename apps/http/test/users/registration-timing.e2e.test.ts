/**
 * Registration cannot be timed to find accounts: a 201 and a 409 both take at least the
 * route's floor. This asserts the floor the code guarantees (a lower bound), not a speed;
 * the measured distributions are in bench/auth-timing.bench.ts.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRATION_MINIMUM_MS } from '../../src/users/auth.router.js';
import { PASSWORD, startAura, type TestAura, uniqueEmail } from './users-e2e-support.js';

describe('registration timing floor', () => {
  let t: TestAura;
  beforeAll(async () => {
    t = await startAura('embedded');
  });
  afterAll(() => t.close());

  const register = async (email: string) => {
    const started = performance.now();
    const res = await request(t.app).post('/api/auth/register').send({ email, password: PASSWORD, displayName: 'Timing Test' });
    return { status: res.status, elapsed: performance.now() - started };
  };

  it('answers a new address and a taken one no sooner than the floor, and a malformed request at once', async () => {
    const email = uniqueEmail('timing');
    const created = await register(email);
    const taken = await register(email.toUpperCase());
    expect(created.status).toBe(201);
    expect(taken.status).toBe(409);
    // Timers may fire up to a millisecond early.
    expect(created.elapsed).toBeGreaterThanOrEqual(REGISTRATION_MINIMUM_MS - 1);
    expect(taken.elapsed).toBeGreaterThanOrEqual(REGISTRATION_MINIMUM_MS - 1);
    const malformed = await request(t.app).post('/api/auth/register').send({ email: 1 });
    expect(malformed.status).toBe(400);
  });
});
