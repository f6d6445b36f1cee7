import { createHash, randomBytes } from 'node:crypto';
import type { SecretTokens } from '@aura/application/therapy';
import { injectable } from 'inversify';

/** 256 random bits, base64url (43 characters, safe in a URL path); stored as their SHA-256. */
@injectable()
export class CryptoSecretTokens implements SecretTokens {
  generate(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: this.hash(token) };
  }

  hash(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }
}
