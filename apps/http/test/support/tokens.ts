import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A signing key for tests and the JWKS that verifies it, as `AUTH_JWKS` takes it. */
export async function testKeys() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'EdDSA', use: 'sig' };
  const sign = (
    claims: { sub?: string; roles?: string[]; type?: string },
    options: { expiresIn?: string; issuer?: string } = {},
  ) =>
    new SignJWT({ type: 'access', roles: ['patient'], ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key-1' })
      .setSubject(claims.sub ?? '0190aaaa-bbbb-7ccc-8ddd-000000000001')
      .setIssuer(options.issuer ?? 'aura')
      .setAudience('aura-api')
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .setExpirationTime(options.expiresIn ?? '30m')
      .sign(privateKey);
  return { jwks: JSON.stringify({ keys: [jwk] }), sign };
}
