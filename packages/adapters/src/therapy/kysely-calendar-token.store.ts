import type { CalendarTokenStore } from '@aura/application/therapy';
import { inject, injectable } from 'inversify';
import { TransactionManager } from '../platform/db/transactions.js';
import type { TherapyDb } from './therapy.tables.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Calendar feed tokens in `therapy.calendar_tokens`: one hash per user, unique. */
@injectable()
export class KyselyCalendarTokenStore implements CalendarTokenStore {
  constructor(@inject(TransactionManager) private readonly transactions: TransactionManager) {}

  private get db() {
    return this.transactions.executor<TherapyDb>();
  }

  async issue(userId: string, tokenHash: string, at: Date): Promise<void> {
    await this.db
      .insertInto('therapy.calendar_tokens')
      .values({ user_id: userId, token_hash: tokenHash, issued_at: at })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ token_hash: tokenHash, issued_at: at }))
      .execute();
  }

  async revoke(userId: string): Promise<boolean> {
    if (!UUID.test(userId)) return false;
    const result = await this.db.deleteFrom('therapy.calendar_tokens').where('user_id', '=', userId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async findUser(tokenHash: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('therapy.calendar_tokens')
      .select('user_id')
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row?.user_id;
  }

  async issuedAt(userId: string): Promise<Date | undefined> {
    if (!UUID.test(userId)) return undefined;
    const row = await this.db
      .selectFrom('therapy.calendar_tokens')
      .select('issued_at')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.issued_at;
  }
}
