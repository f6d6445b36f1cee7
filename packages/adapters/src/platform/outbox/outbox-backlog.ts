import { sql } from 'kysely';
import type { PlatformDatabase } from '../db/platform.tables.js';
import type { TransactionManager } from '../db/transactions.js';

/** Outbox events not relayed yet, and the age in seconds of the oldest (0 when none): the relay's lag. */
export async function outboxBacklog(transactions: TransactionManager): Promise<{ backlog: number; oldestAgeSeconds: number }> {
  const row = await transactions
    .executor<PlatformDatabase>()
    .selectFrom('platform.outbox')
    .select((eb) => [
      eb.fn.countAll<number>().as('backlog'),
      sql<number>`coalesce(extract(epoch from now() - min(recorded_at)), 0)`.as('age'),
    ])
    .where('published_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { backlog: Number(row.backlog), oldestAgeSeconds: Number(row.age) };
}
