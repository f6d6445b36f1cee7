import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { configFrom } from '../config/config.js';
import { loadSigningKey, type SigningKey, verificationKeys } from './signing-key.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-signing-key-'));
  dirs.push(dir);
  return dir;
}

const keyFile = (dataDir: string) => join(dataDir, 'keys', 'access-token-signing-key.json');

async function privateJwk(alg: 'EdDSA' | 'ES256', kid: string): Promise<JWK> {
  const { privateKey } =
    alg === 'EdDSA'
      ? await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
      : await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid };
}

/** The public JWK really is the public half of the private key: what one signs, the other verifies. */
async function expectMatchingHalves(key: SigningKey): Promise<void> {
  const token = await new SignJWT({ probe: true }).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
  const { protectedHeader } = await compactVerify(token, await importJWK(key.publicJwk, key.alg));
  expect(protectedHeader.kid).toBe(key.kid);
}

function expectPublicOnly(key: SigningKey): void {
  expect(key.publicJwk).not.toHaveProperty('d');
  expect(key.publicJwk).toMatchObject({ kid: key.kid, alg: key.alg, use: 'sig' });
}

describe('loadSigningKey', () => {
  it('uses AUTH_SIGNING_KEY when it is an Ed25519 JWK: EdDSA, a public half without "d"', async () => {
    const jwk = await privateJwk('EdDSA', 'configured-ed');
    const key = await loadSigningKey({ AUTH_SIGNING_KEY: jwk as Record<string, unknown>, AURA_DATA_DIR: 'memory://' });
    expect(key.kid).toBe('configured-ed');
    expect(key.alg).toBe('EdDSA');
    expect(key.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: 'configured-ed', alg: 'EdDSA', use: 'sig' });
    expectPublicOnly(key);
    await expectMatchingHalves(key);
  });

  it('uses AUTH_SIGNING_KEY when it is an EC P-256 JWK: ES256, with x and y but no "d"', async () => {
    const jwk = await privateJwk('ES256', 'configured-es');
    const key = await loadSigningKey({ AUTH_SIGNING_KEY: jwk as Record<string, unknown>, AURA_DATA_DIR: 'memory://' });
    expect(key.kid).toBe('configured-es');
    expect(key.alg).toBe('ES256');
    expect(key.publicJwk).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: jwk.x,
      y: jwk.y,
      kid: 'configured-es',
      alg: 'ES256',
      use: 'sig',
    });
    expectPublicOnly(key);
    await expectMatchingHalves(key);
  });

  it('takes AUTH_SIGNING_KEY as validated by the configuration, and never touches the data directory', async () => {
    const dataDir = join(freshDir(), 'data');
    const jwk = await privateJwk('EdDSA', 'from-env');
    const config = configFrom({ AUTH_SIGNING_KEY: JSON.stringify(jwk), AURA_DATA_DIR: dataDir });
    const key = await loadSigningKey(config);
    expect(key.kid).toBe('from-env');
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('makes a throw-away Ed25519 key for memory://, a new one each time', async () => {
    const one = await loadSigningKey({ AURA_DATA_DIR: 'memory://' });
    const two = await loadSigningKey({ AURA_DATA_DIR: 'memory://' });
    expect(one.alg).toBe('EdDSA');
    expect(one.kid).toMatch(/^aura-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$/);
    expect(one.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expectPublicOnly(one);
    await expectMatchingHalves(one);
    expect(two.kid).not.toBe(one.kid);
    expect(two.publicJwk.x).not.toBe(one.publicJwk.x);
  });

  it('generates a key once into <data dir>/keys/, readable only by its owner, and reuses it on the next load', async () => {
    const dataDir = join(freshDir(), 'data');
    const first = await loadSigningKey({ AURA_DATA_DIR: dataDir });
    expect(first.alg).toBe('EdDSA');
    expectPublicOnly(first);

    const file = keyFile(dataDir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'keys'))).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(file, 'utf8')) as JWK;
    expect(stored).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: first.kid, alg: 'EdDSA', x: first.publicJwk.x });
    expect(typeof stored.d).toBe('string');

    const second = await loadSigningKey({ AURA_DATA_DIR: dataDir });
    expect(second.kid).toBe(first.kid);
    expect(second.publicJwk).toEqual(first.publicJwk);
    await expectMatchingHalves(second);
    // Reading it again does not rewrite it.
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(stored);
  });

  it('agrees on one key when two loads race on a fresh data directory (one writes, the other reads)', async () => {
    const dataDir = freshDir();
    const [one, two] = await Promise.all([
      loadSigningKey({ AURA_DATA_DIR: dataDir }),
      loadSigningKey({ AURA_DATA_DIR: dataDir }),
    ]);
    expect(two.kid).toBe(one.kid);
    expect(two.publicJwk).toEqual(one.publicJwk);
    const stored = JSON.parse(await readFile(keyFile(dataDir), 'utf8')) as JWK;
    expect(stored.kid).toBe(one.kid);
    const third = await loadSigningKey({ AURA_DATA_DIR: dataDir });
    expect(third.kid).toBe(one.kid);
  });

  it('refuses to start on a corrupt key file rather than replacing it', async () => {
    const dataDir = freshDir();
    await mkdir(join(dataDir, 'keys'), { recursive: true });
    await writeFile(keyFile(dataDir), '{ not json', { mode: 0o600 });
    await expect(loadSigningKey({ AURA_DATA_DIR: dataDir })).rejects.toThrow(SyntaxError);
    expect(await readFile(keyFile(dataDir), 'utf8')).toBe('{ not json');
  });

  it('refuses a key file that holds JSON but no usable key', async () => {
    const dataDir = freshDir();
    await mkdir(join(dataDir, 'keys'), { recursive: true });
    await writeFile(keyFile(dataDir), JSON.stringify({ kty: 'OKP', crv: 'Ed25519', kid: 'broken' }), { mode: 0o600 });
    await expect(loadSigningKey({ AURA_DATA_DIR: dataDir })).rejects.toThrow();
  });

  it('reports a data directory it cannot create a key in (not ENOENT on the key file)', async () => {
    const dir = freshDir();
    const blocker = join(dir, 'not-a-directory');
    await writeFile(blocker, 'a file where the data directory should be');
    await expect(loadSigningKey({ AURA_DATA_DIR: blocker })).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

describe('verificationKeys', () => {
  it('lists the signing key alone when there are no extra keys', async () => {
    const signing = await loadSigningKey({ AURA_DATA_DIR: 'memory://' });
    expect(verificationKeys(signing, undefined)).toEqual({ keys: [signing.publicJwk] });
    expect(verificationKeys(signing, { keys: [] })).toEqual({ keys: [signing.publicJwk] });
  });

  it('puts the signing key first, appends the extra keys in order, and drops an extra key with the same kid', async () => {
    const signing = await loadSigningKey({ AURA_DATA_DIR: 'memory://' });
    const old = { kty: 'OKP', crv: 'Ed25519', x: 'b2xkLWtleS1ieXRlcy1mb3ItdGVzdGluZy1vbmx5AAA', kid: 'old-1', use: 'sig' };
    const other = { kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ', kid: 'other-1', use: 'sig' };
    const impostor = { kty: 'OKP', crv: 'Ed25519', x: 'aW1wb3N0b3I', kid: signing.kid, use: 'sig' };
    const set = verificationKeys(signing, { keys: [old, impostor, other] });
    expect(set.keys).toEqual([signing.publicJwk, old, other]);
    expect(set.keys.filter((key) => key.kid === signing.kid)).toEqual([signing.publicJwk]);
  });
});
