/**
 * Bad input at every therapy route, on both back ends: each answer is a 4xx problem+json, never
 * a fault, and a 400 names each failing field. Then random JSON bodies, query strings and path
 * values (fast-check) at the same routes. And the OpenAPI document describes every therapy
 * operation with its auth and problem responses.
 */
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotificationsAura } from '../notifications/notifications-e2e-support.js';
import type { TestAura } from '../users/users-e2e-support.js';
import { type Person, person, perTarget, TARGETS } from './therapy-e2e-support.js';

const UNKNOWN = '0190aaaa-bbbb-7ccc-8ddd-0000000000cd';
const long = (n: number) => 'x'.repeat(n);
type Method = 'get' | 'post' | 'put' | 'delete';

const setups = perTarget(
  async (target) => {
    const t = await startNotificationsAura(target);
    try {
      const therapist = await person(t.aura, 'therapist');
      const profile = await request(t.app)
        .put('/api/mental-health/therapists/me')
        .set('authorization', `Bearer ${therapist.token}`)
        .send({
          timeZone: 'UTC',
          sessionTypes: [{ name: 'One', durationMinutes: 50, modality: 'video', priceMinor: 1, currency: 'EUR' }],
        });
      expect(profile.status).toBe(200);
      return { t, therapist, patient: await person(t.aura, 'patient'), typeId: profile.body.sessionTypes[0].id as string };
    } catch (error) {
      await t.close();
      throw error;
    }
  },
  ({ t }) => t.close(),
);
afterAll(() => setups.close());

