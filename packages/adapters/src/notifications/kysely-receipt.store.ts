import type { ReceiptStore } from '@aura/application/notifications';
import { inject, injectable } from 'inversify';
import { TransactionManager } from '../platform/db/transactions.js';
import type { NotificationsDb } from './notifications.tables.js';

/**
 * Receipts applied, in `notifications.receipts`. The primary key decides between a first
 * delivery and a replay (two concurrent deliveries of one receipt included), and
 * `ON CONFLICT DO NOTHING` keeps a replay from failing the caller's transaction.
 */
@injectable()
export class KyselyReceiptStore implements ReceiptStore {
  constructor(@inject(TransactionManager) private readonly transactions: TransactionManager) {}

  async recordOnce(provider: string, receiptId: string, at: Date): Promise<boolean> {
    const inserted = await this.transactions
      .executor<NotificationsDb>()
      .insertInto('notifications.receipts')
      .values({ provider, receipt_id: receiptId, received_at: at })
      .onConflict((oc) => oc.columns(['provider', 'receipt_id']).doNothing())
      .returning('provider')
      .executeTakeFirst();
    return inserted !== undefined;
  }
}
