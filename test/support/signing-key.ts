import { exportJWK, generateKeyPair } from 'jose';

/**
 * A throw-away private signing key as AUTH_SIGNING_KEY takes it (production requires one):
 * generated per test run, never stored.
 */
export async function testSigningKey(kid = 'aura-test-signing-key'): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' });
}
