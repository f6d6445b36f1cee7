import type { User } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { AccessTokenIssuer } from '../platform/ports/access-token-issuer.port.js';
import { Clock } from '../platform/ports/clock.port.js';
import { IdGenerator } from '../platform/ports/id-generator.port.js';
import { OpaqueTokens } from './ports/opaque-tokens.port.js';
import { type SessionClient, SessionStore } from './ports/session.store.port.js';
import { UsersSettings } from './ports/users-settings.js';

/** What login and refresh answer. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly refreshExpiresAt: Date;
  readonly tokenType: 'Bearer';
}

/** Issues an access token and a refresh token, starting a refresh-token family or continuing one. */
@injectable()
export class SessionIssuer {
  constructor(
    @inject(AccessTokenIssuer) private readonly accessTokens: AccessTokenIssuer,
    @inject(OpaqueTokens) private readonly tokens: OpaqueTokens,
    @inject(SessionStore) private readonly sessions: SessionStore,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(UsersSettings) private readonly settings: UsersSettings,
  ) {}

  /** A new session (login). */
  async start(user: User, client: SessionClient): Promise<TokenPair> {
    const now = this.clock.now();
    const refresh = this.tokens.generate();
    const expiresAt = new Date(now.getTime() + this.settings.refreshTokenTtlMs);
    await this.sessions.startFamily({
      familyId: this.ids.next(),
      userId: user.id,
      tokenHash: refresh.hash,
      issuedAt: now,
      expiresAt,
      client,
    });
    return this.pair(user, refresh.token, expiresAt);
  }

  /** The next pair of a family (refresh): the used token is marked and its successor added. */
  async rotate(user: User, usedTokenHash: string, familyId: string): Promise<TokenPair> {
    const now = this.clock.now();
    const refresh = this.tokens.generate();
    const expiresAt = new Date(now.getTime() + this.settings.refreshTokenTtlMs);
    await this.sessions.rotate({ usedTokenHash, familyId, userId: user.id, tokenHash: refresh.hash, issuedAt: now, expiresAt });
    return this.pair(user, refresh.token, expiresAt);
  }

  private async pair(user: User, refreshToken: string, refreshExpiresAt: Date): Promise<TokenPair> {
    const access = await this.accessTokens.issue({ userId: user.id, roles: [user.role] });
    return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn, refreshExpiresAt, tokenType: 'Bearer' };
  }
}
