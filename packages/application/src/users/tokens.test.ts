import { describe, expect, it } from 'vitest';
import * as users from './index.js';

describe('users entry point', () => {
  const tokens = Object.entries(users as Record<string, unknown>).filter(
    (entry): entry is [string, symbol] => typeof entry[1] === 'symbol',
  );

  it('exports a token for every port and for the contract, registered globally under its namespaced name', () => {
    // Symbol.for: the adapters, other modules and a bundled copy of the package agree on the tokens.
    expect(tokens.map(([name]) => name).sort()).toEqual([
      'AccountMessenger',
      'LoginThrottleStore',
      'OneTimeTokenStore',
      'OpaqueTokens',
      'PasswordHasher',
      'PasswordStrengthEstimator',
      'SecurityAuditLog',
      'SessionStore',
      'UserRepository',
      'UsersContract',
      'UsersSettings',
    ]);
    for (const [name, token] of tokens) expect(token).toBe(Symbol.for(`aura.users.${name}`));
  });
});
