import { checkPasswordLength, checkPasswordStrength, type WeakPassword } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import type { Result } from 'neverthrow';
import { PasswordStrengthEstimator } from './ports/password-hasher.port.js';
import { UsersSettings } from './ports/users-settings.js';

/** The password rules: 8–128 characters, and not guessable (strength estimated against the person's own details). */
@injectable()
export class PasswordPolicy {
  constructor(
    @inject(PasswordStrengthEstimator) private readonly estimator: PasswordStrengthEstimator,
    @inject(UsersSettings) private readonly settings: UsersSettings,
  ) {}

  check(password: string, userInputs: readonly string[], field = 'password'): Result<void, WeakPassword> {
    return checkPasswordLength(password, field).andThen(() => {
      const inputs = userInputs.flatMap((input) => [input, ...input.split(/[@.\s_-]+/)]).filter((input) => input.length >= 3);
      return checkPasswordStrength(this.estimator.estimate(password, inputs), this.settings.passwordMinScore, field);
    });
  }
}
