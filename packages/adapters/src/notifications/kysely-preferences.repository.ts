import type { PreferencesRepository } from '@aura/application/notifications';
import { defaultPreferences, type NotificationPreferences } from '@aura/domain/notifications';
import { inject, injectable } from 'inversify';
import { TransactionManager } from '../platform/db/transactions.js';
import type { NotificationsDb } from './notifications.tables.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Preferences in `notifications.preferences`: one row per person who changed anything, upserted whole. */
@injectable()
export class KyselyPreferencesRepository implements PreferencesRepository {
  constructor(@inject(TransactionManager) private readonly transactions: TransactionManager) {}

  private get db() {
    return this.transactions.executor<NotificationsDb>();
  }

  async get(userId: string): Promise<NotificationPreferences> {
    // Not an id at all: nobody's row, so the defaults (rather than a cast error).
    if (!UUID.test(userId)) return defaultPreferences(userId);
    const row = await this.db
      .selectFrom('notifications.preferences')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (row === undefined) return defaultPreferences(userId);
    return {
      userId: row.user_id,
      channels: row.channels,
      quietHours: row.quiet_hours,
      phoneNumber: row.phone_number,
      pushToken: row.push_token,
      updatedAt: row.updated_at,
    };
  }

  async save(preferences: NotificationPreferences): Promise<void> {
    const columns = {
      channels: JSON.stringify(preferences.channels),
      quiet_hours: preferences.quietHours === null ? null : JSON.stringify(preferences.quietHours),
      phone_number: preferences.phoneNumber,
      push_token: preferences.pushToken,
      updated_at: preferences.updatedAt,
    };
    await this.db
      .insertInto('notifications.preferences')
      .values({ user_id: preferences.userId, ...columns })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(columns))
      .execute();
  }
}
