import { checkPasswordLength, checkPasswordStrength, type WeakPassword } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { ResultAsync } from 'neverthrow';
import { PasswordStrengthEstimator } from './ports/password-hasher.port.js';
import { UsersSettings } from './ports/users-settings.js';
import {
  type AccountInput,
  type InvalidAccountInput,
  type ParsedAccount,
  parseAccountInput,
  personalWords,
} from './profile-input.js';

/** The password rules: 8–128 characters, and not guessable (strength estimated against the person's own details). */
@injectable()
export class PasswordPolicy {
  constructor(
    @inject(PasswordStrengthEstimator) private readonly estimator: PasswordStrengthEstimator,
    @inject(UsersSettings) private readonly settings: UsersSettings,
  ) {}

  check(password: string, userInputs: readonly string[], field = 'password'): ResultAsync<void, WeakPassword> {
    return checkPasswordLength(password, field).asyncAndThen(() => {
      // The whole input, the part before an @, each word and the words run together, lower-cased:
      // `margaret.hamilton2024` or `MargaretHamilton!` must not pass for Margaret Hamilton.
      const inputs = userInputs
        .map((input) => input.toLowerCase())
        .flatMap((input) => {
          const words = input.split(/[@.\s_-]+/);
          return [input, input.split('@')[0] ?? '', words.join(''), ...words];
        })
        .filter((input) => input.length >= 3);
      return ResultAsync.fromSafePromise(this.estimator.estimate(password, inputs)).andThen((strength) =>
        checkPasswordStrength(strength, this.settings.passwordMinScore, field),
      );
    });
  }
}

/** A new account's details and password, each checked: what registration and admin creation both need. */
export function checkNewAccount(
  policy: PasswordPolicy,
  input: AccountInput & { readonly password: string },
): ResultAsync<ParsedAccount, InvalidAccountInput | WeakPassword> {
  return parseAccountInput(input).asyncAndThen((account) =>
    policy.check(input.password, personalWords(account)).map(() => account),
  );
}
