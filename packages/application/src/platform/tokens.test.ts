import { describe, expect, it } from 'vitest';
import * as platform from './index.js';

describe('platform entry point', () => {
  const tokens = Object.entries(platform as Record<string, unknown>).filter(
    (entry): entry is [string, symbol] => typeof entry[1] === 'symbol',
  );

  it('exports a token for every port, registered globally under its namespaced port name', () => {
    // Symbol.for: two copies of the package (a bundled embedder, a linked workspace) agree on the tokens.
    expect(tokens.map(([name]) => name).sort()).toEqual([
      'AccessGuard',
      'AccessTokenIssuer',
      'AccessTokenVerifier',
      'Clock',
      'DeadLetterStore',
      'ExecutionContext',
      'HealthIndicator',
      'IdGenerator',
      'IdempotencyStore',
      'JobQueue',
      'Logger',
      'Outbox',
      'RateLimiter',
      'UnitOfWork',
    ]);
    for (const [name, token] of tokens) expect(token).toBe(Symbol.for(`aura.platform.${name}`));
  });
});
