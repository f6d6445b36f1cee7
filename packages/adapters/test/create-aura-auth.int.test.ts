/**
 * What createAura binds for authentication and its neighbours: the access-token issuer and
 * verifier sharing one signing key, the published key set (signing key first, then
 * AUTH_JWKS), the rate limiter (in memory, or Redis with REDIS_URL, closed with Aura) and
 * the development mailbox.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessTokenIssuer,
  AccessTokenVerifier,
  RateLimiter,
  type RateLimiter as RateLimiterPort,
} from '@aura/application/platform';
import type { PGlite } from '@electric-sql/pglite';
import { Redis } from 'ioredis';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisUrl, uniqueName } from '../../../test/support/services.js';
import { configFrom } from '../src/platform/config/config.js';
import { type Aura, type CreateAuraOptions, createAura } from '../src/platform/create-aura.js';
import { openDatabase, openPglite } from '../src/platform/db/database.js';
import { DevMailbox, DirectoryDevMailbox, InMemoryDevMailbox } from '../src/platform/mail/dev-mailbox.js';
import { PublicKeySetToken } from '../src/platform/platform.tokens.js';
import { InMemoryJobQueue } from '../src/platform/queue/in-memory-job-queue.js';
import { MemoryRateLimiter } from '../src/platform/rate-limit/memory-rate-limiter.js';
import { RedisRateLimiter } from '../src/platform/rate-limit/redis-rate-limiter.js';
import { waitUntil } from './support/wait.js';

const USER = '0190aaaa-bbbb-7ccc-8ddd-000000000004';

const newQueue = () =>
  new InMemoryJobQueue({ defaultAttempts: 1, defaultBackoff: { type: 'fixed', delayMs: 5 }, closeTimeoutMs: 500 });

async function keyPair(alg: 'EdDSA' | 'ES256', kid: string) {
  const pair =
    alg === 'EdDSA'
      ? await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
      : await generateKeyPair('ES256', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(pair.privateKey)), kid };
  return { privateKey: pair.privateKey, publicJwk, privateJwk };
}

describe('createAura: authentication, rate limiting and the development mailbox', () => {
  let template: PGlite;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    template = await openPglite('memory://');
  });
  afterAll(async () => {
    await template?.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An Aura on a fresh in-memory database (a clone of one started once for the file). */
  async function start(overrides: Partial<Record<string, string>> = {}, options: Partial<CreateAuraOptions> = {}): Promise<Aura> {
    const database = await openDatabase({ kind: 'pglite', instance: (await template.clone()) as PGlite });
    const aura = await createAura({ config: configFrom(overrides), database, queue: newQueue(), ...options });
    cleanups.push(() => aura.close());
    return aura;
  }

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'aura-auth-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it('issues access tokens that its verifier accepts, through the container', async () => {
    const aura = await start();
    const issuer = await aura.get<AccessTokenIssuer>(AccessTokenIssuer);
    const verifier = await aura.get<AccessTokenVerifier>(AccessTokenVerifier);
    const issued = await issuer.issue({ userId: USER, roles: ['therapist'] });
    expect(issued.expiresIn).toBe(aura.config.AUTH_ACCESS_TOKEN_TTL_S);
    expect((await verifier.verify(issued.token))._unsafeUnwrap()).toEqual({
      actor: { userId: USER, roles: ['therapist'] },
      issuedAt: issued.issuedAt,
      expiresAt: issued.expiresAt,
      tokenId: issued.tokenId,
    });
  });

  it('uses the configured issuer, audience and lifetime', async () => {
    const aura = await start({
      AUTH_JWT_ISSUER: 'https://id.example.org',
      AUTH_JWT_AUDIENCE: 'clinic-api',
      AUTH_ACCESS_TOKEN_TTL_S: '120',
    });
    const issued = await (await aura.get<AccessTokenIssuer>(AccessTokenIssuer)).issue({ userId: USER, roles: ['patient'] });
    expect(issued.expiresIn).toBe(120);
    // exp counts from the whole second of iat; issuedAt itself is exact to the millisecond.
    expect(issued.expiresAt.getTime() - Math.floor(issued.issuedAt.getTime() / 1000) * 1000).toBe(120_000);
    const [, payload] = issued.token.split('.');
    expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())).toMatchObject({
      iss: 'https://id.example.org',
      aud: 'clinic-api',
    });
    expect((await (await aura.get<AccessTokenVerifier>(AccessTokenVerifier)).verify(issued.token)).isOk()).toBe(true);
  });

  it('publishes a key set holding the public half of the signing key, first, under the kid tokens carry', async () => {
    const aura = await start();
    const keys = await aura.get<JSONWebKeySet>(PublicKeySetToken);
    expect(keys.keys).toHaveLength(1);
    const [signing] = keys.keys;
    expect(signing).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(signing).not.toHaveProperty('d');
    const issued = await (await aura.get<AccessTokenIssuer>(AccessTokenIssuer)).issue({ userId: USER, roles: ['patient'] });
    expect(decodeProtectedHeader(issued.token)).toMatchObject({ alg: 'EdDSA', kid: signing?.kid, typ: 'at+jwt' });
  });

  it('signs with AUTH_SIGNING_KEY when set (ES256 here)', async () => {
    const configured = await keyPair('ES256', 'configured-es256');
    const aura = await start({ AUTH_SIGNING_KEY: JSON.stringify(configured.privateJwk) });
    const keys = await aura.get<JSONWebKeySet>(PublicKeySetToken);
    expect(keys.keys).toEqual([configured.publicJwk]);
    const issued = await (await aura.get<AccessTokenIssuer>(AccessTokenIssuer)).issue({ userId: USER, roles: ['admin'] });
    expect(decodeProtectedHeader(issued.token)).toMatchObject({ alg: 'ES256', kid: 'configured-es256' });
    expect((await (await aura.get<AccessTokenVerifier>(AccessTokenVerifier)).verify(issued.token)).isOk()).toBe(true);
  });

  it('appends the AUTH_JWKS keys after the signing key, and accepts tokens signed by them', async () => {
    const rotatedOut = await keyPair('EdDSA', 'rotated-out');
    const partner = await keyPair('ES256', 'partner');
    const aura = await start({ AUTH_JWKS: JSON.stringify({ keys: [rotatedOut.publicJwk, partner.publicJwk] }) });
    const keys = await aura.get<JSONWebKeySet>(PublicKeySetToken);
    expect(keys.keys).toHaveLength(3);
    expect(keys.keys.slice(1)).toEqual([rotatedOut.publicJwk, partner.publicJwk]);
    const issued = await (await aura.get<AccessTokenIssuer>(AccessTokenIssuer)).issue({ userId: USER, roles: ['patient'] });
    expect(keys.keys[0]?.kid).toBe(decodeProtectedHeader(issued.token).kid);

    const verifier = await aura.get<AccessTokenVerifier>(AccessTokenVerifier);
    const byRotatedOut = await new SignJWT({ type: 'access', roles: ['patient'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'rotated-out' })
      .setSubject(USER)
      .setIssuer(aura.config.AUTH_JWT_ISSUER)
      .setAudience(aura.config.AUTH_JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(rotatedOut.privateKey);
    expect((await verifier.verify(byRotatedOut))._unsafeUnwrap().actor).toEqual({ userId: USER, roles: ['patient'] });
  });

  it('keeps the signing key when AUTH_JWKS repeats its kid', async () => {
    const configured = await keyPair('EdDSA', 'shared-kid');
    const impostor = await keyPair('EdDSA', 'shared-kid');
    const aura = await start({
      AUTH_SIGNING_KEY: JSON.stringify(configured.privateJwk),
      AUTH_JWKS: JSON.stringify({ keys: [impostor.publicJwk] }),
    });
    expect((await aura.get<JSONWebKeySet>(PublicKeySetToken)).keys).toEqual([configured.publicJwk]);
  });

  it('keeps a generated signing key in the data directory, so tokens survive a restart', async () => {
    const dataDir = tempDir();
    const first = await createAura({ config: configFrom({ AURA_DATA_DIR: dataDir }), queue: newQueue() });
    let issued: Awaited<ReturnType<AccessTokenIssuer['issue']>>;
    let kid: string | undefined;
    try {
      issued = await (await first.get<AccessTokenIssuer>(AccessTokenIssuer)).issue({ userId: USER, roles: ['patient'] });
      kid = (await first.get<JSONWebKeySet>(PublicKeySetToken)).keys[0]?.kid;
    } finally {
      await first.close();
    }
    expect(existsSync(join(dataDir, 'keys', 'access-token-signing-key.json'))).toBe(true);
    const second = await createAura({ config: configFrom({ AURA_DATA_DIR: dataDir }), queue: newQueue() });
    try {
      expect((await second.get<JSONWebKeySet>(PublicKeySetToken)).keys[0]?.kid).toBe(kid);
      expect((await (await second.get<AccessTokenVerifier>(AccessTokenVerifier)).verify(issued.token)).isOk()).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('fails to start on a corrupt key file before opening the database', async () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'keys'));
    writeFileSync(join(dataDir, 'keys', 'access-token-signing-key.json'), 'not json');
    const queue = newQueue();
    const close = vi.spyOn(queue, 'close');
    await expect(createAura({ config: configFrom({ AURA_DATA_DIR: dataDir }), queue })).rejects.toThrow(SyntaxError);
    expect(readdirSync(dataDir)).toEqual(['keys']);
    expect(close).not.toHaveBeenCalled();
    await queue.close();
  });

  it('limits rates in memory without REDIS_URL', async () => {
    const aura = await start();
    const limiter = await aura.get<RateLimiterPort>(RateLimiter);
    expect(limiter).toBeInstanceOf(MemoryRateLimiter);
    const policy = { name: 'test', limit: 2, windowSeconds: 60 };
    const decisions = [];
    for (let i = 0; i < 3; i += 1) decisions.push((await limiter.consume(policy, 'client')).allowed);
    expect(decisions).toEqual([true, true, false]);
  });

  it('binds an in-memory development mailbox for memory://, a directory one for DEV_MAILBOX_DIR', async () => {
    const inMemory = await start();
    expect(await inMemory.get(DevMailbox)).toBeInstanceOf(InMemoryDevMailbox);
    const dir = join(tempDir(), 'mail');
    const inDirectory = await start({ DEV_MAILBOX_DIR: dir });
    const mailbox = await inDirectory.get<DirectoryDevMailbox>(DevMailbox);
    expect(mailbox).toBeInstanceOf(DirectoryDevMailbox);
    expect(mailbox.directory).toBe(dir);
  });

  describe('with REDIS_URL', () => {
    it('limits rates in Redis, under the queue prefix, and closes the limiter with Aura', async () => {
      const prefix = uniqueName('aura_auth');
      const aura = await start({ REDIS_URL: redisUrl ?? '', QUEUE_PREFIX: prefix });
      const limiter = await aura.get<RateLimiterPort>(RateLimiter);
      expect(limiter).toBeInstanceOf(RedisRateLimiter);
      expect(await aura.get(RateLimiter)).toBe(limiter);

      const redis = new Redis(redisUrl ?? '', { lazyConnect: true });
      cleanups.push(() => redis.disconnect());
      await redis.connect();
      const policy = { name: uniqueName('policy'), limit: 1_000, windowSeconds: 60 };
      let attempt = 0;
      await waitUntil(async () => {
        attempt += 1;
        await limiter.consume(policy, `probe-${attempt}`);
        return (await redis.exists(`${prefix}:rl:${policy.name}:probe-${attempt}`)) === 1;
      }, 'a consume to land in Redis');

      const close = vi.spyOn(limiter as RedisRateLimiter, 'close');
      const client = Reflect.get(limiter, 'client') as Redis;
      expect(client.status).toBe('ready');
      await aura.close();
      expect(close).toHaveBeenCalledTimes(1);
      // QUIT is answered before the socket is gone: the client ends just after.
      await waitUntil(() => client.status === 'end', 'the rate limiter to disconnect from Redis', 2_000);
      await aura.close();
      expect(close).toHaveBeenCalledTimes(1);
    });
  });
});
