/**
 * Bad input at every users route (and the development mailbox): each answer is a 4xx
 * problem+json, never a fault, and a 400 names each failing field (`in` + JSON pointer).
 * Then random JSON values, path ids and query strings (fast-check) at the same routes.
 */
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeUser,
  adminUser,
  bearer,
  login,
  OTHER_PASSWORD,
  PASSWORD,
  type RegisteredUser,
  startAura,
  type TestAura,
  type Tokens,
} from './users-e2e-support.js';

let t: TestAura;
let admin: RegisteredUser & Tokens;
/** Used where a route might, by chance, accept the input and end sessions (logout-all). */
let expendable: Tokens;

beforeAll(async () => {
  t = await startAura('embedded');
  admin = await adminUser(t.aura, t.app);
  const user = await activeUser(t.app);
  expendable = await login(t.app, user.email, user.password);
});
afterAll(async () => {
  await t?.close();
});

const UNKNOWN_ID = '0190aaaa-bbbb-7ccc-8ddd-0000000000ee';

type Method = 'get' | 'post' | 'patch';
interface BodyRoute {
  readonly method: Method;
  readonly path: string;
  readonly auth: boolean;
  /** A body that passes validation (never sent as is: only mutated). */
  readonly valid: Record<string, unknown>;
  /** Fields that must be strings, with a value over their length limit. */
  readonly oversized: Record<string, string>;
}

const long = (n: number) => 'x'.repeat(n);
const longEmail = `${long(390)}@example.com`;

/** Every route that takes a JSON body. */
const bodyRoutes: readonly BodyRoute[] = [
  {
    method: 'post',
    path: '/api/auth/register',
    auth: false,
    valid: { email: 'fuzz-register@example.com', password: PASSWORD, displayName: 'Fuzz', role: 'patient' },
    oversized: { email: longEmail, password: long(2000), displayName: long(300), timeZone: long(100), locale: long(100) },
  },
  { method: 'post', path: '/api/auth/verify-email', auth: false, valid: { token: 'abc' }, oversized: { token: long(500) } },
  {
    method: 'post',
    path: '/api/auth/resend-verification',
    auth: false,
    valid: { email: 'fuzz@example.com' },
    oversized: { email: longEmail },
  },
  {
    method: 'post',
    path: '/api/auth/login',
    auth: false,
    valid: { email: 'fuzz@example.com', password: 'whatever it is' },
    oversized: { email: longEmail, password: long(2000) },
  },
  {
    method: 'post',
    path: '/api/auth/refresh',
    auth: false,
    valid: { refreshToken: 'abc' },
    oversized: { refreshToken: long(500) },
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    auth: false,
    valid: { refreshToken: 'abc' },
    oversized: { refreshToken: long(500) },
  },
  {
    method: 'post',
    path: '/api/auth/password-reset/request',
    auth: false,
    valid: { email: 'fuzz@example.com' },
    oversized: { email: longEmail },
  },
  {
    method: 'post',
    path: '/api/auth/password-reset/confirm',
    auth: false,
    valid: { token: 'abc', newPassword: OTHER_PASSWORD },
    oversized: { token: long(500), newPassword: long(2000) },
  },
  {
    method: 'post',
    path: '/api/users/me/password',
    auth: true,
    valid: { currentPassword: 'not the current one', newPassword: OTHER_PASSWORD },
    oversized: { currentPassword: long(2000), newPassword: long(2000) },
  },
  {
    method: 'patch',
    path: '/api/users/me',
    auth: true,
    valid: { displayName: 'Fuzzed Name' },
    oversized: { displayName: long(300), timeZone: long(100), locale: long(100) },
  },
  {
    method: 'post',
    path: `/api/users/${UNKNOWN_ID}/deactivate`,
    auth: true,
    valid: { reason: 'fuzz' },
    oversized: { reason: long(600) },
  },
];

/** A request with the admin's token, another token, or none (`null`). */
const call = (method: Method, path: string, auth: string | null = admin.accessToken) => {
  const req = request(t.app)[method](path);
  return auth === null ? req : req.set(bearer(auth));
};

