import type { NotificationPreferences } from '@aura/domain/notifications';

/** One row per person who changed anything; everyone else has the defaults. */
export interface PreferencesRepository {
  /** The person's preferences, or the defaults when they never set any. */
  get(userId: string): Promise<NotificationPreferences>;
  /** Inserts or replaces. */
  save(preferences: NotificationPreferences): Promise<void>;
}
export const PreferencesRepository = Symbol.for('aura.notifications.PreferencesRepository');
