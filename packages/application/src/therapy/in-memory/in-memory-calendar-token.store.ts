import type { CalendarTokenStore } from '../ports/calendar.port.js';

/** A CalendarTokenStore in a Map: one token per user, looked up by its hash. */
export class InMemoryCalendarTokenStore implements CalendarTokenStore {
  readonly #byUser = new Map<string, { hash: string; at: Date }>();

  async issue(userId: string, tokenHash: string, at: Date): Promise<void> {
    this.#byUser.set(userId, { hash: tokenHash, at: new Date(at) });
  }

  async revoke(userId: string): Promise<boolean> {
    return this.#byUser.delete(userId);
  }

  async findUser(tokenHash: string): Promise<string | undefined> {
    return [...this.#byUser.entries()].find(([, entry]) => entry.hash === tokenHash)?.[0];
  }

  async issuedAt(userId: string): Promise<Date | undefined> {
    const at = this.#byUser.get(userId)?.at;
    return at === undefined ? undefined : new Date(at);
  }
}
