/**
 * Text that PostgreSQL cannot store as JSON or text (a lone UTF-16 surrogate, NUL) is a
 * client mistake: a 400 with the field, never a 500.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeUser, adminUser, bearer, login, PASSWORD, startAura, type TestAura, uniqueEmail } from './users-e2e-support.js';

describe('ill-formed text', () => {
  let t: TestAura;
  beforeAll(async () => {
    t = await startAura('postgres');
  });
  afterAll(() => t.close());

  const expectFieldError = (res: request.Response, pointer: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  };

  it('refuses a lone surrogate in a display name at registration and in a profile update', async () => {
    const registered = await request(t.app)
      .post('/api/auth/register')
      .set('content-type', 'application/json')
      .send(`{"email":"${uniqueEmail('surrogate')}","password":"${PASSWORD}","displayName":"Bad \\ud800 name"}`);
    expectFieldError(registered, '#/displayName');
    const user = await activeUser(t.app);
    const { accessToken } = await login(t.app, user.email, user.password);
    const patched = await request(t.app)
      .patch('/api/users/me')
      .set(bearer(accessToken))
      .set('content-type', 'application/json')
      .send('{"displayName":"Bob \\udc00"}');
    expectFieldError(patched, '#/displayName');
  });

  it('refuses NUL and a lone surrogate in a deactivation reason', async () => {
    const root = await adminUser(t.aura, t.app);
    const user = await activeUser(t.app);
    for (const reason of ['\\u0000', 'why \\ud800']) {
      const res = await request(t.app)
        .post(`/api/users/${user.id}/deactivate`)
        .set(bearer(root.accessToken))
        .set('content-type', 'application/json')
        .send(`{"reason":"${reason}"}`);
      expectFieldError(res, '#/reason');
    }
  });
});
