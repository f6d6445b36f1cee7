/** The OpenAPI document of the app as `npm start` serves it: valid, and complete for every module's routes. */
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auraModules } from '../../../packages/adapters/src/modules.js';
import { configFrom } from '../../../packages/adapters/src/platform/config/config.js';
import { type Aura, createAura } from '../../../packages/adapters/src/platform/create-aura.js';
import { createHttpApp } from '../src/app.js';
import { httpModules } from '../src/http-modules.js';

let aura: Aura;
// biome-ignore lint/suspicious/noExplicitAny: the document is checked by the validator
let doc: any;

beforeAll(async () => {
  aura = await createAura({ config: configFrom(), modules: auraModules });
  const { app } = await createHttpApp(aura, { modules: httpModules });
  doc = (await request(app).get('/openapi.json')).body;
});
afterAll(() => aura.close());

const ROUTES: Array<[string, string]> = [
  ['post', '/api/auth/register'],
  ['post', '/api/auth/verify-email'],
  ['post', '/api/auth/resend-verification'],
  ['post', '/api/auth/login'],
  ['post', '/api/auth/refresh'],
  ['post', '/api/auth/logout'],
  ['post', '/api/auth/logout-all'],
  ['post', '/api/auth/password-reset/request'],
  ['post', '/api/auth/password-reset/confirm'],
  ['get', '/api/users/me'],
  ['patch', '/api/users/me'],
  ['post', '/api/users/me/password'],
  ['get', '/api/users'],
  ['get', '/api/users/{id}'],
  ['post', '/api/users/{id}/deactivate'],
  ['post', '/api/users/{id}/reactivate'],
  ['get', '/api/users/{id}/security-events'],
  ['get', '/.well-known/jwks.json'],
  ['get', '/dev/mailbox'],
];

describe('the served OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every users route with its auth, rate limit and problem responses', () => {
    for (const [method, path] of ROUTES) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation.responses['500'], `${method} ${path} 500`).toBeDefined();
      if (path.startsWith('/api/auth/')) {
        expect(operation.responses['429'], `${method} ${path} 429`).toBeDefined();
        expect(operation.responses['429'].headers['Retry-After']).toBeDefined();
      }
      if (operation.security) expect(operation.responses['401'], `${method} ${path} 401`).toBeDefined();
      if (operation.requestBody || operation.parameters?.length) expect(operation.responses['400']).toBeDefined();
    }
    const login = doc.paths['/api/auth/login'].post;
    expect(login.security).toBeUndefined();
    expect(login.responses['401'].description).toContain('users.invalid_credentials');
    expect(login.responses['429'].description).toContain('users.account_locked');
    expect(login.responses['403'].description).toContain('users.email_not_verified');
    expect(doc.paths['/api/auth/register'].post.responses['409'].description).toContain('users.email_taken');
    expect(doc.paths['/api/users'].get.responses['403']).toBeDefined();
    expect(doc.paths['/api/users/me'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.schemas.User.properties).not.toHaveProperty('passwordHash');
  });
});
