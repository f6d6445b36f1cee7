import { createHash, randomBytes } from 'node:crypto';
import type { OpaqueToken, OpaqueTokens } from '@aura/application/users';
import { injectable } from 'inversify';

/** 256 random bits, base64url (43 characters); stored as their SHA-256 (a fast hash is right for high-entropy secrets). */
@injectable()
export class CryptoOpaqueTokens implements OpaqueTokens {
  generate(): OpaqueToken {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: this.hash(token) };
  }

  hash(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }
}
