import { describe, expect, it } from 'vitest';
import { ZxcvbnPasswordStrengthEstimator } from './zxcvbn-password-strength.estimator.js';

const estimator = new ZxcvbnPasswordStrengthEstimator();

describe('ZxcvbnPasswordStrengthEstimator', () => {
  it('scores a common password 0, with a warning and suggestions in English', () => {
    const strength = estimator.estimate('password1', []);
    expect(strength.score).toBe(0);
    expect(strength.warning).toEqual(expect.any(String));
    expect(strength.warning).not.toBe('');
    expect(strength.suggestions.length).toBeGreaterThan(0);
    for (const suggestion of strength.suggestions) expect(suggestion).toEqual(expect.any(String));
  });

  it('scores a long passphrase of uncommon word combinations 4, without a warning', () => {
    expect(estimator.estimate('correct horse battery staple', [])).toEqual({ score: 4, warning: null, suggestions: [] });
  });

  it('scores a keyboard walk low', () => {
    expect(estimator.estimate('qwertyuiop', []).score).toBeLessThanOrEqual(1);
  });

  it("scores a password built from the person's own details lower when it is given those details", () => {
    const email = 'margaret.hamilton@example.com';
    const localPart = 'margaret.hamilton';
    const password = `${localPart}2024`;
    const without = estimator.estimate(password, []);
    const withInputs = estimator.estimate(password, [email, localPart]);
    expect(withInputs.score).toBeLessThan(without.score);
    expect(withInputs.score).toBeLessThanOrEqual(2);
    expect(withInputs.warning).toEqual(expect.any(String));
  });

  it('keeps no user inputs from one estimate to the next', () => {
    const password = 'margaret.hamilton2024';
    const before = estimator.estimate(password, []);
    estimator.estimate(password, ['margaret.hamilton']);
    expect(estimator.estimate(password, [])).toEqual(before);
  });

  it('does not change the array of user inputs it is given', () => {
    const inputs = Object.freeze(['someone@example.com', 'someone']);
    expect(() => estimator.estimate('someone2024', inputs)).not.toThrow();
    expect(inputs).toEqual(['someone@example.com', 'someone']);
  });
});
