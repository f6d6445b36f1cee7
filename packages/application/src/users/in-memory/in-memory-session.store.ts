import type { SessionRevocationReason, SessionStore, StoredRefreshToken } from '../ports/session.store.port.js';

export interface InMemoryRefreshTokenFamily {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  readonly revokedReason: SessionRevocationReason | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

interface TokenEntry {
  readonly tokenHash: string;
  readonly familyId: string;
  readonly userId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
}

/** A SessionStore in Maps, with the SQL adapter's rules. Nothing to lock: JavaScript runs one refresh at a time. */
export class InMemorySessionStore implements SessionStore {
  readonly #families = new Map<string, InMemoryRefreshTokenFamily>();
  readonly #tokens = new Map<string, TokenEntry>();

  async startFamily(input: Parameters<SessionStore['startFamily']>[0]): Promise<void> {
    if (this.#families.has(input.familyId)) throw new Error(`refresh token family ${input.familyId} already exists`);
    this.#assertNewToken(input.tokenHash);
    this.#families.set(input.familyId, {
      id: input.familyId,
      userId: input.userId,
      createdAt: new Date(input.issuedAt),
      revokedAt: null,
      revokedReason: null,
      ip: input.client.ip ?? null,
      userAgent: input.client.userAgent ?? null,
    });
    this.#tokens.set(input.tokenHash, {
      tokenHash: input.tokenHash,
      familyId: input.familyId,
      userId: input.userId,
      issuedAt: new Date(input.issuedAt),
      expiresAt: new Date(input.expiresAt),
      usedAt: null,
    });
  }

  async findForRotation(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const token = this.#tokens.get(tokenHash);
    if (token === undefined) return undefined;
    const family = this.#families.get(token.familyId);
    return {
      tokenHash: token.tokenHash,
      familyId: token.familyId,
      userId: token.userId,
      usedAt: token.usedAt === null ? null : new Date(token.usedAt),
      expiresAt: new Date(token.expiresAt),
      familyRevokedAt: family === undefined || family.revokedAt === null ? null : new Date(family.revokedAt),
    };
  }

  async rotate(input: Parameters<SessionStore['rotate']>[0]): Promise<void> {
    const used = this.#tokens.get(input.usedTokenHash);
    if (used === undefined || used.familyId !== input.familyId || used.usedAt !== null) {
      throw new Error('the refresh token to rotate is unknown or already used');
    }
    this.#assertNewToken(input.tokenHash);
    this.#tokens.set(used.tokenHash, { ...used, usedAt: new Date(input.issuedAt) });
    this.#tokens.set(input.tokenHash, {
      tokenHash: input.tokenHash,
      familyId: input.familyId,
      userId: input.userId,
      issuedAt: new Date(input.issuedAt),
      expiresAt: new Date(input.expiresAt),
      usedAt: null,
    });
  }

  async purgeExpired(before: Date): Promise<number> {
    let purged = 0;
    for (const token of [...this.#tokens.values()]) {
      if (token.expiresAt < before) {
        this.#tokens.delete(token.tokenHash);
        purged += 1;
      }
    }
    const live = new Set([...this.#tokens.values()].map((token) => token.familyId));
    for (const familyId of [...this.#families.keys()]) if (!live.has(familyId)) this.#families.delete(familyId);
    return purged;
  }

  async revokeFamily(familyId: string, at: Date, reason: SessionRevocationReason): Promise<boolean> {
    const family = this.#families.get(familyId);
    if (family === undefined || family.revokedAt !== null) return false;
    this.#families.set(familyId, { ...family, revokedAt: new Date(at), revokedReason: reason });
    return true;
  }

  async revokeAllForUser(userId: string, at: Date, reason: SessionRevocationReason): Promise<number> {
    let revoked = 0;
    for (const family of [...this.#families.values()]) {
      if (family.userId !== userId || family.revokedAt !== null) continue;
      this.#families.set(family.id, { ...family, revokedAt: new Date(at), revokedReason: reason });
      revoked += 1;
    }
    return revoked;
  }

  /** The families of a user (for tests), oldest first. */
  familiesOf(userId: string): InMemoryRefreshTokenFamily[] {
    return [...this.#families.values()]
      .filter((f) => f.userId === userId)
      .map((f) => ({ ...f, createdAt: new Date(f.createdAt), revokedAt: f.revokedAt === null ? null : new Date(f.revokedAt) }));
  }

  #assertNewToken(tokenHash: string): void {
    if (this.#tokens.has(tokenHash)) throw new Error('a refresh token with this hash already exists');
  }
}
