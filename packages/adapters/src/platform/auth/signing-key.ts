import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose';

export type SigningAlgorithm = 'EdDSA' | 'ES256';

/** The private key that signs access tokens, and its public half as published in the JWKS. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: Awaited<ReturnType<typeof importJWK>>;
  readonly publicJwk: JWK;
}

export interface SigningKeySource {
  /** A private JWK from configuration (AUTH_SIGNING_KEY). */
  readonly AUTH_SIGNING_KEY?: Readonly<Record<string, unknown>> | undefined;
  readonly AURA_DATA_DIR: string;
}

const KEY_FILE = ['keys', 'access-token-signing-key.json'] as const;

const algorithmOf = (jwk: JWK): SigningAlgorithm => (jwk.kty === 'EC' ? 'ES256' : 'EdDSA');

function publicHalf(jwk: JWK, alg: SigningAlgorithm): JWK {
  const { kty, crv, x, y, kid } = jwk;
  return { kty, crv, x, ...(y === undefined ? {} : { y }), kid, alg, use: 'sig' } as JWK;
}

async function fromJwk(jwk: JWK): Promise<SigningKey> {
  const alg = algorithmOf(jwk);
  const privateKey = await importJWK(jwk, alg);
  return { kid: jwk.kid as string, alg, privateKey, publicJwk: publicHalf(jwk, alg) };
}

async function generateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  const day = new Date().toISOString().slice(0, 10);
  return { ...jwk, kid: `aura-${day}-${randomBytes(4).toString('hex')}`, alg: 'EdDSA' };
}

/**
 * The access-token signing key: AUTH_SIGNING_KEY when set (required in production);
 * otherwise one generated on first start and kept, readable only by its owner, in
 * `AURA_DATA_DIR/keys/` (so tokens survive a restart); a throw-away key for `memory://`.
 */
export async function loadSigningKey(source: SigningKeySource): Promise<SigningKey> {
  if (source.AUTH_SIGNING_KEY !== undefined) return fromJwk(source.AUTH_SIGNING_KEY as JWK);
  if (source.AURA_DATA_DIR === 'memory://') return fromJwk(await generateJwk());
  const directory = join(source.AURA_DATA_DIR, KEY_FILE[0]);
  const file = join(directory, KEY_FILE[1]);
  try {
    return await fromJwk(JSON.parse(await readFile(file, 'utf8')) as JWK);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const jwk = await generateJwk();
  // Written whole to a file of our own, then linked into place: when processes start at once,
  // exactly one link succeeds, and nobody ever reads a half-written key.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temporary, JSON.stringify(jwk), { flag: 'wx', mode: 0o600 });
  try {
    await link(temporary, file);
    return await fromJwk(jwk);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
    return fromJwk(JSON.parse(await readFile(file, 'utf8')) as JWK);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** The keys that verify access tokens: the signing key's public half first, then any extra (e.g. rotated-out) keys. */
export function verificationKeys(signing: SigningKey, extra: JSONWebKeySet | undefined): JSONWebKeySet {
  const others = (extra?.keys ?? []).filter((key) => key.kid !== signing.kid);
  return { keys: [signing.publicJwk, ...others] };
}
