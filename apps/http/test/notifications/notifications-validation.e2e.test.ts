/**
 * Bad input at every notifications route: each answer is a 4xx problem+json, never a fault,
 * and a 400 names each failing field (`in` + JSON pointer). Then random JSON values, path ids,
 * query strings and signed receipts (fast-check) at the same routes. And the OpenAPI document
 * describes every notifications operation with its auth and its problem responses.
 */
import { randomUUID } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUser, bearer, type RegisteredUser, type TestAura, type Tokens } from '../users/users-e2e-support.js';
import {
  loggedInPatient,
  perTarget,
  postReceipt,
  signedReceipt,
  startNotificationsAura,
  TARGETS,
  waitForStatus,
} from './notifications-e2e-support.js';

const UNKNOWN_ID = '0190aaaa-bbbb-7ccc-8ddd-0000000000cd';
/** SMS is configured (so receipts can be signed), with a provider nobody listens at. */
const SMS_SECRET = 'validation-sms-secret-0123456789abcdefghij';
const EMAIL_WEBHOOK_SECRET = 'validation-email-secret-0123456789abcdefgh';
const long = (n: number) => 'x'.repeat(n);

type Method = 'get' | 'post' | 'put';

interface BodyRoute {
  readonly method: Method;
  readonly path: string;
  /** `admin` routes are called with the admin's token, the others with a patient's. */
  readonly as: 'admin' | 'patient';
  /** A body that passes validation (only ever sent mutated). */
  readonly valid: Record<string, unknown>;
  /** Per field, values of the wrong type or shape. */
  readonly wrong: Record<string, readonly unknown[]>;
  /** Per field, a string over its limit. */
  readonly oversized: Record<string, string>;
  /** Every field is optional: an empty JSON body (parsed as `{}`) is a valid request. */
  readonly emptyIsValid?: boolean;
}

const content = { channel: 'email', category: 'transactional', subject: 'Fuzz', message: 'Fuzz.' };
const email = { address: 'fuzz@example.com', ...content };
const contentWrong = {
  channel: [12345, true, null, {}, [], 'fax', 'EMAIL'],
  category: [12345, true, null, {}, 'marketing'],
  subject: [12345, true, null, {}, []],
  message: [12345, true, null, {}, []],
  priority: [12345, 'urgent', null, {}],
  metadata: [12345, 'x', [], null, { a: { b: 1 } }, { a: [1] }],
  sendAt: [12345, 'tomorrow', '2030-01-01', null, {}],
  locale: [12345, 'x', null, {}],
};

const bodyRoutes: readonly BodyRoute[] = [
  {
    method: 'post',
    path: '/api/notifications',
    as: 'admin',
    valid: email,
    wrong: {
      ...contentWrong,
      address: [12345, true, null, {}, [], ['x']],
      userId: [12345, 'not-a-uuid', null, {}],
      deduplicationKey: [12345, '', null, {}, []],
    },
    oversized: { address: long(4097), subject: long(201), message: long(10_001), deduplicationKey: long(256), locale: long(36) },
  },
  {
    method: 'post',
    path: '/api/notifications/bulk',
    as: 'admin',
    valid: { ...content, recipients: [{ address: 'fuzz@example.com' }] },
    wrong: {
      ...contentWrong,
      recipients: [
        12345,
        'x',
        null,
        {},
        [],
        [{}],
        [{ address: 12 }],
        [{ userId: 'nope' }],
        [{ address: 'a@example.com', extra: 1 }],
      ],
      deduplicationKey: [12345, '', null, {}],
    },
    oversized: { subject: long(201), message: long(10_001), deduplicationKey: long(201) },
  },
  {
    method: 'put',
    path: '/api/notifications/preferences',
    as: 'patient',
    valid: {
      channels: { email: { reminder: true } },
      quietHours: { start: '22:00', end: '07:00' },
      phoneNumber: '+4915112345678',
      pushToken: 'device-token-0123456789',
    },
    wrong: {
      channels: [12345, true, 'x', [], null, { email: 'x' }, { email: { reminder: 'yes' } }, { email: { security: false } }],
      quietHours: [12345, true, 'x', [], {}, { start: 2200, end: '07:00' }],
      phoneNumber: [12345, true, {}, []],
      pushToken: [12345, true, {}, []],
    },
    oversized: { phoneNumber: long(33), pushToken: long(4097) },
    emptyIsValid: true,
  },
  {
    method: 'post',
    path: '/api/notifications/cancel',
    as: 'admin',
    valid: { deduplicationKey: 'fuzz-unknown-key' },
    wrong: { deduplicationKey: [12345, true, null, {}, [], ''] },
    oversized: { deduplicationKey: long(256) },
  },
];

