import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { JoseAccessTokenVerifier } from './jose-access-token-verifier.js';

const ISSUER = 'aura';
const AUDIENCE = 'aura-api';
const USER = '0190aaaa-bbbb-7ccc-8ddd-000000000001';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let edKey: Key;
let esKey: Key;
let strangerKey: Key;
let jwks: JSONWebKeySet;
let verifier: JoseAccessTokenVerifier;

beforeAll(async () => {
  const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const es = await generateKeyPair('ES256', { extractable: true });
  const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  edKey = ed.privateKey;
  esKey = es.privateKey;
  strangerKey = stranger.privateKey;
  jwks = {
    keys: [
      { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
      { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
    ],
  };
  verifier = new JoseAccessTokenVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE });
});

interface SignOptions {
  key?: Key | Uint8Array;
  alg?: string;
  kid?: string;
  issuer?: string;
  audience?: string;
  issuedAt?: number;
  expiresAt?: number | string;
  subject?: string | null;
}

function sign(claims: JWTPayload = {}, options: SignOptions = {}): Promise<string> {
  const jwt = new SignJWT({ type: 'access', roles: ['patient'], ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'EdDSA', kid: options.kid ?? 'ed-1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(options.issuedAt)
    .setExpirationTime(options.expiresAt ?? '15m');
  if (options.subject !== null) jwt.setSubject(options.subject ?? USER);
  return jwt.sign(options.key ?? edKey);
}

async function refusal(token: string, using = verifier) {
  const result = await using.verify(token);
  expect(result.isErr()).toBe(true);
  const error = result._unsafeUnwrapErr();
  expect(error.type).toBe('platform.invalid_access_token');
  return error.message;
}

describe('JoseAccessTokenVerifier', () => {
  it('turns a valid access token into the actor it was issued to, with its issue and expiry times and its id', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({ roles: ['therapist', 'admin'], jti: 'token-1' }, { issuedAt: now - 30, expiresAt: now + 600 });
    const verified = (await verifier.verify(token))._unsafeUnwrap();
    expect(verified).toEqual({
      actor: { userId: USER, roles: ['therapist', 'admin'] },
      issuedAt: new Date((now - 30) * 1000),
      expiresAt: new Date((now + 600) * 1000),
      tokenId: 'token-1',
    });
  });

  it('has no token id when the token carries no jti (or one that is not a string)', async () => {
    const verified = (await verifier.verify(await sign()))._unsafeUnwrap();
    expect(verified.tokenId).toBeUndefined();
    expect(verified).toHaveProperty('tokenId', undefined);
    expect(verified.issuedAt).toBeInstanceOf(Date);
    expect(verified.expiresAt.getTime() - verified.issuedAt.getTime()).toBe(15 * 60 * 1000);
    expect((await verifier.verify(await sign({ jti: 42 as unknown as string })))._unsafeUnwrap().tokenId).toBeUndefined();
  });

  it('accepts ES256 tokens from the key set too', async () => {
    const token = await sign({ jti: 'es-token' }, { key: esKey, alg: 'ES256', kid: 'es-1' });
    const verified = (await verifier.verify(token))._unsafeUnwrap();
    expect(verified.actor).toEqual({ userId: USER, roles: ['patient'] });
    expect(verified.tokenId).toBe('es-token');
  });

  it('refuses every token when no keys are configured', async () => {
    const keyless = new JoseAccessTokenVerifier({ jwks: undefined, issuer: ISSUER, audience: AUDIENCE });
    expect(await refusal(await sign(), keyless)).toBe('no keys are configured to verify access tokens');
  });

  it('refuses an expired token', async () => {
    expect(await refusal(await sign({}, { expiresAt: Math.floor(Date.now() / 1000) - 60 }))).toBe(
      'the access token is invalid or expired',
    );
  });

  it('refuses a token from another issuer or for another audience', async () => {
    await refusal(await sign({}, { issuer: 'someone-else' }));
    await refusal(await sign({}, { audience: 'another-api' }));
  });

  it('refuses a token signed by a key that is not in the set, under a known or an unknown kid', async () => {
    await refusal(await sign({}, { key: strangerKey }));
    await refusal(await sign({}, { key: strangerKey, kid: 'stranger' }));
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, payload, signature] = (await sign()).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as JWTPayload;
    const forged = `${header}.${b64url({ ...claims, roles: ['admin'] })}.${signature}`;
    await refusal(forged);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { type: 'access', roles: ['admin'], sub: USER, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 };
    await refusal(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`);
    await refusal(`${b64url({ alg: 'none', kid: 'ed-1' })}.${b64url(payload)}.`);
  });

  it('refuses a token signed with a shared secret (HS256), even under a known kid', async () => {
    const secret = new TextEncoder().encode('a-secret-that-is-long-enough-for-hs256!!');
    await refusal(await sign({ roles: ['admin'] }, { key: secret, alg: 'HS256' }));
  });

  it('refuses something that is not a JWT', async () => {
    await refusal('not-a-token');
    await refusal('');
  });

  it('refuses a refresh token, or a token without a type', async () => {
    expect(await refusal(await sign({ type: 'refresh' }))).toBe('not an access token');
    expect(await refusal(await sign({ type: undefined }))).toBe('not an access token');
  });

  it('refuses a token without a subject', async () => {
    expect(await refusal(await sign({}, { subject: null }))).toBe('the access token is invalid or expired');
    expect(await refusal(await sign({}, { subject: '' }))).toBe('the access token has no subject');
  });

  it('refuses a token with an unknown role or without a list of roles', async () => {
    expect(await refusal(await sign({ roles: ['patient', 'superuser'] }))).toBe('the access token has no valid roles');
    expect(await refusal(await sign({ roles: 'admin' }))).toBe('the access token has no valid roles');
    expect(await refusal(await sign({ roles: undefined }))).toBe('the access token has no valid roles');
    expect(await refusal(await sign({ roles: [] }))).toBe('the access token has no valid roles');
  });

  it('refuses a token that would never expire, has no issue time, or names no key', async () => {
    const unsigned = (header: Record<string, unknown>, claims: Record<string, unknown>) =>
      new SignJWT({ type: 'access', roles: ['admin'], iss: ISSUER, aud: AUDIENCE, sub: USER, ...claims })
        .setProtectedHeader({ alg: 'EdDSA', ...header })
        .sign(edKey);
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(await unsigned({ kid: 'ed-1' }, { iat: now }))).toBe('the access token is invalid or expired');
    expect(await refusal(await unsigned({ kid: 'ed-1' }, { exp: now + 600 }))).toBe('the access token is invalid or expired');
    // With one key in the set, jose can verify a token without a kid: Aura still refuses it.
    const single = new JoseAccessTokenVerifier({ jwks: { keys: jwks.keys.slice(0, 1) }, issuer: ISSUER, audience: AUDIENCE });
    expect(await refusal(await unsigned({}, { iat: now, exp: now + 600 }), single)).toBe('the access token names no key (kid)');
  });
});