/** A client error, as problem+json; a 400 other than malformed JSON lists its fields. */
function expectClientError(res: request.Response, what: string): void {
  const context = `${what} → ${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, context).toBeGreaterThanOrEqual(400);
  expect(res.status, context).toBeLessThan(500);
  expect(res.headers['content-type'], context).toMatch(/^application\/problem\+json/);
  expect(res.body, context).toMatchObject({ type: expect.stringMatching(/^urn:aura:problem:/), status: res.status });
  if (res.status === 400 && !['urn:aura:problem:malformed_json', 'urn:aura:problem:bad_request'].includes(res.body.type)) {
    expect(Array.isArray(res.body.errors), context).toBe(true);
    expect(res.body.errors.length, context).toBeGreaterThan(0);
    for (const error of res.body.errors) {
      expect(error, context).toMatchObject({
        in: expect.stringMatching(/^(body|query|params|headers)$/),
        detail: expect.any(String),
      });
      expect(error.pointer, context).toMatch(/^#/);
    }
  }
}

/** A validation 400 pointing at `pointer` in `location`. */
function expectFieldError(res: request.Response, location: string, pointer: string, what: string): void {
  expectClientError(res, what);
  expect(res.status, what).toBe(400);
  expect(res.body.errors, `${what}: ${JSON.stringify(res.body)}`).toContainEqual(
    expect.objectContaining({ in: location, pointer }),
  );
}

const WRONG_TYPES: readonly unknown[] = [12345, true, null, {}, [], ['x'], { nested: 'x' }];

describe.each(bodyRoutes)('$method $path: bad bodies', (route) => {
  const send = (body: string, type = 'application/json') => call(route.method, route.path).set('content-type', type).send(body);

  it('refuses a missing body', async () => {
    expectClientError(await call(route.method, route.path), 'no body');
    const empty = await send('');
    expectClientError(empty, 'empty JSON body');
  });

  it('refuses JSON that is not an object', async () => {
    // `null` means "no body", which a route with an optional body (deactivate) accepts.
    const optionalBody = route.path.endsWith('/deactivate');
    for (const body of ['[]', '[1,2]', '"x"', '1', ...(optionalBody ? [] : ['null']), 'true']) {
      const res = await send(body);
      expectClientError(res, body);
      expect(res.status, body).toBe(400);
    }
  });

  it('refuses malformed JSON, another media type and an oversized body', async () => {
    for (const body of ['{', '{"a":', "{'a':1}", '{"a":1,}', 'nope']) {
      const res = await send(body);
      expectClientError(res, body);
      expect(res.body.type).toBe('urn:aura:problem:malformed_json');
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await send(JSON.stringify(route.valid), type);
      expectClientError(res, type);
      expect(res.status, type).toBe(415);
    }
    const big = await send(JSON.stringify({ ...route.valid, padding: long(200_000) }));
    expectClientError(big, 'oversized body');
    expect(big.status).toBe(413);
  });

  it('refuses a wrong type in each field, naming the field', async () => {
    for (const field of Object.keys(route.valid)) {
      for (const value of WRONG_TYPES) {
        // `reason` is optional: null is not allowed, but neither is anything else that is not a string.
        const res = await call(route.method, route.path).send({ ...route.valid, [field]: value });
        expectFieldError(res, 'body', `#/${field}`, `${field}=${JSON.stringify(value)}`);
      }
    }
  });

  it('refuses an unknown field, naming it', async () => {
    const res = await call(route.method, route.path).send({ ...route.valid, isAdmin: true });
    expectFieldError(res, 'body', '#/isAdmin', 'extra field');
    const odd = await call(route.method, route.path).send({ ...route.valid, 'a/b~c': 1 });
    expectFieldError(odd, 'body', '#/a~1b~0c', 'extra field with pointer characters');
    const proto = await call(route.method, route.path)
      .set('content-type', 'application/json')
      .send(`{"__proto__":{"role":"admin"},${JSON.stringify(route.valid).slice(1)}`);
    expectClientError(proto, '__proto__ key');
  });

  it('refuses strings over their limits, naming the field', async () => {
    for (const [field, value] of Object.entries(route.oversized)) {
      const res = await call(route.method, route.path).send({ ...route.valid, [field]: value });
      expectClientError(res, `${field} of ${value.length} characters`);
      expect(res.status).toBe(400);
      expect(res.body.errors).toContainEqual(expect.objectContaining({ in: 'body', pointer: `#/${field}` }));
    }
  });

  it('answers random JSON values with a client error, never a fault', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const res = await send(JSON.stringify(value));
        expect(res.status, JSON.stringify(value)).toBeLessThan(500);
        if (res.status >= 400) expectClientError(res, JSON.stringify(value));
      }),
      { numRuns: 30 },
    );
  });

  it('answers random objects made of its own field names with a client error or success, never a fault', async () => {
    const keys = [...Object.keys(route.valid), ...Object.keys(route.oversized)];
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 1 })), async (value) => {
        const res = await call(route.method, route.path).send(value);
        expect(res.status, JSON.stringify(value)).toBeLessThan(500);
        if (res.status >= 400) expectClientError(res, JSON.stringify(value));
      }),
      { numRuns: 30 },
    );
  });
});