/** Routes without a body, with a valid path. */
const noBodyRoutes: ReadonlyArray<{ method: Method; path: string; as: 'admin' | 'patient' }> = [
  { method: 'get', path: '/api/notifications', as: 'patient' },
  { method: 'get', path: '/api/notifications/statistics', as: 'admin' },
  { method: 'get', path: '/api/notifications/preferences', as: 'patient' },
  { method: 'get', path: `/api/notifications/${UNKNOWN_ID}`, as: 'patient' },
  { method: 'post', path: `/api/notifications/${UNKNOWN_ID}/cancel`, as: 'admin' },
];

/** A client error, as problem+json; a 400 other than malformed JSON lists its fields. */
function expectClientError(res: request.Response, what: string, without: readonly string[] = []): void {
  const context = `${what} → ${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, context).toBeGreaterThanOrEqual(400);
  expect(res.status, context).toBeLessThan(500);
  expect(res.headers['content-type'], context).toMatch(/^application\/problem\+json/);
  expect(res.body, context).toMatchObject({ type: expect.stringMatching(/^urn:aura:problem:/), status: res.status });
  const exempt = ['malformed_json', 'bad_request', ...without].map((type) => `urn:aura:problem:${type}`);
  if (res.status === 400 && !exempt.includes(res.body.type)) {
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

/** A validation 400 naming `pointer` (or something inside it) in `location`. */
function expectFieldError(res: request.Response, location: string, pointer: string, what: string): void {
  expectClientError(res, what);
  expect(res.status, what).toBe(400);
  const named = (res.body.errors as Array<{ in: string; pointer: string }>).some(
    (error) => error.in === location && (error.pointer === pointer || error.pointer.startsWith(`${pointer}/`)),
  );
  expect(named, `${what}: ${pointer} in ${JSON.stringify(res.body.errors)}`).toBe(true);
}

/** Any answer but a fault; a client error must be a proper one. */
function expectNoFault(res: request.Response, what: string, without: readonly string[] = []): void {
  expect(res.status, `${what} → ${res.status} ${JSON.stringify(res.body)}`).toBeLessThan(500);
  if (res.status >= 400) expectClientError(res, what, without);
}

const setups = perTarget(
  async (target) => {
    const t = await startNotificationsAura(target, {
      NOTIFICATIONS_SMS_URL: 'http://127.0.0.1:9/sms',
      NOTIFICATIONS_SMS_SECRET: SMS_SECRET,
      NOTIFICATIONS_EMAIL_WEBHOOK_SECRET: EMAIL_WEBHOOK_SECRET,
    });
    try {
      return { t, admin: await adminUser(t.aura, t.app), patient: await loggedInPatient(t.app) };
    } catch (error) {
      await t.close();
      throw error;
    }
  },
  ({ t }) => t.close(),
);
afterAll(() => setups.close());

describe.each(TARGETS)('notifications validation (%s)', (target) => {
  let t: TestAura;
  let admin: RegisteredUser & Tokens;
  let patient: RegisteredUser & Tokens;

  beforeAll(async () => {
    ({ t, admin, patient } = await setups.get(target));
  });

  const tokenOf = (as: 'admin' | 'patient' | null) =>
    as === null ? null : as === 'admin' ? admin.accessToken : patient.accessToken;
  const call = (method: Method, path: string, as: 'admin' | 'patient' | null) => {
    const req = request(t.app)[method](path);
    const token = tokenOf(as);
    return token === null ? req : req.set(bearer(token));
  };

  describe.each(bodyRoutes)('$method $path: bad bodies', (route) => {
    const send = (body: string, type = 'application/json') =>
      call(route.method, route.path, route.as).set('content-type', type).send(body);
    const sendJson = (body: unknown) => call(route.method, route.path, route.as).send(body as object);

    it('refuses a missing body and JSON that is not an object', async () => {
      expectClientError(await call(route.method, route.path, route.as), 'no body');
      const empty = await send('');
      if (route.emptyIsValid === true) expect(empty.status).toBe(200);
      else expectClientError(empty, 'empty body');
      for (const body of ['[]', '[1,2]', '"x"', '1', 'null', 'true']) {
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
      for (const [field, values] of Object.entries(route.wrong)) {
        for (const value of values) {
          const res = await sendJson({ ...route.valid, [field]: value });
          expectFieldError(res, 'body', `#/${field}`, `${field}=${JSON.stringify(value)}`);
        }
      }
    });

    it('refuses an unknown field, naming it', async () => {
      expectFieldError(await sendJson({ ...route.valid, isAdmin: true }), 'body', '#/isAdmin', 'extra field');
      expectFieldError(
        await sendJson({ ...route.valid, 'a/b~c': 1 }),
        'body',
        '#/a~1b~0c',
        'extra field with pointer characters',
      );
      const proto = await send(`{"__proto__":{"role":"admin"},${JSON.stringify(route.valid).slice(1)}`);
      expectClientError(proto, '__proto__ key');
    });

    it('refuses strings over their limits, naming the field', async () => {
      for (const [field, value] of Object.entries(route.oversized)) {
        expectFieldError(await sendJson({ ...route.valid, [field]: value }), 'body', `#/${field}`, `${field} of ${value.length}`);
      }
    });

    it('refuses the request without an access token before reading the body', async () => {
      const res = await call(route.method, route.path, null).send(route.valid);
      expectClientError(res, 'no token');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect((await call(route.method, route.path, null).send({ nonsense: 1 })).status).toBe(401);
    });

    it('answers random JSON values with a client error, never a fault', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (value) => {
          expectNoFault(await send(JSON.stringify(value)), JSON.stringify(value));
        }),
        { numRuns: 20 },
      );
    });

    it('answers random objects made of its own field names with a client error or success, never a fault', async () => {
      const keys = [...new Set([...Object.keys(route.valid), ...Object.keys(route.wrong), 'template', 'variables', 'userId'])];
      await fc.assert(
        fc.asyncProperty(fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 })), async (value) => {
          expectNoFault(await sendJson(value), JSON.stringify(value));
        }),
        { numRuns: 20 },
      );
    });
  });

  describe('text the database cannot store', () => {
    it.each([
      ['subject', { ...email, subject: 'a\u0000b' }],
      ['message', { ...email, message: 'a\u0000b' }],
      ['deduplicationKey', { ...email, deduplicationKey: 'k\u0000' }],
      ['metadata', { ...email, metadata: { note: 'a\u0000b' } }],
      ['address', { ...email, address: 'fuzz\u0000@example.com' }],
    ])('POST /api/notifications with a NUL in %s is a client error', async (_field, body) => {
      expectNoFault(await call('post', '/api/notifications', 'admin').send(body), JSON.stringify(body));
    });

    it('POST /api/notifications/bulk with a NUL in the message is a client error', async () => {
      const body = { ...content, message: 'a\u0000b', recipients: [{ address: 'fuzz@example.com' }] };
      expectNoFault(await call('post', '/api/notifications/bulk', 'admin').send(body), JSON.stringify(body));
    });

    it('POST /api/notifications/cancel with a NUL in the key is a client error', async () => {
      expectNoFault(
        await call('post', '/api/notifications/cancel', 'admin').send({ deduplicationKey: 'k\u0000' }),
        'cancel by a key with NUL',
      );
    });

    it.each([
      ['id', (id: string) => ({ id: 'r\u0000', notificationId: id, status: 'delivered' })],
      [
        'reason',
        (id: string) => ({ id: `r-${randomUUID()}`, notificationId: id, status: 'bounced', reason: 'mailbox \u0000 full' }),
      ],
    ] as const)('a signed receipt with a NUL in its %s is a client error or acknowledged', async (_field, receiptFor) => {
      const sent = await call('post', '/api/notifications', 'admin').send({ ...email, address: 'receipt-nul@example.com' });
      expect(sent.status).toBe(202);
      const id = sent.body.notification.id as string;
      await waitForStatus(t.app, admin.accessToken, id, 'sent');
      const { body, signature } = signedReceipt(EMAIL_WEBHOOK_SECRET, receiptFor(id));
      expectNoFault(await postReceipt(t.app, 'email', body, signature), body, ['notifications.invalid_receipt']);
    });

    it('GET /api/notifications with a NUL in the recipient is a client error or nothing found', async () => {
      expectNoFault(
        await call('get', '/api/notifications', 'admin').query({ recipient: 'a\u0000b@example.com' }),
        'recipient with NUL',
      );
    });

    it('PUT /api/notifications/preferences with a NUL is a client error', async () => {
      for (const body of [
        { phoneNumber: '+4915112345678\u0000' },
        { pushToken: 'device-token-0123456789\u0000' },
        { quietHours: { start: '22:00\u0000', end: '07:00' } },
      ]) {
        expectNoFault(await call('put', '/api/notifications/preferences', 'patient').send(body), JSON.stringify(body));
      }
    });
  });

  describe('routes without a body', () => {
    it.each(noBodyRoutes)('$method $path refuses malformed JSON', async ({ method, path, as }) => {
      for (const body of ['{', '{"a":', 'nope']) {
        const res = await call(method, path, as).set('content-type', 'application/json').send(body);
        expectClientError(res, body);
        expect(res.body.type).toBe('urn:aura:problem:malformed_json');
      }
    });

    it.each(noBodyRoutes)('$method $path refuses a missing, malformed or foreign token', async ({ method, path }) => {
      for (const header of [undefined, 'Bearer', 'Bearer x.y.z', 'Token abc', `Bearer ${'a'.repeat(10_000)}`]) {
        const req = request(t.app)[method](path);
        const res = header === undefined ? await req : await req.set('authorization', header);
        expectClientError(res, `authorization ${String(header).slice(0, 20)}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    });
  });

  describe('path parameters', () => {
    const idRoutes: ReadonlyArray<{ name: string; method: Method; path: (id: string) => string }> = [
      { name: 'GET /api/notifications/:id', method: 'get', path: (id) => `/api/notifications/${id}` },
      { name: 'POST /api/notifications/:id/cancel', method: 'post', path: (id) => `/api/notifications/${id}/cancel` },
    ];

    it.each(idRoutes)('$name refuses ids that are not UUIDs, naming the parameter', async ({ method, path }) => {
      for (const id of ['not-a-uuid', '123', '0190aaaa-bbbb-7ccc-8ddd-0000000000eg', `${UNKNOWN_ID}0`, long(300), "1'or'1'='1"]) {
        expectFieldError(await call(method, path(id), 'admin'), 'params', '#/id', id.slice(0, 40));
      }
    });

    it.each(idRoutes)('$name answers malformed percent-escapes with a client error', async ({ method, path }) => {
      for (const id of ['%', '%E0%A4%A', '%zz']) {
        const res = await call(method, path(id), 'admin');
        expectClientError(res, id);
        expect(res.status).toBe(400);
      }
    });

    it.each(idRoutes)('$name never faults on random ids', async ({ method, path }) => {
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1, maxLength: 60 }), async (raw) => {
          expectNoFault(await call(method, path(encodeURIComponent(raw)), 'admin'), raw);
        }),
        { numRuns: 20 },
      );
    });

    it('an unknown UUID is a 404, in capitals too', async () => {
      for (const id of [UNKNOWN_ID, UNKNOWN_ID.toUpperCase()]) {
        const res = await call('get', `/api/notifications/${id}`, 'admin');
        expectClientError(res, id);
        expect(res.status).toBe(404);
      }
    });

    it('refuses a provider that is not a channel, naming the parameter', async () => {
      for (const provider of ['fax', 'SMS', 'constructor', '__proto__', long(100)]) {
        const res = await request(t.app).post(`/api/notifications/webhooks/${provider}`).send({});
        expectFieldError(res, 'params', '#/provider', provider.slice(0, 20));
      }
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), async (raw) => {
          expectNoFault(
            await request(t.app)
              .post(`/api/notifications/webhooks/${encodeURIComponent(raw)}`)
              .send({}),
            raw,
          );
        }),
        { numRuns: 20 },
      );
    });
  });

  describe('query strings', () => {
    const listQueries: ReadonlyArray<[string, Record<string, string>, string]> = [
      ['limit 0', { limit: '0' }, '#/limit'],
      ['limit 1000', { limit: '1000' }, '#/limit'],
      ['limit abc', { limit: 'abc' }, '#/limit'],
      ['limit 1.5', { limit: '1.5' }, '#/limit'],
      ['limit -1', { limit: '-1' }, '#/limit'],
      ['limit empty', { limit: '' }, '#/limit'],
      ['cursor not a uuid', { cursor: 'nope' }, '#/cursor'],
      ['userId not a uuid', { userId: 'nope' }, '#/userId'],
      ['status unknown', { status: 'bogus' }, '#/status'],
      ['channel unknown', { channel: 'fax' }, '#/channel'],
      ['category unknown', { category: 'marketing' }, '#/category'],
      ['from not a date', { from: 'yesterday' }, '#/from'],
      ['to without a time', { to: '2026-01-01' }, '#/to'],
      ['to month 13', { to: '2026-13-01T00:00:00Z' }, '#/to'],
      ['recipient empty', { recipient: '' }, '#/recipient'],
      ['recipient of 5000 characters', { recipient: long(5000) }, '#/recipient'],
      ['unknown key', { sort: 'createdAt' }, '#/sort'],
    ];

    it.each(listQueries)('GET /api/notifications refuses %s', async (_name, query, pointer) => {
      expectFieldError(await call('get', '/api/notifications', 'admin').query(query), 'query', pointer, JSON.stringify(query));
    });

    it.each([
      ['from not a date', { from: 'x' }, '#/from'],
      ['to not a date', { to: '1700000000' }, '#/to'],
      ['channel unknown', { channel: 'fax' }, '#/channel'],
      ['unknown key', { limit: '10' }, '#/limit'],
    ] as const)('GET /api/notifications/statistics refuses %s', async (_name, query, pointer) => {
      expectFieldError(
        await call('get', '/api/notifications/statistics', 'admin').query(query),
        'query',
        pointer,
        JSON.stringify(query),
      );
    });

    it('GET /api/notifications/preferences refuses nothing it does not read, and never faults', async () => {
      expectNoFault(
        await call('get', '/api/notifications/preferences', 'patient').query({ anything: 'x' }),
        'query on preferences',
      );
    });

    it('refuses repeated query keys', async () => {
      expectClientError(await call('get', '/api/notifications?limit=1&limit=2', 'admin'), 'repeated limit');
      expectClientError(await call('get', '/api/notifications?status=sent&status=pending', 'admin'), 'repeated status');
      expectClientError(
        await call('get', '/api/notifications/statistics?channel=email&channel=sms', 'admin'),
        'repeated channel',
      );
    });

    it.each([
      ['/api/notifications', ['limit', 'cursor', 'userId', 'recipient', 'status', 'channel', 'category', 'from', 'to']],
      ['/api/notifications/statistics', ['from', 'to', 'channel']],
    ] as const)('GET %s never faults on random query strings', async (path, keys) => {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(
            fc.oneof(fc.constantFrom(...keys), fc.string({ minLength: 1, maxLength: 10 })),
            fc.string({ maxLength: 40 }),
          ),
          async (query) => {
            expectNoFault(await call('get', path, 'admin').query(query), JSON.stringify(query));
          },
        ),
        { numRuns: 25 },
      );
    });

    it('a patient is refused admin filters before anything else', async () => {
      const res = await call('get', '/api/notifications', 'patient').query({ recipient: 'someone@example.com' });
      expectClientError(res, 'recipient as a patient');
      expect(res.status).toBe(403);
    });
  });

  describe('receipt webhooks', () => {
    it('refuses unsigned random bodies with 401, never a fault', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (value) => {
          const res = await postReceipt(t.app, 'sms', JSON.stringify(value), undefined);
          expectNoFault(res, JSON.stringify(value));
          expect(res.status).toBe(401);
        }),
        { numRuns: 20 },
      );
    });

    it('answers signed random JSON and random receipt-like objects with 200 or a client error, never a fault', async () => {
      const receiptLike = fc.record(
        {
          id: fc.oneof(fc.string({ maxLength: 250 }), fc.jsonValue()),
          notificationId: fc.oneof(fc.uuid(), fc.string(), fc.jsonValue()),
          status: fc.oneof(fc.constantFrom('delivered', 'bounced', 'failed', 'read'), fc.jsonValue()),
          reason: fc.oneof(fc.string({ maxLength: 1100 }), fc.jsonValue()),
          occurredAt: fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            fc.string(),
            fc.jsonValue(),
          ),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue(), receiptLike), async (value) => {
          const { body, signature } = signedReceipt(SMS_SECRET, JSON.stringify(value));
          const res = await postReceipt(t.app, 'sms', body, signature);
          // invalid_receipt has its own test below (it names no field).
          expectNoFault(res, body, ['notifications.invalid_receipt']);
          if (res.status === 200) expect(['applied', 'replayed', 'unknown_notification', 'ignored']).toContain(res.body.outcome);
        }),
        { numRuns: 30 },
      );
    });

    it('acknowledges a valid receipt for an unknown notification once, then as a replay', async () => {
      const { body, signature } = signedReceipt(SMS_SECRET, {
        id: `r-${randomUUID()}`,
        notificationId: randomUUID(),
        status: 'failed',
      });
      expect((await postReceipt(t.app, 'sms', body, signature)).body).toEqual({ outcome: 'unknown_notification' });
      expect((await postReceipt(t.app, 'sms', body, signature)).body).toEqual({ outcome: 'replayed' });
    });

    it('names the failing receipt field in a 400 with a pointer', async () => {
      const { body, signature } = signedReceipt(SMS_SECRET, { id: 'r', notificationId: 'not-a-uuid', status: 'delivered' });
      expectFieldError(await postReceipt(t.app, 'sms', body, signature), 'body', '#/notificationId', 'bad notificationId');
    });
  });

  describe('the OpenAPI document', () => {
    // biome-ignore lint/suspicious/noExplicitAny: checked by the validator and the assertions below
    let doc: any;
    beforeAll(async () => {
      const res = await request(t.app).get('/openapi.json');
      expect(res.status).toBe(200);
      doc = res.body;
    });

    const OPERATIONS: ReadonlyArray<{
      method: string;
      path: string;
      operationId: string;
      auth: 'none' | 'user' | 'admin';
      idempotent?: boolean;
      /** Status → problem types its description names. */
      errors: Record<number, readonly string[]>;
    }> = [
      {
        method: 'post',
        path: '/api/notifications',
        operationId: 'sendNotification',
        auth: 'admin',
        idempotent: true,
        errors: {
          400: [],
          404: ['notifications.recipient_not_found'],
          409: ['notifications.recipient_inactive', 'notifications.no_address', 'notifications.channel_unavailable'],
          422: [
            'notifications.invalid_recipient',
            'notifications.not_discreet',
            'notifications.unknown_template',
            'notifications.invalid_template_variables',
          ],
        },
      },
      {
        method: 'post',
        path: '/api/notifications/bulk',
        operationId: 'bulkSendNotifications',
        auth: 'admin',
        idempotent: true,
        errors: { 400: [], 409: [], 422: [] },
      },
      {
        method: 'get',
        path: '/api/notifications',
        operationId: 'listNotifications',
        auth: 'user',
        errors: { 400: [], 403: ['platform.forbidden'] },
      },
      {
        method: 'get',
        path: '/api/notifications/statistics',
        operationId: 'notificationStatistics',
        auth: 'admin',
        errors: { 400: [] },
      },
      {
        method: 'get',
        path: '/api/notifications/preferences',
        operationId: 'getNotificationPreferences',
        auth: 'user',
        errors: {},
      },
      {
        method: 'put',
        path: '/api/notifications/preferences',
        operationId: 'updateNotificationPreferences',
        auth: 'user',
        errors: { 400: [], 422: ['notifications.invalid_quiet_hours', 'notifications.invalid_recipient'] },
      },
      {
        method: 'post',
        path: '/api/notifications/cancel',
        operationId: 'cancelNotificationByKey',
        auth: 'admin',
        errors: {
          400: [],
          404: ['notifications.notification_not_found'],
          409: ['notifications.invalid_transition', 'notifications.in_flight'],
        },
      },
      {
        method: 'get',
        path: '/api/notifications/{id}',
        operationId: 'getNotification',
        auth: 'user',
        errors: { 400: [], 404: ['notifications.notification_not_found'] },
      },
      {
        method: 'post',
        path: '/api/notifications/{id}/cancel',
        operationId: 'cancelNotification',
        auth: 'admin',
        errors: {
          400: [],
          404: ['notifications.notification_not_found'],
          409: ['notifications.invalid_transition', 'notifications.in_flight'],
        },
      },
      {
        method: 'post',
        path: '/api/notifications/webhooks/{provider}',
        operationId: 'notificationReceipt',
        auth: 'none',
        errors: { 400: ['notifications.invalid_receipt'], 401: ['notifications.webhook_unauthenticated'] },
      },
    ];

    it('is valid OpenAPI', async () => {
      const result = await new Validator().validate(doc);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
    });

    it.each(OPERATIONS)('documents $method $path with its auth and problem responses', (op) => {
      const operation = doc.paths[op.path]?.[op.method];
      expect(operation, `${op.method} ${op.path}`).toBeDefined();
      expect(operation.operationId).toBe(op.operationId);
      expect(operation.tags).toContain('Notifications');
      const problem = (status: number) => {
        const response = operation.responses[String(status)];
        expect(response, `${op.operationId} ${status}`).toBeDefined();
        expect(Object.keys(response.content ?? {}), `${op.operationId} ${status}`).toEqual(['application/problem+json']);
        return response.description as string;
      };
      problem(500);
      if (op.auth === 'none') {
        expect(operation.security).toBeUndefined();
      } else {
        expect(operation.security).toEqual([{ bearerAuth: [] }]);
        problem(401);
      }
      if (op.auth === 'admin') expect(problem(403)).toMatch(/admin/);
      else if (!('403' in op.errors)) expect(operation.responses['403']).toBeUndefined();
      for (const [status, types] of Object.entries(op.errors)) {
        const description = problem(Number(status));
        for (const type of types) expect(description, `${op.operationId} ${status}`).toContain(type);
      }
      const headers = (operation.parameters ?? [])
        .filter((p: { in: string }) => p.in === 'header')
        .map((p: { name: string }) => p.name);
      expect(headers.includes('Idempotency-Key'), `${op.operationId} Idempotency-Key`).toBe(op.idempotent === true);
      const success = Object.keys(operation.responses).filter((status) => status.startsWith('2'));
      expect(success).toHaveLength(1);
    });

    it('documents the receipt body the way the route reads it', () => {
      const resolve = (schema: { $ref?: string }) =>
        schema.$ref === undefined ? schema : doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
      const operation = doc.paths['/api/notifications/webhooks/{provider}'].post;
      const schema = resolve(operation.requestBody.content['application/json'].schema);
      expect(schema.required).toEqual(expect.arrayContaining(['id', 'notificationId', 'status']));
      expect(schema.properties.status.enum).toEqual(['delivered', 'bounced', 'failed']);
      expect(schema.additionalProperties).toBe(false);
      expect(schema.properties.id.maxLength).toBe(200);
    });
  });

  describe('after all of it', () => {
    it('left the admin able to act', async () => {
      const me = await call('get', '/api/notifications', 'admin');
      expect(me.status).toBe(200);
    });
  });
});
