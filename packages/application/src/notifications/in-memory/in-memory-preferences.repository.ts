import { defaultPreferences, type NotificationPreferences } from '@aura/domain/notifications';
import type { PreferencesRepository } from '../ports/preferences.repository.port.js';

/** A copy that shares nothing mutable with the original. */
const copy = (preferences: NotificationPreferences): NotificationPreferences => ({
  ...preferences,
  channels: {
    email: { ...preferences.channels.email },
    sms: { ...preferences.channels.sms },
    push: { ...preferences.channels.push },
  },
  quietHours: preferences.quietHours === null ? null : { ...preferences.quietHours },
  updatedAt: preferences.updatedAt === null ? null : new Date(preferences.updatedAt),
});

/** A PreferencesRepository in a Map: the defaults for anyone never saved, a save replaces the whole. */
export class InMemoryPreferencesRepository implements PreferencesRepository {
  readonly #preferences = new Map<string, NotificationPreferences>();

  async get(userId: string): Promise<NotificationPreferences> {
    const stored = this.#preferences.get(userId.toLowerCase());
    return stored === undefined ? defaultPreferences(userId) : copy(stored);
  }

  async save(preferences: NotificationPreferences): Promise<void> {
    this.#preferences.set(preferences.userId.toLowerCase(), copy(preferences));
  }
}