describe.each(bodyRoutes.filter((route) => route.auth))('$method $path: no token', (route) => {
  it('refuses the request without an access token before reading the body', async () => {
    const res = await call(route.method, route.path, null).send(route.valid);
    expectClientError(res, 'no token');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    const bad = await call(route.method, route.path, null).send({ nonsense: 1 });
    expect(bad.status).toBe(401);
  });
});

describe('role values', () => {
  it('refuses admin (or anything else) as a self-chosen role at registration', async () => {
    for (const role of ['admin', 'root', 'PATIENT', '']) {
      const res = await call('post', '/api/auth/register').send({
        email: `role-${role || 'empty'}@example.com`,
        password: PASSWORD,
        displayName: 'Role Tester',
        role,
      });
      expectFieldError(res, 'body', '#/role', `role ${role}`);
    }
  });
});

describe('routes without a body', () => {
  const noBodyRoutes: ReadonlyArray<{ method: Method; path: string; token: () => string | null }> = [
    { method: 'post', path: '/api/auth/logout-all', token: () => expendable.accessToken },
    { method: 'get', path: '/api/users/me', token: () => admin.accessToken },
    { method: 'get', path: '/api/users', token: () => admin.accessToken },
    { method: 'get', path: `/api/users/${UNKNOWN_ID}`, token: () => admin.accessToken },
    { method: 'post', path: `/api/users/${UNKNOWN_ID}/reactivate`, token: () => admin.accessToken },
    { method: 'get', path: `/api/users/${UNKNOWN_ID}/security-events`, token: () => admin.accessToken },
    { method: 'get', path: '/dev/mailbox', token: () => null },
  ];

  it.each(noBodyRoutes)('$method $path refuses malformed JSON', async ({ method, path, token }) => {
    for (const body of ['{', '{"a":', 'nope']) {
      const res = await call(method, path, token()).set('content-type', 'application/json').send(body);
      expectClientError(res, body);
      expect(res.body.type).toBe('urn:aura:problem:malformed_json');
    }
  });

  it.each(noBodyRoutes.filter((route) => route.path !== '/dev/mailbox'))(
    '$method $path refuses a missing, malformed or foreign token',
    async ({ method, path }) => {
      for (const header of [undefined, 'Bearer', 'Bearer x.y.z', 'Token abc', `Bearer ${'a'.repeat(10_000)}`]) {
        const req = request(t.app)[method](path);
        const res = header === undefined ? await req : await req.set('authorization', header);
        expectClientError(res, `authorization ${String(header).slice(0, 20)}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    },
  );
});

describe('path ids', () => {
  const idRoutes: ReadonlyArray<{ name: string; method: Method; path: (id: string) => string }> = [
    { name: 'GET /api/users/:id', method: 'get', path: (id) => `/api/users/${id}` },
    { name: 'POST /api/users/:id/deactivate', method: 'post', path: (id) => `/api/users/${id}/deactivate` },
    { name: 'POST /api/users/:id/reactivate', method: 'post', path: (id) => `/api/users/${id}/reactivate` },
    { name: 'GET /api/users/:id/security-events', method: 'get', path: (id) => `/api/users/${id}/security-events` },
  ];

  it.each(idRoutes)('$name refuses ids that are not UUIDs, naming the parameter', async ({ method, path }) => {
    for (const id of [
      'not-a-uuid',
      '123',
      '0190aaaa-bbbb-7ccc-8ddd-0000000000eg',
      `${UNKNOWN_ID}0`,
      long(300),
      'me%20',
      "1'or'1'='1",
    ]) {
      const req = call(method, path(id));
      const res = method === 'post' ? await req.send({}) : await req;
      expectFieldError(res, 'params', '#/id', id.slice(0, 40));
    }
  });

  it.each(idRoutes)('$name answers malformed percent-escapes with a client error', async ({ method, path }) => {
    for (const id of ['%', '%E0%A4%A', '%zz']) {
      const req = call(method, path(id));
      const res = method === 'post' ? await req.send({}) : await req;
      expectClientError(res, id);
      expect(res.status).toBe(400);
    }
  });

  it.each(idRoutes)('$name never faults on random ids', async ({ method, path }) => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 60 }), async (raw) => {
        const req = call(method, path(encodeURIComponent(raw)));
        const res = method === 'post' ? await req.send({}) : await req;
        expect(res.status, raw).toBeLessThan(500);
        if (res.status >= 400) expectClientError(res, raw);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a reactivation of a non-UUID for a patient with 403 before validation', async () => {
    const user = await activeUser(t.app);
    const { accessToken } = await login(t.app, user.email, user.password);
    const res = await call('post', '/api/users/not-a-uuid/reactivate', accessToken);
    expectClientError(res, 'patient');
    expect(res.status).toBe(403);
  });
});

describe('query strings', () => {
  const listQueries: ReadonlyArray<[string, Record<string, string>, string]> = [
    ['limit 0', { limit: '0' }, '#/limit'],
    ['limit 1000', { limit: '1000' }, '#/limit'],
    ['limit 101', { limit: '101' }, '#/limit'],
    ['limit abc', { limit: 'abc' }, '#/limit'],
    ['limit 1.5', { limit: '1.5' }, '#/limit'],
    ['limit -1', { limit: '-1' }, '#/limit'],
    ['limit empty', { limit: '' }, '#/limit'],
    ['cursor not a uuid', { cursor: 'nope' }, '#/cursor'],
    ['unknown key', { sort: 'email' }, '#/sort'],
  ];

  it.each(listQueries)('GET /api/users refuses %s', async (_name, query, pointer) => {
    expectFieldError(await call('get', '/api/users').query(query), 'query', pointer, JSON.stringify(query));
  });

  it.each([
    ['role root', { role: 'root' }, '#/role'],
    ['role in capitals', { role: 'ADMIN' }, '#/role'],
    ['status unknown', { status: 'banned' }, '#/status'],
  ] as const)('GET /api/users refuses %s', async (_name, query, pointer) => {
    expectFieldError(await call('get', '/api/users').query(query), 'query', pointer, JSON.stringify(query));
  });

  it.each(listQueries)('GET /api/users/:id/security-events refuses %s', async (_name, query, pointer) => {
    expectFieldError(
      await call('get', `/api/users/${UNKNOWN_ID}/security-events`).query(query),
      'query',
      pointer,
      JSON.stringify(query),
    );
  });

  it('refuses repeated query keys', async () => {
    expectClientError(await call('get', '/api/users?limit=1&limit=2'), 'repeated limit');
    expectClientError(await call('get', '/api/users?role=patient&role=admin'), 'repeated role');
    expectClientError(await call('get', '/dev/mailbox?to=a@example.com&to=b@example.com'), 'repeated to');
  });

  it.each([
    ['limit 0', { limit: '0' }, '#/limit'],
    ['limit 1000', { limit: '1000' }, '#/limit'],
    ['limit abc', { limit: 'abc' }, '#/limit'],
    ['to not an email', { to: 'not-an-email' }, '#/to'],
    ['to of 400 characters', { to: longEmail }, '#/to'],
    ['unknown key', { from: 'x' }, '#/from'],
  ] as const)('GET /dev/mailbox refuses %s', async (_name, query, pointer) => {
    expectFieldError(await call('get', '/dev/mailbox', null).query(query), 'query', pointer, JSON.stringify(query));
  });

  it('GET /dev/mailbox/:id refuses an id over 100 characters', async () => {
    expectFieldError(await call('get', `/dev/mailbox/${long(101)}`, null), 'params', '#/id', 'long mail id');
  });

  it.each(['/api/users', `/api/users/${UNKNOWN_ID}/security-events`, '/dev/mailbox'])(
    'GET %s never faults on random query strings',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(
            fc.oneof(fc.constantFrom('limit', 'cursor', 'role', 'status', 'to'), fc.string({ minLength: 1, maxLength: 10 })),
            fc.string({ maxLength: 40 }),
          ),
          async (query) => {
            const res = await call('get', path).query(query);
            expect(res.status, JSON.stringify(query)).toBeLessThan(500);
            if (res.status >= 400) expectClientError(res, JSON.stringify(query));
          },
        ),
        { numRuns: 30 },
      );
    },
  );
});

describe('after all of it', () => {
  it('left the admin able to act', async () => {
    const me = await call('get', '/api/users/me');
    expect(me.status).toBe(200);
    expect(me.body.role).toBe('admin');
  });
});
