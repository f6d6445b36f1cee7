import type { PasswordHash } from '@aura/domain/users';
import { describe, expect, it } from 'vitest';
import { Argon2PasswordHasher } from './argon2-password.hasher.js';

const hasher = new Argon2PasswordHasher();

describe('Argon2PasswordHasher', () => {
  it('hashes to an argon2id PHC string with m=19456, t=2, p=1 (OWASP minimum)', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{32,}$/);
    expect(hash).not.toContain('correct horse');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(await hasher.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse battery stapler')).toBe(false);
    expect(await hasher.verify(hash, 'Correct horse battery staple')).toBe(false);
    expect(await hasher.verify(hash, '')).toBe(false);
  });

  it('handles passwords beyond ASCII', async () => {
    const hash = await hasher.hash('mot de passe très sûr 🔐');
    expect(await hasher.verify(hash, 'mot de passe très sûr 🔐')).toBe(true);
    expect(await hasher.verify(hash, 'mot de passe tres sur 🔐')).toBe(false);
  });

  it('salts every hash: two hashes of one password differ, and both verify', async () => {
    const [one, two] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);
    expect(one).not.toBe(two);
    expect(await hasher.verify(one, 'same password')).toBe(true);
    expect(await hasher.verify(two, 'same password')).toBe(true);
  });

  it('says false, never throws, for a malformed or foreign hash', async () => {
    const malformed = [
      '',
      'not a hash',
      '$argon2id$',
      '$argon2id$v=19$m=19456,t=2,p=1$!!!$???',
      '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
      '5f4dcc3b5aa765d61d8327deb882cf99',
    ];
    for (const hash of malformed) {
      await expect(hasher.verify(hash as PasswordHash, 'password')).resolves.toBe(false);
    }
  });

  it('still verifies hashes made with other argon2 parameters (they travel inside the hash)', async () => {
    const { hash } = await import('@node-rs/argon2');
    const older = (await hash('an older password', { memoryCost: 8192, timeCost: 1, parallelism: 1 })) as PasswordHash;
    expect(older).toContain('m=8192,t=1,p=1');
    expect(await hasher.verify(older, 'an older password')).toBe(true);
    expect(await hasher.verify(older, 'another password')).toBe(false);
  });
});
