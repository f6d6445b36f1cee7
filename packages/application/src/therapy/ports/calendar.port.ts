/**
 * Per-user calendar feed tokens: the secret goes in the feed's URL (calendar apps send no
 * headers), so only its hash is stored; issuing again replaces it, revoking deletes it.
 */
export interface CalendarTokenStore {
  issue(userId: string, tokenHash: string, at: Date): Promise<void>;
  revoke(userId: string): Promise<boolean>;
  findUser(tokenHash: string): Promise<string | undefined>;
  issuedAt(userId: string): Promise<Date | undefined>;
}
export const CalendarTokenStore = Symbol.for('aura.therapy.CalendarTokenStore');

/** Random secrets for feed URLs, and the one-way hash that is stored. */
export interface SecretTokens {
  generate(): { readonly token: string; readonly hash: string };
  hash(token: string): string;
}
export const SecretTokens = Symbol.for('aura.therapy.SecretTokens');

export interface CalendarEntry {
  readonly uid: string;
  /** Bumped by every change, so calendar apps take the latest. */
  readonly sequence: number;
  readonly start: Date;
  readonly end: Date;
  readonly summary: string;
  readonly description: string;
  readonly location: string;
  readonly url: string;
  readonly updatedAt: Date;
}

/** Writes an iCalendar (RFC 5545) document. */
export interface CalendarRenderer {
  render(calendar: { readonly name: string; readonly entries: readonly CalendarEntry[] }): string;
}
export const CalendarRenderer = Symbol.for('aura.therapy.CalendarRenderer');
