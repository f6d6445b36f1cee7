import type { IdempotencyBegin, IdempotencyStore, IdempotentRequest, StoredResponse } from '@aura/application/platform';
import { inject, injectable } from 'inversify';
import type { PlatformDatabase } from '../db/platform.tables.js';
import { TransactionManager } from '../db/transactions.js';

@injectable()
export class KyselyIdempotencyStore implements IdempotencyStore {
  constructor(@inject(TransactionManager) private readonly transactions: TransactionManager) {}

  private get db() {
    return this.transactions.executor<PlatformDatabase>();
  }

  async begin(
    request: IdempotentRequest,
    now: Date,
    limits: { readonly ttlMs: number; readonly staleMs: number },
  ): Promise<IdempotencyBegin> {
    return this.transactions.transaction(async () => {
      // An expired key, or a claim whose request never finished (its process died), is
      // forgotten first, so it can be claimed afresh.
      await this.db
        .deleteFrom('platform.idempotency_keys')
        .where('scope', '=', request.scope)
        .where('key', '=', request.key)
        .where((eb) =>
          eb.or([
            eb('created_at', '<', new Date(now.getTime() - limits.ttlMs)),
            eb.and([eb('status', 'is', null), eb('created_at', '<', new Date(now.getTime() - limits.staleMs))]),
          ]),
        )
        .execute();
      // The primary key decides which of several concurrent requests owns the key.
      const claimed = await this.db
        .insertInto('platform.idempotency_keys')
        .values({ ...request, created_at: now })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (claimed !== undefined) return { outcome: 'started' };
      const existing = await this.db
        .selectFrom('platform.idempotency_keys')
        .select(['method', 'path', 'fingerprint', 'status', 'response_body'])
        .where('scope', '=', request.scope)
        .where('key', '=', request.key)
        .executeTakeFirst();
      // Released between our insert and this read: the caller may simply retry.
      if (existing === undefined) return { outcome: 'in_progress' };
      if (existing.method !== request.method || existing.path !== request.path || existing.fingerprint !== request.fingerprint) {
        return { outcome: 'mismatch' };
      }
      if (existing.status === null) return { outcome: 'in_progress' };
      return { outcome: 'replay', response: { status: existing.status, body: existing.response_body } };
    });
  }

  async complete(scope: string, key: string, response: StoredResponse, now: Date): Promise<void> {
    await this.db
      .updateTable('platform.idempotency_keys')
      .set({ status: response.status, response_body: JSON.stringify(response.body ?? null), completed_at: now })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
  }

  async purgeCreatedBefore(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('platform.idempotency_keys').where('created_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async release(scope: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('platform.idempotency_keys')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('status', 'is', null)
      .execute();
  }
}
