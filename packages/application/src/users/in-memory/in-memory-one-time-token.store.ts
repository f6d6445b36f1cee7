import type { OneTimeTokenPurpose } from '@aura/domain/users';
import type { OneTimeTokenStore, StoredOneTimeToken } from '../ports/one-time-token.store.port.js';

const copy = (token: StoredOneTimeToken): StoredOneTimeToken => ({
  ...token,
  createdAt: new Date(token.createdAt),
  expiresAt: new Date(token.expiresAt),
  usedAt: token.usedAt === null ? null : new Date(token.usedAt),
});

/** A OneTimeTokenStore in a Map, with the SQL adapter's rules (a new token withdraws the unused earlier ones). */
export class InMemoryOneTimeTokenStore implements OneTimeTokenStore {
  readonly #tokens = new Map<string, StoredOneTimeToken>();

  async issue(token: Parameters<OneTimeTokenStore['issue']>[0]): Promise<void> {
    if (this.#tokens.has(token.tokenHash)) throw new Error('a one-time token with this hash already exists');
    await this.withdrawUnused(token.userId, token.purpose);
    this.#tokens.set(
      token.tokenHash,
      copy({
        tokenHash: token.tokenHash,
        userId: token.userId,
        purpose: token.purpose,
        createdAt: token.createdAt,
        expiresAt: token.expiresAt,
        usedAt: null,
      }),
    );
  }

  async findForUse(tokenHash: string): Promise<StoredOneTimeToken | undefined> {
    const token = this.#tokens.get(tokenHash);
    return token === undefined ? undefined : copy(token);
  }

  async markUsed(tokenHash: string, at: Date): Promise<void> {
    const token = this.#tokens.get(tokenHash);
    if (token !== undefined) this.#tokens.set(tokenHash, copy({ ...token, usedAt: at }));
  }

  async withdrawUnused(userId: string, purpose: OneTimeTokenPurpose): Promise<number> {
    const unused = [...this.#tokens.values()].filter((t) => t.userId === userId && t.purpose === purpose && t.usedAt === null);
    for (const token of unused) this.#tokens.delete(token.tokenHash);
    return unused.length;
  }

  async purgeExpired(before: Date): Promise<number> {
    const expired = [...this.#tokens.values()].filter((token) => token.expiresAt < before);
    for (const token of expired) this.#tokens.delete(token.tokenHash);
    return expired.length;
  }

  async lastIssuedAt(userId: string, purpose: OneTimeTokenPurpose): Promise<Date | undefined> {
    let latest: Date | undefined;
    for (const token of this.#tokens.values()) {
      if (token.userId !== userId || token.purpose !== purpose) continue;
      if (latest === undefined || token.createdAt > latest) latest = token.createdAt;
    }
    return latest === undefined ? undefined : new Date(latest);
  }
}
