/**
 * The served `/openapi.json` says what the server enforces, for every operation:
 *
 * - its documented examples, and mutations of them field by field (boundary lengths, patterns,
 *   wrong types, missing and unknown fields), and drawn or edge path and query values, are sent
 *   to the app; the published schema (Ajv, JSON Schema 2020-12) decides whether each request is
 *   valid;
 * - a valid request is never a 400 (a business rule it breaks is a 404, 409 or 422), nor a 5xx;
 *   an invalid one is always a 4xx;
 * - every answer's status is documented for the operation, and its body (problem+json for
 *   errors) matches the documented schema;
 * - without a token a secured operation is a documented 401, and with a role it does not
 *   admit, a documented 403.
 *
 * Candidates are seeded per operation (CONTRACT_SEED changes the seed to explore further).
 */
import { auraModules } from '@aura/adapters';
import { configFrom, createAura } from '@aura/adapters/platform';
import { AccessTokenIssuer, type Role } from '@aura/application/platform';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../src/app.js';
import { httpModules } from '../src/http-modules.js';
import { startHttpServer } from '../src/server.js';
import {
  bodyCandidates,
  hash,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  parameterCandidates,
  SchemaOracle,
} from './support/contract.js';
import { activeUser, adminUser } from './users/users-e2e-support.js';

const SEED = Number(process.env.CONTRACT_SEED ?? 20261204);

/**
 * The business rules a request can break although it satisfies its schema, because JSON
 * Schema cannot state them (a 422 for those is right; a 422 of any other type for a
 * schema-valid request means the schema is looser than the server).
 */
const RULES_NO_SCHEMA_STATES: Readonly<Record<string, string>> = {
  'users.weak_password': 'strength is estimated (zxcvbn) against common passwords and the person’s details',
  'users.invalid_time_zone': 'whether a well-formed name is a zone the runtime knows',
  'users.invalid_locale': 'whether a well-formed tag is a BCP 47 language the runtime knows',
  'users.invalid_token': 'whether a code was issued, and for what',
  'users.token_expired': 'when a code was issued',
  'notifications.invalid_recipient': 'an address is checked against the channel it goes by',
  'notifications.forbidden_content': 'configured words, matched as whole words in any case or accent',
  'notifications.not_discreet': 'clinical terms, on the channel it goes by',
  'notifications.unknown_template': 'the templates installed',
  'notifications.template_channel_unsupported': 'the channels a template has text for',
  'notifications.invalid_template_variables': 'each template’s own variables',
  'notifications.category_required': 'a template’s own category',
  'notifications.invalid_quiet_hours': 'two different times',
  'therapy.invalid_profile': 'session type ids are unique and the therapist’s own',
  'therapy.invalid_availability': 'each range ends after it starts and ranges of a day do not overlap',
  'therapy.invalid_range': '`to` after `from`, at most THERAPY_SLOT_RANGE_MAX_DAYS apart',
  'therapy.patient_required': 'an admin names the patient, a patient books for themselves',
};
const BODY_CANDIDATES = 45;
const PARAMETER_CANDIDATES = 20;

const aura = await createAura({
  config: configFrom({
    PORT: '0',
    AUTH_RATE_LIMIT_MAX: '1000000',
    AUTH_ACCOUNT_EMAIL_INTERVAL_S: '0',
    OUTBOX_POLL_INTERVAL_MS: '20',
  }),
  modules: auraModules,
});
await aura.startWorker();
const { app } = await createHttpApp(aura, { modules: httpModules });
// The server as production runs it (Node's limits and its answers to what Express never sees).
const server = await startHttpServer(aura, app);
const doc = (await request(server.url).get('/openapi.json')).body as OpenApiDocument;
const oracle = new SchemaOracle(doc);
const users: Record<Role, string> = {
  patient: (await activeUser(app, { role: 'patient' })).id,
  therapist: (await activeUser(app, { role: 'therapist' })).id,
  admin: (await adminUser(aura, app)).id,
};
const issuer = await aura.get<AccessTokenIssuer>(AccessTokenIssuer);
/** A fresh token each time: an operation may end the sessions issued before it (logout-all). */
const tokenFor = async (role: Role) => (await issuer.issue({ userId: users[role], roles: [role] })).token;

afterAll(async () => {
  await server.close();
  await aura.close();
});

interface Sent {
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
  readonly role?: Role | undefined;
}

async function send(method: string, url: string, body: unknown, role: Role | undefined) {
  let call = request(server.url)[method as 'get'](url);
  if (role !== undefined) call = call.set('authorization', `Bearer ${await tokenFor(role)}`);
  if (body !== undefined) call = call.set('content-type', 'application/json').send(JSON.stringify(body));
  return call;
}

function urlOf(path: string, values: { path: Record<string, string>; query: Record<string, string> }): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values.path[name] ?? 'x'));
  const query = new URLSearchParams(values.query).toString();
  return query === '' ? filled : `${filled}?${query}`;
}

