import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  channelArbitrary,
  clinicalTextArbitrary,
  discreetTextArbitrary,
  forbiddenTextArbitrary,
  messageOfLength,
  overlongMessageArbitrary,
  validContentArbitrary,
} from '../testing/index.js';
import {
  type ContentPolicy,
  checkContent,
  DEFAULT_CLINICAL_TERMS,
  DEFAULT_CONTENT_POLICY,
  DEFAULT_FORBIDDEN_WORDS,
  findTerm,
  MESSAGE_MAX_LENGTH,
  SUBJECT_MAX_LENGTH,
} from './content-policy.js';
import { notificationsErrors } from './notification.errors.js';

const policy = DEFAULT_CONTENT_POLICY;
const discreetChannel = fc.constantFrom('sms' as const, 'push' as const);

describe('findTerm', () => {
  it('finds whole words, whatever their case and accents', () => {
    expect(findTerm('This is SPAM!', DEFAULT_FORBIDDEN_WORDS)).toBe('spam');
    expect(findTerm('Spám', DEFAULT_FORBIDDEN_WORDS)).toBe('spam');
    expect(findTerm('a ＳＰＡＭ wave', DEFAULT_FORBIDDEN_WORDS)).toBe('spam'); // full width
    expect(findTerm('"phishing".', DEFAULT_FORBIDDEN_WORDS)).toBe('phishing');
    expect(findTerm('Your thérapist, at 10', DEFAULT_CLINICAL_TERMS)).toBe('therapist');
    expect(findTerm('Your PHQ-9 score', DEFAULT_CLINICAL_TERMS)).toBe('phq-9');
    expect(findTerm('Mental\u00a0Health day', DEFAULT_CLINICAL_TERMS)).toBe('mental health'); // NFKD makes a no-break space a space
    expect(findTerm('mental health day', DEFAULT_CLINICAL_TERMS)).toBe('mental health');
    expect(findTerm('no self-harm.', DEFAULT_CLINICAL_TERMS)).toBe('self-harm');
  });

  it('ignores a term inside a longer word or next to a digit', () => {
    expect(findTerm('antispam filter', DEFAULT_FORBIDDEN_WORDS)).toBeUndefined();
    expect(findTerm('spammer', DEFAULT_FORBIDDEN_WORDS)).toBeUndefined();
    expect(findTerm('spam2', DEFAULT_FORBIDDEN_WORDS)).toBeUndefined();
    expect(findTerm('scoreboard', DEFAULT_CLINICAL_TERMS)).toBeUndefined();
    expect(findTerm('panicked', DEFAULT_CLINICAL_TERMS)).toBeUndefined();
    expect(findTerm('', DEFAULT_FORBIDDEN_WORDS)).toBeUndefined();
  });

  it('returns the first matching term of the list, and skips blank terms', () => {
    expect(findTerm('phishing and spam', DEFAULT_FORBIDDEN_WORDS)).toBe('spam');
    expect(findTerm('anything', ['', '  '])).toBeUndefined();
    expect(findTerm('a b', [' ', 'b'])).toBe('b');
    expect(findTerm('Plan (B)?', ['(b)?'])).toBe('(b)?'); // regex characters are literal
    expect(findTerm('Plan b', ['(b)?'])).toBeUndefined();
    expect(findTerm('  SPAM ', [' Spam '])).toBe(' Spam ');
  });

  it('finds any clinical term placed in discreet text, and nothing in discreet text', () => {
    fc.assert(
      fc.property(clinicalTextArbitrary, ({ text, term }) => {
        expect(findTerm(text, DEFAULT_CLINICAL_TERMS)).toBe(term);
        expect(findTerm(text, DEFAULT_FORBIDDEN_WORDS)).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(discreetTextArbitrary, (text) => {
        expect(findTerm(text, [...DEFAULT_FORBIDDEN_WORDS, ...DEFAULT_CLINICAL_TERMS])).toBeUndefined();
      }),
    );
  });
});

describe('checkContent', () => {
  it('accepts valid content on every channel', () => {
    fc.assert(
      fc.property(
        channelArbitrary.chain((channel) => fc.tuple(fc.constant(channel), validContentArbitrary(channel))),
        ([channel, content]) => {
          expect(checkContent(channel, content, policy).isOk()).toBe(true);
        },
      ),
    );
  });

  it('refuses an empty or blank message', () => {
    for (const message of ['', ' ', '\n\t ']) {
      expect(checkContent('sms', { subject: null, message }, policy)._unsafeUnwrapErr()).toEqual(
        notificationsErrors.invalidContent('the message must not be empty', 'message'),
      );
    }
  });

  it('counts the message in code points, up to MESSAGE_MAX_LENGTH', () => {
    fc.assert(
      fc.property(channelArbitrary, messageOfLength(MESSAGE_MAX_LENGTH), (channel, message) => {
        expect(checkContent(channel, { subject: 'Hi', message }, policy).isOk()).toBe(true);
      }),
      { numRuns: 20 },
    );
    fc.assert(
      fc.property(channelArbitrary, overlongMessageArbitrary, (channel, message) => {
        const length = [...message].length;
        expect(checkContent(channel, { subject: 'Hi', message }, policy)._unsafeUnwrapErr()).toEqual({
          type: 'notifications.invalid_content',
          message: `the message must be at most ${MESSAGE_MAX_LENGTH} characters (it has ${length})`,
          details: { field: 'message' },
        });
      }),
      { numRuns: 20 },
    );
    expect(checkContent('sms', { subject: null, message: '📅'.repeat(1000) }, policy).isOk()).toBe(true); // 2000 UTF-16 units
  });

  it('wants a subject on an email only', () => {
    for (const subject of [null, '', '   ']) {
      expect(checkContent('email', { subject, message: 'Hello' }, policy)._unsafeUnwrapErr()).toEqual(
        notificationsErrors.invalidContent('an email needs a subject', 'subject'),
      );
    }
    expect(checkContent('sms', { subject: null, message: 'Hello' }, policy).isOk()).toBe(true);
    expect(checkContent('push', { subject: 'Aura', message: 'Hello' }, policy).isOk()).toBe(true);
  });

  it('caps the subject at SUBJECT_MAX_LENGTH code points', () => {
    expect(checkContent('email', { subject: '📅'.repeat(SUBJECT_MAX_LENGTH), message: 'Hello' }, policy).isOk()).toBe(true);
    for (const channel of ['email', 'push'] as const) {
      expect(
        checkContent(channel, { subject: 'x'.repeat(SUBJECT_MAX_LENGTH + 1), message: 'Hello' }, policy)._unsafeUnwrapErr(),
      ).toEqual(notificationsErrors.invalidContent(`the subject must be at most ${SUBJECT_MAX_LENGTH} characters`, 'subject'));
    }
  });

  it('refuses forbidden words in the subject or the message, on every channel', () => {
    fc.assert(
      fc.property(channelArbitrary, forbiddenTextArbitrary, discreetTextArbitrary, (channel, { text, term }, other) => {
        expect(checkContent(channel, { subject: 'Hello', message: text }, policy)._unsafeUnwrapErr()).toEqual(
          notificationsErrors.forbiddenContent(term, 'message'),
        );
        expect(checkContent(channel, { subject: text, message: other }, policy)._unsafeUnwrapErr()).toEqual(
          notificationsErrors.forbiddenContent(term, 'subject'),
        );
      }),
    );
    expect(checkContent('email', { subject: 'Hi', message: 'Buy now, SPAM!' }, policy)._unsafeUnwrapErr().details).toEqual({
      field: 'message',
      word: 'spam',
    });
    expect(checkContent('email', { subject: 'Spám', message: 'Hello' }, policy)._unsafeUnwrapErr().type).toBe(
      'notifications.forbidden_content',
    );
    expect(checkContent('email', { subject: 'Our antispam filter', message: 'Hello' }, policy).isOk()).toBe(true);
  });

  it('refuses clinical terms on SMS and push, in the subject or the message, and allows them in email', () => {
    fc.assert(
      fc.property(discreetChannel, clinicalTextArbitrary, discreetTextArbitrary, (channel, { text, term }, other) => {
        expect(checkContent(channel, { subject: null, message: text }, policy)._unsafeUnwrapErr()).toEqual(
          notificationsErrors.notDiscreet(term, 'message'),
        );
        expect(checkContent(channel, { subject: text, message: other }, policy)._unsafeUnwrapErr()).toEqual(
          notificationsErrors.notDiscreet(term, 'subject'),
        );
        expect(checkContent('email', { subject: text, message: text }, policy).isOk()).toBe(true);
      }),
    );
  });

  it('checks a forbidden word before a clinical term, the subject before the message', () => {
    expect(checkContent('sms', { subject: 'therapy', message: 'spam' }, policy)._unsafeUnwrapErr()).toEqual(
      notificationsErrors.notDiscreet('therapy', 'subject'),
    );
    expect(checkContent('sms', { subject: 'spam', message: 'therapy' }, policy)._unsafeUnwrapErr()).toEqual(
      notificationsErrors.forbiddenContent('spam', 'subject'),
    );
    expect(checkContent('push', { subject: null, message: 'therapy spam' }, policy)._unsafeUnwrapErr()).toEqual(
      notificationsErrors.forbiddenContent('spam', 'message'),
    );
  });

  it('follows the policy it is given', () => {
    const custom: ContentPolicy = { forbiddenWords: ['lottery'], clinicalTerms: ['appointment'] };
    expect(checkContent('sms', { subject: null, message: 'spam about therapy' }, custom).isOk()).toBe(true);
    expect(checkContent('sms', { subject: null, message: 'You won the Lottery' }, custom)._unsafeUnwrapErr().type).toBe(
      'notifications.forbidden_content',
    );
    expect(checkContent('push', { subject: null, message: 'Your appointment' }, custom)._unsafeUnwrapErr().type).toBe(
      'notifications.not_discreet',
    );
    const none: ContentPolicy = { forbiddenWords: [], clinicalTerms: [] };
    expect(checkContent('sms', { subject: null, message: 'spam therapy' }, none).isOk()).toBe(true);
  });
});
