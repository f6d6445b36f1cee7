import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoOpaqueTokens } from './crypto-opaque.tokens.js';

const tokens = new CryptoOpaqueTokens();

describe('CryptoOpaqueTokens', () => {
  it('generates 43-character base64url tokens carrying 256 random bits', () => {
    const { token } = tokens.generate();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(256);
  });

  it('never repeats a token over 1000 draws, and spreads the characters', () => {
    const drawn = Array.from({ length: 1000 }, () => tokens.generate().token);
    expect(new Set(drawn).size).toBe(1000);
    for (const token of drawn) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // 43 000 characters from a 64-letter alphabet: every letter turns up.
    expect(new Set(drawn.join('')).size).toBe(64);
  });

  it('returns the SHA-256 (hex) of the token as its hash', () => {
    const { token, hash } = tokens.generate();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(createHash('sha256').update(token, 'utf8').digest('hex'));
    expect(tokens.hash(token)).toBe(hash);
  });

  it('hashes deterministically, and different tokens differently', () => {
    expect(tokens.hash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(tokens.hash('abc')).toBe(new CryptoOpaqueTokens().hash('abc'));
    expect(tokens.hash('abd')).not.toBe(tokens.hash('abc'));
    expect(tokens.hash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
