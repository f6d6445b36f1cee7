import type { PasswordHasher } from '@aura/application/users';
import type { PasswordHash } from '@aura/domain/users';
import { hash, verify } from '@node-rs/argon2';
import { injectable } from 'inversify';

/**
 * argon2id with the library's defaults (m = 19 MiB, t = 2, p = 1: OWASP's recommended
 * minimum). The parameters travel inside each hash, so raising them later still verifies
 * older hashes.
 */
@injectable()
export class Argon2PasswordHasher implements PasswordHasher {
  async hash(password: string): Promise<PasswordHash> {
    return (await hash(password)) as PasswordHash;
  }

  async verify(passwordHash: PasswordHash, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      // A malformed or foreign hash never matches.
      return false;
    }
  }
}
