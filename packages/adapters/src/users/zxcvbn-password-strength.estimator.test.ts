import { afterAll, describe, expect, it } from 'vitest';
import { ZxcvbnPasswordStrengthEstimator } from './zxcvbn-password-strength.estimator.js';

const estimator = new ZxcvbnPasswordStrengthEstimator();
afterAll(() => estimator.close());

describe('ZxcvbnPasswordStrengthEstimator', () => {
  it('scores a common password 0, with a warning and suggestions in English', async () => {
    const strength = await estimator.estimate('password1', []);
    expect(strength.score).toBe(0);
    expect(strength.warning).toEqual(expect.any(String));
    expect(strength.warning).not.toBe('');
    expect(strength.suggestions.length).toBeGreaterThan(0);
    for (const suggestion of strength.suggestions) expect(suggestion).toEqual(expect.any(String));
  });

  it('scores a long passphrase of uncommon word combinations 4, without a warning', async () => {
    expect(await estimator.estimate('correct horse battery staple', [])).toEqual({ score: 4, warning: null, suggestions: [] });
  });

  it('scores a keyboard walk low', async () => {
    expect((await estimator.estimate('qwertyuiop', [])).score).toBeLessThanOrEqual(1);
  });

  it("scores a password built from the person's own details lower when it is given those details", async () => {
    const email = 'margaret.hamilton@example.com';
    const localPart = 'margaret.hamilton';
    const password = `${localPart}2024`;
    const without = await estimator.estimate(password, []);
    const withInputs = await estimator.estimate(password, [email, localPart]);
    expect(withInputs.score).toBeLessThan(without.score);
    expect(withInputs.score).toBeLessThanOrEqual(2);
    expect(withInputs.warning).toEqual(expect.any(String));
  });

  it('keeps no user inputs from one estimate to the next, and answers concurrent estimates each with its own', async () => {
    const password = 'margaret.hamilton2024';
    const [before, withInputs, after] = await Promise.all([
      estimator.estimate(password, []),
      estimator.estimate(password, ['margaret.hamilton']),
      estimator.estimate(password, []),
    ]);
    expect(after).toEqual(before);
    expect(withInputs.score).toBeLessThan(before.score);
  });

  it('does not change the array of user inputs it is given', async () => {
    const inputs = Object.freeze(['someone@example.com', 'someone']);
    await estimator.estimate('someone2024', inputs);
    expect(inputs).toEqual(['someone@example.com', 'someone']);
  });

  it('estimates a pathological long password off the event loop, which keeps serving meanwhile', async () => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    const strength = await estimator.estimate('1'.repeat(128), []);
    clearInterval(timer);
    expect(strength.score).toBe(0);
    // The estimate took a while (hundreds of ms here); the loop kept turning all along.
    expect(ticks).toBeGreaterThan(5);
  });

  it('starts a new worker after close, and fails pending estimates if its worker dies', async () => {
    const own = new ZxcvbnPasswordStrengthEstimator();
    expect((await own.estimate('password1', [])).score).toBe(0);
    await own.close();
    expect((await own.estimate('password1', [])).score).toBe(0);
    const pending = own.estimate('1'.repeat(128), []);
    await own.close();
    await expect(pending).rejects.toThrow('the password strength worker exited');
  });
});
