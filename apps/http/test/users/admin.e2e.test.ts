/**
 * Administration over HTTP: the first admin comes from the CreateAdministrator use case (as
 * an operator's command would make it); admins list, read, deactivate and reactivate
 * accounts and read their security trail; everyone else is kept out.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeUser,
  adminUser,
  bearer,
  expectProblem,
  login,
  type RegisteredUser,
  register,
  startAura,
  type TestAura,
  type Tokens,
} from './users-e2e-support.js';

let t: TestAura;
let admin: RegisteredUser & Tokens;
let patient: RegisteredUser & Tokens;
let other: RegisteredUser;

beforeAll(async () => {
  t = await startAura('embedded');
  admin = await adminUser(t.aura, t.app);
  const p = await activeUser(t.app);
  patient = { ...p, ...(await login(t.app, p.email, p.password)) };
  other = await activeUser(t.app);
});
afterAll(async () => {
  await t?.close();
});

const UNKNOWN_ID = '0190aaaa-bbbb-7ccc-8ddd-0000000000ff';

interface UserJson {
  id: string;
  email: string;
  role: string;
  status: string;
}

/** Every page of GET /api/users with these filters. */
async function listAll(query: Record<string, string>, limit: number): Promise<UserJson[]> {
  const items: UserJson[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const res = await request(t.app)
      .get('/api/users')
      .set(bearer(admin.accessToken))
      .query({ ...query, limit: String(limit), ...(cursor === null ? {} : { cursor }) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...(res.body.items as UserJson[]));
    cursor = res.body.nextCursor as string | null;
    if (cursor === null) return items;
  }
  throw new Error('paging never ended');
}

describe('as a patient', () => {
  it('is refused the admin routes with 403', async () => {
    const as = bearer(patient.accessToken);
    expectProblem(await request(t.app).get('/api/users').set(as), 403, 'platform.forbidden');
    expectProblem(await request(t.app).post(`/api/users/${other.id}/deactivate`).set(as).send({}), 403, 'platform.forbidden');
    expectProblem(await request(t.app).post(`/api/users/${other.id}/reactivate`).set(as), 403, 'platform.forbidden');
    expectProblem(await request(t.app).get(`/api/users/${other.id}/security-events`).set(as), 403, 'platform.forbidden');
    expectProblem(await request(t.app).get(`/api/users/${patient.id}/security-events`).set(as), 403, 'platform.forbidden');
    // Nothing happened to the other account.
    const still = await request(t.app).get(`/api/users/${other.id}`).set(bearer(admin.accessToken));
    expect(still.body.status).toBe('active');
  });

  it('reads their own account by id, and anyone else’s is a 404 (no hint that it exists)', async () => {
    const as = bearer(patient.accessToken);
    const own = await request(t.app).get(`/api/users/${patient.id}`).set(as);
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(patient.id);
    const theirs = await request(t.app).get(`/api/users/${other.id}`).set(as);
    expectProblem(theirs, 404, 'users.user_not_found');
    const nobody = await request(t.app).get(`/api/users/${UNKNOWN_ID}`).set(as);
    expectProblem(nobody, 404, 'users.user_not_found');
    expect(theirs.body.title).toBe(nobody.body.title);
  });
});

describe('as an admin', () => {
  it('lists accounts by role and status, paging with the cursor without duplicates', async () => {
    const therapists = await Promise.all([1, 2, 3, 4, 5].map(() => register(t.app, { role: 'therapist' })));
    const pending = await Promise.all([1, 2, 3].map(() => register(t.app)));

    const allTherapists = await listAll({ role: 'therapist' }, 2);
    expect(new Set(allTherapists.map((u) => u.id)).size).toBe(allTherapists.length);
    expect(allTherapists.every((u) => u.role === 'therapist')).toBe(true);
    expect(allTherapists.map((u) => u.id).sort()).toEqual(therapists.map((u) => u.id).sort());

    const pendingPatients = await listAll({ role: 'patient', status: 'pending_verification' }, 1);
    expect(pendingPatients.every((u) => u.role === 'patient' && u.status === 'pending_verification')).toBe(true);
    expect(pendingPatients.map((u) => u.id)).toEqual(expect.arrayContaining(pending.map((u) => u.id)));
    expect(pendingPatients.map((u) => u.id)).not.toContain(patient.id);

    const admins = await listAll({ role: 'admin' }, 50);
    expect(admins.map((u) => u.id)).toEqual([admin.id]);

    const everyone = await listAll({}, 3);
    const ids = everyone.map((u) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([admin.id, patient.id, other.id, ...therapists.map((u) => u.id)]));
    // Oldest first, as documented: the same order as one big page.
    const single = await request(t.app).get('/api/users').set(bearer(admin.accessToken)).query({ limit: '100' });
    expect(single.body.items.map((u: UserJson) => u.id)).toEqual(ids);
    expect(single.body.nextCursor).toBeNull();
    const json = JSON.stringify(single.body).toLowerCase();
    expect(json).not.toContain('hash');
    expect(json).not.toContain('password');
  });

  it('reads any account by id; an unknown id is 404', async () => {
    const res = await request(t.app).get(`/api/users/${other.id}`).set(bearer(admin.accessToken));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: other.id, email: other.email, role: 'patient', status: 'active' });
    expectProblem(
      await request(t.app).get(`/api/users/${UNKNOWN_ID}`).set(bearer(admin.accessToken)),
      404,
      'users.user_not_found',
    );
  });

  it('deactivates and reactivates an account, with the sessions and logins that follow', async () => {
    const as = bearer(admin.accessToken);
    const target = await activeUser(t.app);
    const targetTokens = await login(t.app, target.email, target.password);
    // A failed login for the security trail.
    expectProblem(
      await request(t.app).post('/api/auth/login').send({ email: target.email, password: 'not the password at all' }),
      401,
      'users.invalid_credentials',
    );

    const deactivated = await request(t.app)
      .post(`/api/users/${target.id}/deactivate`)
      .set(as)
      .send({ reason: 'requested by the account holder' });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ id: target.id, status: 'deactivated', deactivatedAt: expect.any(String) });

    expectProblem(
      await request(t.app).post('/api/auth/refresh').send({ refreshToken: targetTokens.refreshToken }),
      401,
      'users.invalid_refresh_token',
    );
    expectProblem(
      await request(t.app).post('/api/auth/login').send({ email: target.email, password: target.password }),
      403,
      'users.account_deactivated',
    );

    expectProblem(
      await request(t.app).post(`/api/users/${target.id}/deactivate`).set(as).send({}),
      409,
      'users.already_deactivated',
    );
    expectProblem(
      await request(t.app).post(`/api/users/${admin.id}/deactivate`).set(as).send({}),
      409,
      'users.cannot_deactivate_self',
    );
    expectProblem(await request(t.app).post(`/api/users/${UNKNOWN_ID}/deactivate`).set(as).send({}), 404, 'users.user_not_found');
    const emptyJson = await request(t.app).post(`/api/users/${target.id}/deactivate`).set(as).type('json').send('');
    expectProblem(emptyJson, 409, 'users.already_deactivated');

    const reactivated = await request(t.app).post(`/api/users/${target.id}/reactivate`).set(as);
    expect(reactivated.status).toBe(200);
    expect(reactivated.body).toMatchObject({ id: target.id, status: 'active', deactivatedAt: null });
    const again = await login(t.app, target.email, target.password);
    expect((await request(t.app).get('/api/users/me').set(bearer(again.accessToken))).status).toBe(200);
    // Old tokens stay revoked.
    expectProblem(await request(t.app).post('/api/auth/refresh').send({ refreshToken: targetTokens.refreshToken }), 401);

    expectProblem(await request(t.app).post(`/api/users/${target.id}/reactivate`).set(as), 409, 'users.not_deactivated');
    expectProblem(await request(t.app).post(`/api/users/${UNKNOWN_ID}/reactivate`).set(as), 404, 'users.user_not_found');

    // The security trail, newest first.
    const events = await request(t.app).get(`/api/users/${target.id}/security-events`).set(as);
    expect(events.status).toBe(200);
    const items = events.body.items as Array<{ type: string; userId: string; actorId: string | null; occurredAt: string }>;
    expect(items.every((e) => e.userId === target.id)).toBe(true);
    const types = items.map((e) => e.type);
    const at = (type: string) => types.indexOf(type);
    for (const type of ['login_failed', 'login_succeeded', 'user_deactivated', 'user_reactivated']) expect(types).toContain(type);
    expect(at('user_reactivated')).toBeLessThan(at('user_deactivated'));
    expect(at('user_deactivated')).toBeLessThan(at('login_failed'));
    expect(at('login_failed')).toBeLessThan(types.lastIndexOf('login_succeeded'));
    const times = items.map((e) => Date.parse(e.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(items[at('user_deactivated')]).toMatchObject({
      actorId: admin.id,
      details: { reason: 'requested by the account holder' },
    });

    // Paging the trail: no duplicates, same order.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(t.app)
        .get(`/api/users/${target.id}/security-events`)
        .set(as)
        .query({ limit: '2', ...(cursor === null ? {} : { cursor }) });
      expect(page.status).toBe(200);
      paged.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(items.map((e) => (e as unknown as { id: string }).id));
  });

  // BUG: the body schema is `.nullish()` and `reason` optional, but a POST without a body
  // (Content-Length: 0 and no Content-Type, as fetch and supertest send it) is a 415.
  it('deactivates with no body at all (the reason is optional)', async () => {
    const target = await activeUser(t.app);
    const res = await request(t.app).post(`/api/users/${target.id}/deactivate`).set(bearer(admin.accessToken));
    expect({ status: res.status, type: res.body.type }).toEqual({ status: 200, type: undefined });
    expect(res.body).toMatchObject({ id: target.id, status: 'deactivated' });
  });

  it('reads the security events of an unknown id as an empty list', async () => {
    const res = await request(t.app).get(`/api/users/${UNKNOWN_ID}/security-events`).set(bearer(admin.accessToken));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });
});