/** What is wrong with an answer, measured against the operation's documented responses. */
function problemsOf(operation: Operation, res: request.Response): string[] {
  const documented = operation.responses[String(res.status)];
  if (documented === undefined)
    return [`status ${res.status} is not documented (${Object.keys(operation.responses).join(', ')})`];
  if (res.status === 204) return res.text === '' ? [] : ['a 204 with a body'];
  const content = documented.content ?? {};
  const type = String(res.headers['content-type'] ?? '').split(';')[0] ?? '';
  if (Object.keys(content).length === 0) return [];
  const media = content[type];
  if (media === undefined)
    return [`content type ${type} is not documented for ${res.status} (${Object.keys(content).join(', ')})`];
  if (media.schema === undefined || !type.includes('json')) return [];
  return oracle.errors(media.schema, res.body).map((e) => `body breaks the ${res.status} schema: ${e}`);
}

const describeSent = (sent: Sent, res: request.Response) =>
  `${sent.method.toUpperCase()} ${sent.url}${sent.role ? ` as ${sent.role}` : ''}${sent.body === undefined ? '' : ` ${JSON.stringify(sent.body)?.slice(0, 400)}`} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 400)}`;

const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
);

describe('the OpenAPI document says what the server enforces', () => {
  it('documents operations, and an example for every request body', () => {
    expect(operations.length).toBeGreaterThan(30);
    for (const { operation } of operations) {
      const media = operation.requestBody?.content['application/json'];
      if (media === undefined) continue;
      expect(Object.keys(media.examples ?? {}), `${operation.operationId} has no request example`).not.toHaveLength(0);
      for (const [name, example] of Object.entries(media.examples ?? {}))
        expect(oracle.errors(media.schema, example.value), `${operation.operationId} example ${name}`).toEqual([]);
    }
  });

  for (const { path, method, operation } of operations) {
    it(`${method.toUpperCase()} ${path} (${operation.operationId})`, { timeout: 120_000 }, async () => {
      const failures: string[] = [];
      const seed = SEED ^ hash(operation.operationId);
      const roles = operation['x-aura-roles'];
      const role = roles === undefined ? undefined : (roles[0] as Role);
      const media = operation.requestBody?.content['application/json'];
      const examples = Object.values(media?.examples ?? {}).map((e) => e.value);
      const parameters = parameterCandidates(operation, seed, PARAMETER_CANDIDATES);
      const base = parameters[0] ?? { path: {}, query: {} };

      const check = async (sent: Sent, valid: boolean) => {
        const res = await send(sent.method, sent.url, sent.body, sent.role);
        for (const problem of problemsOf(operation, res)) failures.push(`${problem}: ${describeSent(sent, res)}`);
        if (res.status >= 500) failures.push(`server error: ${describeSent(sent, res)}`);
        else if (valid && res.status === 400)
          failures.push(`a request the schema allows was refused with 400: ${describeSent(sent, res)}`);
        else if (
          valid &&
          res.status === 422 &&
          !(String(res.body?.type).replace('urn:aura:problem:', '') in RULES_NO_SCHEMA_STATES)
        )
          failures.push(`a request the schema allows broke a rule the schema could state: ${describeSent(sent, res)}`);
        else if (!valid && (res.status < 400 || res.status >= 500))
          failures.push(`a request the schema refuses was accepted: ${describeSent(sent, res)}`);
      };

      // Bodies (with the first parameter candidate), a few at a time.
      const bodies =
        media?.schema === undefined
          ? [undefined]
          : bodyCandidates(doc, media.schema as JsonSchema, examples, seed, BODY_CANDIDATES);
      const paramsValid = oracle.parametersValid(operation, base);
      const url = urlOf(path, base);
      for (let i = 0; i < bodies.length; i += 8) {
        await Promise.all(
          bodies
            .slice(i, i + 8)
            .map((body) =>
              check(
                { method, url, body, role },
                paramsValid && (media?.schema === undefined || oracle.errors(media.schema, body).length === 0),
              ),
            ),
        );
      }
      // Parameters (with the first example body).
      const body = media?.schema === undefined ? undefined : examples[0];
      const bodyValid = media?.schema === undefined || (body !== undefined && oracle.errors(media.schema, body).length === 0);
      for (const values of parameters.slice(1)) {
        await check({ method, url: urlOf(path, values), body, role }, bodyValid && oracle.parametersValid(operation, values));
      }
      // No token, and a role the operation does not admit.
      if (role !== undefined) {
        const anonymous = await send(method, url, body, undefined);
        if (anonymous.status !== 401) failures.push(`without a token: ${describeSent({ method, url, body }, anonymous)}`);
        failures.push(...problemsOf(operation, anonymous).map((p) => `without a token: ${p}`));
        const outsider = (['patient', 'therapist', 'admin'] as const).find((r) => !(roles ?? []).includes(r));
        if (outsider !== undefined) {
          const refused = await send(method, url, body, outsider);
          if (refused.status !== 403)
            failures.push(`as ${outsider}: ${describeSent({ method, url, body, role: outsider }, refused)}`);
          failures.push(...problemsOf(operation, refused).map((p) => `as ${outsider}: ${p}`));
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
