import type { Role } from '../actor.js';

export interface IssuedAccessToken {
  /** The signed JWT. */
  readonly token: string;
  /** Its `jti`. */
  readonly tokenId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** Seconds from issue to expiry. */
  readonly expiresIn: number;
}

/**
 * Signs access tokens (JWT with `sub`, `type: "access"`, `roles`, `iat`, `exp`, `jti`, a `kid`
 * header) that `AccessTokenVerifier` and any service holding the published keys accept.
 */
export interface AccessTokenIssuer {
  issue(subject: { readonly userId: string; readonly roles: readonly Role[] }): Promise<IssuedAccessToken>;
}
export const AccessTokenIssuer = Symbol.for('aura.platform.AccessTokenIssuer');