function expectClientError(res: request.Response, what: string): void {
  const context = `${what} → ${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, context).toBeGreaterThanOrEqual(400);
  expect(res.status, context).toBeLessThan(500);
  expect(res.headers['content-type'], context).toMatch(/^application\/problem\+json/);
  expect(res.body, context).toMatchObject({ type: expect.stringMatching(/^urn:aura:problem:/), status: res.status });
  if (res.status === 400 && !['urn:aura:problem:malformed_json', 'urn:aura:problem:bad_request'].includes(res.body.type)) {
    expect(res.body.errors?.length, context).toBeGreaterThan(0);
    for (const error of res.body.errors) expect(error.pointer, context).toMatch(/^#/);
  }
}

/** 400 for what the schema refuses; 422 (`status`) for a rule a well-formed request breaks. */
function expectFieldError(res: request.Response, location: string, pointer: string, what: string, status = 400): void {
  expectClientError(res, what);
  expect(res.status, what).toBe(status);
  const named = (res.body.errors as Array<{ in: string; pointer: string }>).some(
    (e) => e.in === location && (e.pointer === pointer || e.pointer.startsWith(`${pointer}/`)),
  );
  expect(named, `${what}: ${pointer} in ${JSON.stringify(res.body.errors)}`).toBe(true);
}

function expectNoFault(res: request.Response, what: string): void {
  expect(res.status, `${what} → ${res.status} ${JSON.stringify(res.body)}`).toBeLessThan(500);
  if (res.status >= 400) expectClientError(res, what);
}

describe.each(TARGETS)('therapy validation (%s)', (target) => {
  let t: TestAura;
  let therapist: Person;
  let patient: Person;
  let typeId: string;
  beforeAll(async () => {
    ({ t, therapist, patient, typeId } = await setups.get(target));
  });

  const call = (method: Method, path: string, as: Person | null) => {
    const req = request(t.app)[method](path);
    return as === null ? req : req.set('authorization', `Bearer ${as.token}`);
  };

  interface BodyRoute {
    readonly method: Method;
    readonly path: string;
    readonly as: () => Person;
    readonly valid: () => Record<string, unknown>;
    readonly wrong: Record<string, readonly unknown[]>;
    readonly oversized: Record<string, unknown>;
  }

  const routes: BodyRoute[] = [
    {
      method: 'put',
      path: '/api/mental-health/therapists/me',
      as: () => therapist,
      valid: () => ({ timeZone: 'UTC' }),
      wrong: {
        timeZone: [1, null, 'Mars/Base', '+01:00', 'utc', ''],
        bio: [1, null, {}, 'a\u0000b', []],
        specialties: ['x', [1], [''], ['   '], null],
        languages: ['en', ['english!'], [1], null],
        acceptingNewPatients: ['yes', 1, null],
        sessionTypes: [
          {},
          [{}],
          [{ name: 'x', durationMinutes: 5, modality: 'video', priceMinor: 1, currency: 'EUR' }],
          [{ name: 'x', durationMinutes: 50, modality: 'phone', priceMinor: 1, currency: 'EUR' }],
          [{ name: 'x', durationMinutes: 50, modality: 'video', priceMinor: 1.5, currency: 'EUR' }],
          [{ name: 'x', durationMinutes: 50, modality: 'video', priceMinor: 1, currency: 'EURO' }],
          [{ name: 'x', durationMinutes: 50, modality: 'video', priceMinor: 1, currency: 'EUR', id: 'nope' }],
        ],
        policy: [1, { bufferBeforeMinutes: -1 }, { slotStepMinutes: 1 }, { unknown: 1 }, { maxSessionsPerDay: 2.5 }],
      },
      oversized: { bio: long(5001), specialties: Array.from({ length: 21 }, (_, i) => `s${i}`) },
    },
    {
      method: 'put',
      path: '/api/mental-health/therapists/me/availability',
      as: () => therapist,
      valid: () => ({ weeklyRules: [{ weekday: 1, start: '09:00', end: '17:00' }], overrides: [] }),
      wrong: {
        weeklyRules: [
          null,
          {},
          [{ weekday: 0, start: '09:00', end: '10:00' }],
          [{ weekday: 1, start: '9:00', end: '10:00' }],
          [{ weekday: 1, start: '09:00', end: '25:00' }],
        ],
        overrides: [
          null,
          [{ date: '2026-13-01', kind: 'day_off' }],
          [{ date: '2026-12-01', kind: 'holiday' }],
          [{ date: '2026-12-01', kind: 'extra' }],
        ],
      },
      oversized: { weeklyRules: Array.from({ length: 71 }, () => ({ weekday: 1, start: '09:00', end: '10:00' })) },
    },
    {
      method: 'post',
      path: '/api/mental-health/therapy-sessions',
      as: () => patient,
      valid: () => ({ therapistId: therapist.id, sessionTypeId: typeId, startsAt: '2030-01-01T09:00:00Z' }),
      wrong: {
        therapistId: [1, null, 'nope'],
        sessionTypeId: [1, null, 'nope'],
        startsAt: [1, null, 'tomorrow', '2030-01-01', '2030-01-01T09:00:00'],
        patientId: [1, 'nope'],
      },
      oversized: { therapistId: long(300) },
    },
    ...(['reschedule', 'cancel', 'waive-fee'] as const).map(
      (action): BodyRoute => ({
        method: 'post',
        path: `/api/mental-health/therapy-sessions/${UNKNOWN}/${action}`,
        as: () => (action === 'waive-fee' ? therapist : patient),
        valid: () => (action === 'reschedule' ? { startsAt: '2030-01-01T09:00:00Z' } : { reason: 'other' }),
        wrong:
          action === 'reschedule' ? { startsAt: [1, null, 'soon'] } : { reason: [1, null, 'because'], note: [1, {}, 'a\u0000b'] },
        oversized: action === 'reschedule' ? { startsAt: long(100) } : { note: long(501) },
      }),
    ),
  ];

  describe.each(routes)('$method $path', (route) => {
    const send = (body: unknown) =>
      call(route.method, route.path, route.as()).set('content-type', 'application/json').send(JSON.stringify(body));

    it('refuses a missing body, JSON that is not an object, malformed JSON and another media type', async () => {
      expectClientError(await call(route.method, route.path, route.as()), 'no body');
      for (const body of ['[]', '"x"', '1', 'null'])
        expectClientError(
          await call(route.method, route.path, route.as()).set('content-type', 'application/json').send(body),
          body,
        );
      for (const body of ['{', 'nope']) {
        const res = await call(route.method, route.path, route.as()).set('content-type', 'application/json').send(body);
        expect(res.body.type).toBe('urn:aura:problem:malformed_json');
      }
      expect((await call(route.method, route.path, route.as()).set('content-type', 'text/plain').send('x')).status).toBe(415);
    });

    it('names each field of the wrong type or shape, an unknown field, and strings over their limits', async () => {
      for (const [field, values] of Object.entries(route.wrong)) {
        for (const value of values)
          expectFieldError(
            await send({ ...route.valid(), [field]: value }),
            'body',
            `#/${field}`,
            `${field}=${JSON.stringify(value)}`,
          );
      }
      expectFieldError(await send({ ...route.valid(), isAdmin: true }), 'body', '#/isAdmin', 'extra field');
      for (const [field, value] of Object.entries(route.oversized))
        expectFieldError(await send({ ...route.valid(), [field]: value }), 'body', `#/${field}`, `${field} oversized`);
    });

    it('refuses the request without a token', async () => {
      const res = await call(route.method, route.path, null).send(route.valid());
      expect(res.status).toBe(401);
      expectClientError(res, 'no token');
    });

    it('answers random JSON and random objects of its own fields with a client error or success, never a fault', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }), async (value) =>
          expectNoFault(await send(value), JSON.stringify(value)),
        ),
        { numRuns: 15 },
      );
      const keys = [...Object.keys(route.valid()), ...Object.keys(route.wrong)];
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' })),
          async (value) => expectNoFault(await send({ ...route.valid(), ...value }), JSON.stringify(value)),
        ),
        { numRuns: 15 },
      );
    });
  });

  it('refuses bad query strings by name and never faults on random ones', async () => {
    const slots = `/api/mental-health/therapists/${therapist.id}/slots`;
    expectFieldError(await call('get', slots, patient), 'query', '#/sessionTypeId', 'no session type');
    expectFieldError(
      await call('get', `${slots}?sessionTypeId=${typeId}&timeZone=Nowhere`, patient),
      'query',
      '#/timeZone',
      'zone',
    );
    expectFieldError(await call('get', `${slots}?sessionTypeId=${typeId}&from=yesterday`, patient), 'query', '#/from', 'from');
    const range = await call(
      'get',
      `${slots}?sessionTypeId=${typeId}&from=2030-01-01T00:00:00Z&to=2030-06-01T00:00:00Z`,
      patient,
    );
    expectFieldError(range, 'query', '#/to', 'range too long', 422);
    expectFieldError(await call('get', '/api/mental-health/therapists?limit=0', patient), 'query', '#/limit', 'limit');
    // The edges of what a date-time can say: never a fault.
    const edges: Array<[string, string]> = [
      ['0000-01-01T00:00:00Z', '0000-01-02T00:00:00Z'],
      ['9999-12-30T00:00:00Z', '9999-12-31T23:59:59Z'],
      ['2030-01-01T00:00:00+14:00', '2030-01-02T00:00:00-12:00'],
    ];
    for (const [from, to] of edges) {
      expectNoFault(
        await call(
          'get',
          `${slots}?sessionTypeId=${typeId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
          patient,
        ),
        from,
      );
      expectNoFault(
        await call(
          'get',
          `/api/mental-health/therapy-sessions?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
          patient,
        ),
        from,
      );
      expectNoFault(
        await call('post', '/api/mental-health/therapy-sessions', patient).send({
          therapistId: therapist.id,
          sessionTypeId: typeId,
          startsAt: from,
        }),
        `book ${from}`,
      );
    }
    expectFieldError(
      await call('get', '/api/mental-health/therapists?acceptingNewPatients=maybe', patient),
      'query',
      '#/acceptingNewPatients',
      'boolean',
    );
    expectFieldError(
      await call('get', '/api/mental-health/therapy-sessions?status=done', patient),
      'query',
      '#/status',
      'status',
    );
    expectFieldError(await call('get', '/api/mental-health/therapy-sessions?cursor=x', patient), 'query', '#/cursor', 'cursor');
    expectFieldError(
      await call('get', '/api/mental-health/therapists', patient).query({ specialty: 'a\u0000b' }),
      'query',
      '#/specialty',
      'NUL',
    );
    expectFieldError(
      await call('get', '/api/mental-health/therapists', patient).query({ language: 'e\u0000n' }),
      'query',
      '#/language',
      'NUL',
    );
    const paths = [slots, '/api/mental-health/therapists', '/api/mental-health/therapy-sessions'];
    const names = [
      'sessionTypeId',
      'from',
      'to',
      'timeZone',
      'limit',
      'cursor',
      'status',
      'specialty',
      'language',
      'modality',
      'patientId',
      'therapistId',
      'x',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.dictionary(fc.constantFrom(...names), fc.string({ maxLength: 40, unit: 'binary' }), { maxKeys: 4 }),
        async (path, query) => expectNoFault(await call('get', path, patient).query(query), `${path} ${JSON.stringify(query)}`),
      ),
      { numRuns: 40 },
    );
  });

  it('refuses path values that are not ids or tokens, and never faults on random ones', async () => {
    const templates = [
      (id: string) => ['get', `/api/mental-health/therapists/${id}`] as const,
      (id: string) => ['get', `/api/mental-health/therapists/${id}/slots?sessionTypeId=${typeId}`] as const,
      (id: string) => ['get', `/api/mental-health/therapy-sessions/${id}`] as const,
      (id: string) => ['post', `/api/mental-health/therapy-sessions/${id}/start`] as const,
      (id: string) => ['post', `/api/mental-health/therapy-sessions/${id}/complete`] as const,
      (id: string) => ['post', `/api/mental-health/therapy-sessions/${id}/no-show`] as const,
      (id: string) => ['get', `/api/mental-health/calendar/${id}.ics`] as const,
    ];
    for (const template of templates) {
      const [method, path] = template('not-an-id');
      expectFieldError(await call(method, path, therapist), 'params', path.includes('calendar') ? '#/token' : '#/id', path);
      const [m2, p2] = template('%zz');
      expectClientError(await call(m2, p2, therapist), p2);
    }
    for (const [method, path] of [
      ['get', `/api/mental-health/therapy-sessions/${UNKNOWN}`],
      ['post', `/api/mental-health/therapy-sessions/${UNKNOWN}/start`],
      ['get', `/api/mental-health/therapists/${UNKNOWN}`],
      ['get', `/api/mental-health/calendar/${'a'.repeat(43)}.ics`],
    ] as const) {
      const res = await call(method, path, therapist);
      expect(res.status, path).toBe(404);
      expectClientError(res, path);
    }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...templates), fc.string({ minLength: 1, maxLength: 60 }), async (template, raw) => {
        const [method, path] = template(encodeURIComponent(raw));
        expectNoFault(await call(method, path, therapist), path);
      }),
      { numRuns: 40 },
    );
  });

  it('answers malformed JSON and bad tokens at the routes without a body with a client error', async () => {
    const routes: Array<[Method, string, Person]> = [
      ['get', '/api/mental-health/therapists/me', therapist],
      ['get', '/api/mental-health/therapists/me/availability', therapist],
      ['get', '/api/mental-health/calendar/token', patient],
      ['post', '/api/mental-health/calendar/token', patient],
      ['delete', '/api/mental-health/calendar/token', patient],
      ['post', `/api/mental-health/therapy-sessions/${UNKNOWN}/start`, therapist],
    ];
    for (const [method, path, who] of routes) {
      for (const body of ['{', 'nope']) {
        const res = await call(method, path, who).set('content-type', 'application/json').send(body);
        expectClientError(res, `${method} ${path} ${body}`);
      }
      for (const header of ['Bearer', 'Bearer x.y.z', 'Token abc']) {
        const res = await request(t.app)[method](path).set('authorization', header);
        expect(res.status, `${path} ${header}`).toBe(401);
        expectClientError(res, path);
      }
    }
  });

  it('keeps roles at the door: 403 for a patient on therapist routes, 401 without a token', async () => {
    for (const [method, path] of [
      ['put', '/api/mental-health/therapists/me'],
      ['get', '/api/mental-health/therapists/me/availability'],
      ['post', `/api/mental-health/therapy-sessions/${UNKNOWN}/no-show`],
    ] as const) {
      const res = await call(method, path, patient).send({ timeZone: 'UTC' });
      expect(res.status, path).toBe(403);
      expectClientError(res, path);
      expect((await call(method, path, null)).status).toBe(401);
    }
    expect((await call('post', '/api/mental-health/therapy-sessions', therapist).send({})).status).toBe(403);
  });
});

