import type { AccessTokenIssuer, Clock, IssuedAccessToken, Role } from '@aura/application/platform';
import { parseUuid, uuidV7Timestamp } from '@aura/domain/platform';
import { SignJWT } from 'jose';
import { UuidV7Generator } from '../runtime/uuid-v7.generator.js';
import type { SigningKey } from './signing-key.js';

export interface JoseIssuerOptions {
  readonly key: SigningKey;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  readonly clock: Clock;
}

/**
 * Signs access tokens (RFC 9068 `at+jwt`) with Aura's signing key. The `jti` is a UUIDv7
 * whose timestamp is the issue time to the millisecond (`iat` has whole seconds only), so a
 * revocation can refuse exactly the tokens issued before it.
 */
export class JoseAccessTokenIssuer implements AccessTokenIssuer {
  readonly #ids: UuidV7Generator;

  constructor(private readonly options: JoseIssuerOptions) {
    this.#ids = new UuidV7Generator(() => options.clock.now().getTime());
  }

  async issue(subject: { readonly userId: string; readonly roles: readonly Role[] }): Promise<IssuedAccessToken> {
    const { key, issuer, audience, ttlSeconds } = this.options;
    const tokenId = this.#ids.next();
    const issuedAtMs = uuidV7Timestamp(tokenId) as number;
    const issuedAtSeconds = Math.floor(issuedAtMs / 1000);
    const expiresAtSeconds = issuedAtSeconds + ttlSeconds;
    const token = await new SignJWT({ type: 'access', roles: [...subject.roles] })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setSubject(subject.userId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(issuedAtSeconds)
      .setExpirationTime(expiresAtSeconds)
      .setJti(tokenId)
      .sign(key.privateKey);
    return {
      token,
      tokenId,
      issuedAt: new Date(issuedAtMs),
      expiresAt: new Date(expiresAtSeconds * 1000),
      expiresIn: ttlSeconds,
    };
  }
}

/**
 * When a token was issued, to the millisecond when its `jti` is a UUIDv7 of the same second
 * as its `iat` (tokens Aura issues), else the start of its `iat` second.
 */
export function issueTime(iatSeconds: number, jti: unknown): Date {
  const id = typeof jti === 'string' ? parseUuid(jti) : undefined;
  const ms = id?.isOk() ? uuidV7Timestamp(id.value) : undefined;
  if (ms !== undefined && Math.floor(ms / 1000) === iatSeconds) return new Date(ms);
  return new Date(iatSeconds * 1000);
}
