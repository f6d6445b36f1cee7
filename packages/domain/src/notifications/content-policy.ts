import { err, ok, type Result } from 'neverthrow';
import { isWellFormedText } from '../platform/text.js';
import type { Channel } from './kinds.js';
import { type ForbiddenContent, type InvalidContent, type NotDiscreet, notificationsErrors } from './notification.errors.js';

export const MESSAGE_MAX_LENGTH = 1_000;
export const SUBJECT_MAX_LENGTH = 200;

/**
 * What may be sent. `forbiddenWords`: the seeds' content filter (`spam`, `phishing`),
 * configurable. `clinicalTerms`: words SMS and push texts must not contain, because a lock
 * screen or a shared phone is not private (the product's privacy rule).
 */
export interface ContentPolicy {
  readonly forbiddenWords: readonly string[];
  readonly clinicalTerms: readonly string[];
}

export const DEFAULT_FORBIDDEN_WORDS: readonly string[] = ['spam', 'phishing'];

/**
 * Terms that reveal care on a lock screen: conditions, instruments, what a session is. Texts say
 * "your appointment" and link to the app instead.
 */
export const DEFAULT_CLINICAL_TERMS: readonly string[] = [
  'therapy',
  'therapist',
  'therapeutic',
  'psychotherapy',
  'psychiatric',
  'psychiatrist',
  'psychologist',
  'counselling',
  'counseling',
  'mental health',
  'diagnosis',
  'diagnosed',
  'depression',
  'depressive',
  'anxiety',
  'panic',
  'bipolar',
  'schizophrenia',
  'ptsd',
  'trauma',
  'suicide',
  'suicidal',
  'self-harm',
  'eating disorder',
  'addiction',
  'phq-9',
  'phq9',
  'gad-7',
  'gad7',
  'screening',
  'assessment',
  'questionnaire',
  'score',
  'session notes',
  'medication',
  'prescription',
];

export const DEFAULT_CONTENT_POLICY: ContentPolicy = {
  forbiddenWords: DEFAULT_FORBIDDEN_WORDS,
  clinicalTerms: DEFAULT_CLINICAL_TERMS,
};

/** Case-, accent- and width-insensitive form for matching (NFKD, marks dropped, lower case). */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The first of `terms` that occurs in `text` as a whole word (or phrase): `spam` matches
 * "SPAM!" and "Spám", not "antispam" (a word boundary is anything but a letter or digit).
 */
export function findTerm(text: string, terms: readonly string[]): string | undefined {
  const folded = fold(text);
  return terms.find((term) => {
    const wanted = fold(term).trim();
    if (wanted.length === 0) return false;
    return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(wanted)}(?![\\p{L}\\p{N}])`, 'u').test(folded);
  });
}

export interface MessageContent {
  readonly subject: string | null;
  readonly message: string;
}

export type ContentRejected = InvalidContent | ForbiddenContent | NotDiscreet;

/**
 * The content rules of the design notes, tightened: a message of 1 to 1,000 characters
 * (code points), an email needs a subject of at most 200, no forbidden words anywhere, and
 * SMS and push texts never carry clinical terms.
 */
export function checkContent(channel: Channel, content: MessageContent, policy: ContentPolicy): Result<void, ContentRejected> {
  const length = [...content.message].length;
  if (content.message.trim().length === 0)
    return err(notificationsErrors.invalidContent('the message must not be empty', 'message'));
  for (const [field, text] of [
    ['subject', content.subject ?? ''],
    ['message', content.message],
  ] as const) {
    if (!isWellFormedText(text))
      return err(notificationsErrors.invalidContent(`the ${field} contains a NUL or a lone surrogate (not text)`, field));
  }
  if (length > MESSAGE_MAX_LENGTH)
    return err(
      notificationsErrors.invalidContent(
        `the message must be at most ${MESSAGE_MAX_LENGTH} characters (it has ${length})`,
        'message',
      ),
    );
  if (channel === 'email' && (content.subject === null || content.subject.trim().length === 0))
    return err(notificationsErrors.invalidContent('an email needs a subject', 'subject'));
  if (content.subject !== null && [...content.subject].length > SUBJECT_MAX_LENGTH)
    return err(notificationsErrors.invalidContent(`the subject must be at most ${SUBJECT_MAX_LENGTH} characters`, 'subject'));
  for (const [field, text] of [
    ['subject', content.subject ?? ''],
    ['message', content.message],
  ] as const) {
    const forbidden = findTerm(text, policy.forbiddenWords);
    if (forbidden !== undefined) return err(notificationsErrors.forbiddenContent(forbidden, field));
    if (channel !== 'email') {
      const clinical = findTerm(text, policy.clinicalTerms);
      if (clinical !== undefined) return err(notificationsErrors.notDiscreet(clinical, field));
    }
  }
  return ok(undefined);
}
