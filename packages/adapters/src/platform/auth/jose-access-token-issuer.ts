import { randomUUID } from 'node:crypto';
import type { AccessTokenIssuer, Clock, IssuedAccessToken, Role } from '@aura/application/platform';
import { SignJWT } from 'jose';
import type { SigningKey } from './signing-key.js';

export interface JoseIssuerOptions {
  readonly key: SigningKey;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  readonly clock: Clock;
}

/** Signs access tokens (RFC 9068 `at+jwt`) with Aura's signing key. */
export class JoseAccessTokenIssuer implements AccessTokenIssuer {
  constructor(private readonly options: JoseIssuerOptions) {}

  async issue(subject: { readonly userId: string; readonly roles: readonly Role[] }): Promise<IssuedAccessToken> {
    const { key, issuer, audience, ttlSeconds, clock } = this.options;
    const issuedAtSeconds = Math.floor(clock.now().getTime() / 1000);
    const expiresAtSeconds = issuedAtSeconds + ttlSeconds;
    const tokenId = randomUUID();
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
      issuedAt: new Date(issuedAtSeconds * 1000),
      expiresAt: new Date(expiresAtSeconds * 1000),
      expiresIn: ttlSeconds,
    };
  }
}
