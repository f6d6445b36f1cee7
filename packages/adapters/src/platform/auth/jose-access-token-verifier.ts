import {
  type AccessTokenVerifier,
  type InvalidAccessToken,
  ROLES,
  type Role,
  type VerifiedAccessToken,
} from '@aura/application/platform';
import { domainError } from '@aura/domain/platform';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { issueTime } from './jose-access-token-issuer.js';

export interface JoseVerifierOptions {
  /** Public keys (a JWKS document). Without keys, every token is refused. */
  readonly jwks: JSONWebKeySet | undefined;
  readonly issuer: string;
  readonly audience: string;
}

/** Only asymmetric algorithms: a verifier never holds a secret that could mint tokens. */
const ALGORITHMS = ['EdDSA', 'ES256'];

const invalid = (why: string): InvalidAccessToken => domainError('platform.invalid_access_token', why);

/**
 * Verifies Aura access tokens (JWT, EdDSA or ES256, with a `kid`): signature against the
 * configured key set, algorithm pinned, issuer, audience, expiry, `type: "access"`, and
 * roles from the closed set.
 */
export class JoseAccessTokenVerifier implements AccessTokenVerifier {
  readonly #keys: JWTVerifyGetKey | undefined;

  constructor(private readonly options: JoseVerifierOptions) {
    this.#keys = options.jwks === undefined ? undefined : createLocalJWKSet(options.jwks);
  }

  verify(token: string): ResultAsync<VerifiedAccessToken, InvalidAccessToken> {
    const keys = this.#keys;
    if (keys === undefined) return errAsync(invalid('no keys are configured to verify access tokens'));
    return ResultAsync.fromPromise(
      jwtVerify(token, keys, {
        algorithms: ALGORITHMS,
        issuer: this.options.issuer,
        audience: this.options.audience,
        // A token without an expiry would never expire: refuse it.
        requiredClaims: ['exp', 'iat', 'sub'],
      }),
      () => invalid('the access token is invalid or expired'),
    ).andThen(({ payload, protectedHeader }) => {
      const roles = payload.roles;
      if (typeof protectedHeader.kid !== 'string') return errAsync(invalid('the access token names no key (kid)'));
      if (payload.type !== 'access') return errAsync(invalid('not an access token'));
      if (typeof payload.sub !== 'string' || payload.sub === '') return errAsync(invalid('the access token has no subject'));
      if (!Array.isArray(roles) || roles.length === 0 || !roles.every((role): role is Role => ROLES.includes(role as Role))) {
        return errAsync(invalid('the access token has no valid roles'));
      }
      return okAsync({
        actor: { userId: payload.sub, roles },
        issuedAt: issueTime(payload.iat as number, payload.jti),
        expiresAt: new Date((payload.exp as number) * 1000),
        tokenId: typeof payload.jti === 'string' ? payload.jti : undefined,
      });
    });
  }
}
