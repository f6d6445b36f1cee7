/**
 * Access-token tampering against GET /api/users/me. Aura runs with a signing key this test
 * generated (AUTH_SIGNING_KEY), so the test can mint tokens with Aura's own key and show that
 * only the signature, algorithm, key id, issuer, audience, expiry, type and the user's
 * current state together let a token in.
 */
import {
  base64url,
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeUser,
  adminUser,
  bearer,
  expectUnauthorized,
  login,
  type RegisteredUser,
  startAura,
  type TestAura,
  type Tokens,
} from './users-e2e-support.js';

const KID = 'e2e-signing-key-1';
let privateKey: CryptoKey;
let publicJwk: JWK;
let t: TestAura;
let user: RegisteredUser;
let tokens: Tokens;

beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID };
  const privateJwk = { ...(await exportJWK(pair.privateKey)), kid: KID, alg: 'EdDSA' };
  t = await startAura('embedded', { AUTH_SIGNING_KEY: JSON.stringify(privateJwk) });
  user = await activeUser(t.app);
  tokens = await login(t.app, user.email, user.password);
});
afterAll(async () => {
  await t?.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims Aura would issue for `user`, with any changes. */
const claims = (changes: Partial<JWTPayload> & Record<string, unknown> = {}): JWTPayload => ({
  sub: user.id,
  type: 'access',
  roles: ['patient'],
  iss: 'aura',
  aud: 'aura-api',
  iat: nowSeconds(),
  exp: nowSeconds() + 600,
  jti: crypto.randomUUID(),
  ...changes,
});

const sign = (
  payload: JWTPayload,
  header: JWTHeaderParameters = { alg: 'EdDSA', kid: KID, typ: 'at+jwt' },
  key: CryptoKey | Uint8Array = privateKey,
) => new SignJWT(payload).setProtectedHeader(header).sign(key);

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
const decode = (segment: string) => JSON.parse(new TextDecoder().decode(base64url.decode(segment))) as Record<string, unknown>;

const me = (token: string) => request(t.app).get('/api/users/me').set(bearer(token));

describe('access tokens at GET /api/users/me', () => {
  it('admits Aura’s own tokens and tokens the test signs with Aura’s key (the control)', async () => {
    expect((await me(tokens.accessToken)).status).toBe(200);
    const own = await me(await sign(claims()));
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(user.id);
    // The published key is the one the test configured.
    const jwks = await request(t.app).get('/.well-known/jwks.json');
    expect(jwks.body.keys).toContainEqual(expect.objectContaining({ kid: KID, x: publicJwk.x, kty: 'OKP', crv: 'Ed25519' }));
  });

  it('refuses a missing or malformed Authorization header', async () => {
    expectUnauthorized(await request(t.app).get('/api/users/me'));
    expectUnauthorized(await request(t.app).get('/api/users/me').set('authorization', tokens.accessToken));
    expectUnauthorized(await request(t.app).get('/api/users/me').set('authorization', `Basic ${tokens.accessToken}`));
    expectUnauthorized(await request(t.app).get('/api/users/me').set('authorization', 'Bearer '));
    expectUnauthorized(await request(t.app).get('/api/users/me').set('authorization', 'Bearer not a token'));
    expectUnauthorized(await me('a.b.c'));
  });

  it('refuses a payload changed after signing (role raised to admin, signature kept)', async () => {
    const [header, payload, signature] = tokens.accessToken.split('.') as [string, string, string];
    const raised = encode({ ...decode(payload), roles: ['admin'] });
    expectUnauthorized(await me(`${header}.${raised}.${signature}`));
    const someoneElse = encode({ ...decode(payload), sub: '0190aaaa-bbbb-7ccc-8ddd-000000000002' });
    expectUnauthorized(await me(`${header}.${someoneElse}.${signature}`));
  });

  it('refuses a changed signature', async () => {
    const [header, payload, signature] = tokens.accessToken.split('.') as [string, string, string];
    const bytes = base64url.decode(signature);
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;
    expectUnauthorized(await me(`${header}.${payload}.${base64url.encode(bytes)}`));
    expectUnauthorized(await me(`${header}.${payload}.`));
    expectUnauthorized(await me(`${header}.${payload}`));
  });

  it('refuses an expired token signed with Aura’s key', async () => {
    expectUnauthorized(await me(await sign(claims({ iat: nowSeconds() - 3600, exp: nowSeconds() - 60 }))));
  });

  it('refuses the wrong audience or issuer, and a token without an expiry', async () => {
    expectUnauthorized(await me(await sign(claims({ aud: 'another-api' }))));
    expectUnauthorized(await me(await sign(claims({ iss: 'someone-else' }))));
    const { exp: _exp, ...noExpiry } = claims();
    expectUnauthorized(await me(await sign(noExpiry)));
  });

  it('refuses a token that is not an access token, or has no valid roles', async () => {
    expectUnauthorized(await me(await sign(claims({ type: 'refresh' }))));
    const { type: _type, ...untyped } = claims();
    expectUnauthorized(await me(await sign(untyped)));
    expectUnauthorized(await me(await sign(claims({ roles: [] }))));
    expectUnauthorized(await me(await sign(claims({ roles: ['root'] }))));
    // The user is a patient: a token claiming another role is refused even with a good signature.
    expectUnauthorized(await me(await sign(claims({ roles: ['admin'] }))));
  });

  it('refuses a token without a kid, or with a kid Aura does not know', async () => {
    expectUnauthorized(await me(await sign(claims(), { alg: 'EdDSA', typ: 'at+jwt' })));
    expectUnauthorized(await me(await sign(claims(), { alg: 'EdDSA', kid: 'unknown-key', typ: 'at+jwt' })));
  });

  it('refuses a token signed by another key under Aura’s kid', async () => {
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    expectUnauthorized(await me(await sign(claims(), { alg: 'EdDSA', kid: KID, typ: 'at+jwt' }, other.privateKey)));
    const ec = await generateKeyPair('ES256');
    expectUnauthorized(await me(await sign(claims(), { alg: 'ES256', kid: KID, typ: 'at+jwt' }, ec.privateKey)));
  });

  it('refuses an unsigned token (alg none)', async () => {
    const unsigned = `${encode({ alg: 'none', kid: KID, typ: 'at+jwt' })}.${encode(claims())}.`;
    expectUnauthorized(await me(unsigned));
    const noKid = `${encode({ alg: 'none' })}.${encode(claims())}.`;
    expectUnauthorized(await me(noKid));
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const header: JWTHeaderParameters = { alg: 'HS256', kid: KID, typ: 'at+jwt' };
    const raw = base64url.decode(publicJwk.x as string);
    expectUnauthorized(await me(await sign(claims(), header, raw)));
    const asJson = new TextEncoder().encode(JSON.stringify(publicJwk));
    expectUnauthorized(await me(await sign(claims(), header, asJson)));
    const asText = new TextEncoder().encode(publicJwk.x as string);
    expectUnauthorized(await me(await sign(claims(), header, asText)));
  });

  it('refuses a well-signed token for a user that does not exist', async () => {
    expectUnauthorized(await me(await sign(claims({ sub: '0190aaaa-bbbb-7ccc-8ddd-00000000dead' }))));
    expectUnauthorized(await me(await sign(claims({ sub: 'not-a-uuid' }))));
    expectUnauthorized(await me(await sign(claims({ sub: '' }))));
  });

  it('refuses a deactivated user’s still-valid token at once', async () => {
    const admin = await adminUser(t.aura, t.app);
    const victim = await activeUser(t.app);
    const victimTokens = await login(t.app, victim.email, victim.password);
    expect((await me(victimTokens.accessToken)).status).toBe(200);
    const selfSigned = await sign(claims({ sub: victim.id }));
    expect((await me(selfSigned)).status).toBe(200);

    const deactivated = await request(t.app).post(`/api/users/${victim.id}/deactivate`).set(bearer(admin.accessToken)).send({});
    expect(deactivated.status).toBe(200);

    // Same second as its issue, and no waiting: deactivation refuses every token at once.
    expectUnauthorized(await me(victimTokens.accessToken));
    expectUnauthorized(await me(selfSigned));
    expectUnauthorized(await me(await sign(claims({ sub: victim.id }))));
  });
});
