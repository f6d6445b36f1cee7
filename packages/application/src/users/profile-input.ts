import {
  type DisplayName,
  type Email,
  type InvalidDisplayName,
  type InvalidEmail,
  type InvalidLocale,
  type InvalidTimeZone,
  type Locale,
  parseDisplayName,
  parseEmail,
  parseLocale,
  parseTimeZone,
  type TimeZone,
} from '@aura/domain/users';
import type { Result } from 'neverthrow';

export interface AccountInput {
  readonly email: string;
  readonly displayName: string;
  /** IANA name; default UTC. */
  readonly timeZone?: string | undefined;
  /** BCP 47 tag; default en. */
  readonly locale?: string | undefined;
}

export interface ParsedAccount {
  readonly email: Email;
  readonly displayName: DisplayName;
  readonly timeZone: TimeZone;
  readonly locale: Locale;
}

export type InvalidAccountInput = InvalidEmail | InvalidDisplayName | InvalidTimeZone | InvalidLocale;

export function parseAccountInput(input: AccountInput): Result<ParsedAccount, InvalidAccountInput> {
  return parseEmail(input.email).andThen((email) =>
    parseDisplayName(input.displayName).andThen((displayName) =>
      parseTimeZone(input.timeZone ?? 'UTC').andThen((timeZone) =>
        parseLocale(input.locale ?? 'en').map((locale) => ({ email, displayName, timeZone, locale })),
      ),
    ),
  );
}

/** Words a password must not be built from: the person's own address and name. */
export const personalWords = (account: { readonly email: string; readonly displayName: string }): string[] => [
  account.email,
  account.displayName,
];
