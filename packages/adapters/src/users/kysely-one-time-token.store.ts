import type { OneTimeTokenStore, StoredOneTimeToken } from '@aura/application/users';
import type { OneTimeTokenPurpose } from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { TransactionManager } from '../platform/db/transactions.js';
import type { UsersDb } from './users.tables.js';

/** Email-verification and password-reset tokens (hashed), single use; a new one withdraws the unused earlier ones. */
@injectable()
export class KyselyOneTimeTokenStore implements OneTimeTokenStore {
  constructor(@inject(TransactionManager) private readonly transactions: TransactionManager) {}

  private get db() {
    return this.transactions.executor<UsersDb>();
  }

  async issue(token: Parameters<OneTimeTokenStore['issue']>[0]): Promise<void> {
    await this.transactions.join(async () => {
      await this.withdrawUnused(token.userId, token.purpose);
      await this.db
        .insertInto('users.one_time_tokens')
        .values({
          token_hash: token.tokenHash,
          user_id: token.userId,
          purpose: token.purpose,
          created_at: token.createdAt,
          expires_at: token.expiresAt,
        })
        .execute();
    });
  }

  async findForUse(tokenHash: string): Promise<StoredOneTimeToken | undefined> {
    const row = await this.db
      .selectFrom('users.one_time_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .forUpdate()
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      tokenHash: row.token_hash,
      userId: row.user_id,
      purpose: row.purpose,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
    };
  }

  async markUsed(tokenHash: string, at: Date): Promise<void> {
    await this.db.updateTable('users.one_time_tokens').set({ used_at: at }).where('token_hash', '=', tokenHash).execute();
  }

  async lastIssuedAt(userId: string, purpose: OneTimeTokenPurpose): Promise<Date | undefined> {
    const row = await this.db
      .selectFrom('users.one_time_tokens')
      .select('created_at')
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.created_at;
  }

  async withdrawUnused(userId: string, purpose: OneTimeTokenPurpose): Promise<number> {
    const result = await this.db
      .deleteFrom('users.one_time_tokens')
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async purgeExpired(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('users.one_time_tokens').where('expires_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
