import type { Clock } from '@aura/application/platform';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueTime, JoseAccessTokenIssuer } from './jose-access-token-issuer.js';
import { JoseAccessTokenVerifier } from './jose-access-token-verifier.js';
import { loadSigningKey, type SigningKey, verificationKeys } from './signing-key.js';

const ISSUER = 'aura-test';
const AUDIENCE = 'aura-test-api';
const USER = '0190aaaa-bbbb-7ccc-8ddd-000000000002';
const TTL = 900;

const systemClock: Clock = { now: () => new Date() };

let edKey: SigningKey;
let esKey: SigningKey;

beforeAll(async () => {
  edKey = await loadSigningKey({ AURA_DATA_DIR: 'memory://' });
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'es-signing' };
  esKey = await loadSigningKey({ AUTH_SIGNING_KEY: jwk as Record<string, unknown>, AURA_DATA_DIR: 'memory://' });
});

const issuerWith = (key: SigningKey, clock: Clock = systemClock, ttlSeconds = TTL) =>
  new JoseAccessTokenIssuer({ key, issuer: ISSUER, audience: AUDIENCE, ttlSeconds, clock });

const verifierFor = (...keys: SigningKey[]) =>
  new JoseAccessTokenVerifier({
    jwks: { keys: keys.map((key) => key.publicJwk) },
    issuer: ISSUER,
    audience: AUDIENCE,
  });

describe('JoseAccessTokenIssuer', () => {
  it('issues a token the verifier accepts with the public keys, for the same actor, times and id', async () => {
    const issued = await issuerWith(edKey).issue({ userId: USER, roles: ['therapist', 'admin'] });
    const verified = (await verifierFor(edKey).verify(issued.token))._unsafeUnwrap();
    expect(verified).toEqual({
      actor: { userId: USER, roles: ['therapist', 'admin'] },
      issuedAt: issued.issuedAt,
      expiresAt: issued.expiresAt,
      tokenId: issued.tokenId,
    });
  });

  it('is also accepted through the published key set (verificationKeys)', async () => {
    const issued = await issuerWith(edKey).issue({ userId: USER, roles: ['patient'] });
    const verifier = new JoseAccessTokenVerifier({
      jwks: verificationKeys(edKey, undefined),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    expect((await verifier.verify(issued.token))._unsafeUnwrap().actor).toEqual({ userId: USER, roles: ['patient'] });
  });

  it('signs an RFC 9068 access token: header alg/kid/typ, claims sub/type/roles/iat/exp/jti/iss/aud', async () => {
    const issued = await issuerWith(edKey).issue({ userId: USER, roles: ['patient'] });
    expect(decodeProtectedHeader(issued.token)).toEqual({ alg: 'EdDSA', kid: edKey.kid, typ: 'at+jwt' });
    const claims = decodeJwt(issued.token);
    expect(claims).toEqual({
      sub: USER,
      type: 'access',
      roles: ['patient'],
      iat: Math.floor(issued.issuedAt.getTime() / 1000),
      exp: issued.expiresAt.getTime() / 1000,
      jti: issued.tokenId,
      iss: ISSUER,
      aud: AUDIENCE,
    });
    // A UUIDv7 whose timestamp is the issue time to the millisecond.
    expect(issued.tokenId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(issued.tokenId.replace(/-/g, '').slice(0, 12), 16)).toBe(issued.issuedAt.getTime());
  });

  it('reports the lifetime: expiresIn is the ttl, counted from the whole second of issue', async () => {
    const before = Date.now();
    const issued = await issuerWith(edKey, systemClock, 1_234).issue({ userId: USER, roles: ['patient'] });
    const after = Date.now();
    expect(issued.expiresIn).toBe(1_234);
    expect(issued.expiresAt.getTime() - Math.floor(issued.issuedAt.getTime() / 1000) * 1000).toBe(1_234_000);
    expect(issued.issuedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(issued.issuedAt.getTime()).toBeLessThanOrEqual(after);
  });

  it('takes the issue time from its clock: to the millisecond in the jti, in whole seconds in iat', async () => {
    const clock: Clock = { now: () => new Date('2021-03-04T05:06:07.890Z') };
    const issued = await issuerWith(edKey, clock).issue({ userId: USER, roles: ['patient'] });
    const seconds = Date.parse('2021-03-04T05:06:07Z') / 1000;
    expect(issued.issuedAt).toEqual(new Date('2021-03-04T05:06:07.890Z'));
    expect(issueTime(seconds, issued.tokenId)).toEqual(issued.issuedAt);
    // A jti that is not a UUIDv7 of the same second: the start of the iat second.
    expect(issueTime(seconds, 'not-a-uuid')).toEqual(new Date(seconds * 1000));
    expect(issueTime(seconds + 1, issued.tokenId)).toEqual(new Date((seconds + 1) * 1000));
    expect(issueTime(seconds, undefined)).toEqual(new Date(seconds * 1000));
    expect(issued.expiresAt).toEqual(new Date((seconds + TTL) * 1000));
    const claims = decodeJwt(issued.token);
    expect(claims.iat).toBe(seconds);
    expect(claims.exp).toBe(seconds + TTL);
    // A token issued by a clock long past has expired by now.
    expect((await verifierFor(edKey).verify(issued.token)).isErr()).toBe(true);
  });

  it('gives every token its own id', async () => {
    const issuer = issuerWith(edKey);
    const issued = await Promise.all(Array.from({ length: 20 }, () => issuer.issue({ userId: USER, roles: ['patient'] })));
    expect(new Set(issued.map((token) => token.tokenId)).size).toBe(20);
  });

  it('signs with an ES256 key too', async () => {
    const issued = await issuerWith(esKey).issue({ userId: USER, roles: ['admin'] });
    expect(decodeProtectedHeader(issued.token)).toEqual({ alg: 'ES256', kid: 'es-signing', typ: 'at+jwt' });
    const verified = (await verifierFor(esKey).verify(issued.token))._unsafeUnwrap();
    expect(verified.actor).toEqual({ userId: USER, roles: ['admin'] });
    expect(verified.tokenId).toBe(issued.tokenId);
  });

  it('issues tokens that a verifier without its key refuses', async () => {
    const issued = await issuerWith(edKey).issue({ userId: USER, roles: ['patient'] });
    expect((await verifierFor(esKey).verify(issued.token)).isErr()).toBe(true);
    // …and that one holding both keys accepts.
    expect((await verifierFor(esKey, edKey).verify(issued.token)).isOk()).toBe(true);
  });

  it('copies the roles, so changing the caller’s array later does not matter', async () => {
    const roles: ('patient' | 'admin')[] = ['patient'];
    const pending = issuerWith(edKey).issue({ userId: USER, roles });
    roles.push('admin');
    expect(decodeJwt((await pending).token).roles).toEqual(['patient']);
  });
});
