import type { PasswordStrengthEstimator } from '@aura/application/users';
import type { PasswordStrength } from '@aura/domain/users';
import zxcvbnCore from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import { injectable } from 'inversify';

/**
 * zxcvbn (the maintained TypeScript port): pattern matching against common passwords,
 * names, keyboard walks, dates and the person's own details, with feedback in English.
 */
@injectable()
export class ZxcvbnPasswordStrengthEstimator implements PasswordStrengthEstimator {
  readonly #zxcvbn = new zxcvbnCore.ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });

  estimate(password: string, userInputs: readonly string[]): PasswordStrength {
    const result = this.#zxcvbn.check(password, [...userInputs]);
    return {
      score: result.score as PasswordStrength['score'],
      warning: result.feedback.warning ?? null,
      suggestions: [...result.feedback.suggestions],
    };
  }
}