describe('the OpenAPI document', () => {
  it('describes every therapy operation with its auth and problem responses', async () => {
    const { t } = await setups.get('embedded');
    const doc = (await request(t.app).get('/openapi.json')).body;
    const paths = Object.keys(doc.paths).filter((path) => path.startsWith('/api/mental-health/'));
    expect(paths.sort()).toEqual(
      [
        '/api/mental-health/calendar/token',
        '/api/mental-health/calendar/{token}.ics',
        '/api/mental-health/therapists',
        '/api/mental-health/therapists/me',
        '/api/mental-health/therapists/me/availability',
        '/api/mental-health/therapists/{id}',
        '/api/mental-health/therapists/{id}/slots',
        '/api/mental-health/therapy-sessions',
        '/api/mental-health/therapy-sessions/{id}',
        '/api/mental-health/therapy-sessions/{id}/cancel',
        '/api/mental-health/therapy-sessions/{id}/complete',
        '/api/mental-health/therapy-sessions/{id}/no-show',
        '/api/mental-health/therapy-sessions/{id}/reschedule',
        '/api/mental-health/therapy-sessions/{id}/start',
        '/api/mental-health/therapy-sessions/{id}/waive-fee',
      ].sort(),
    );
    for (const path of paths) {
      for (const [method, operation] of Object.entries(doc.paths[path]) as Array<[string, Record<string, unknown>]>) {
        const responses = operation.responses as Record<string, unknown>;
        expect(responses['500'], `${method} ${path}`).toBeDefined();
        if (operation.security) expect(responses['401'], `${method} ${path}`).toBeDefined();
        else expect(path).toBe('/api/mental-health/calendar/{token}.ics');
        if (operation.requestBody || (operation.parameters as unknown[] | undefined)?.length)
          expect(responses['400'], `${method} ${path}`).toBeDefined();
      }
    }
    const bookOp = doc.paths['/api/mental-health/therapy-sessions'].post;
    expect(bookOp.responses['409'].description).toContain('therapy.slot_unavailable');
    expect(bookOp.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(Object.keys(doc.paths['/api/mental-health/calendar/{token}.ics'].get.responses['200'].content)).toEqual([
      'text/calendar; charset=utf-8',
    ]);
  });
});
