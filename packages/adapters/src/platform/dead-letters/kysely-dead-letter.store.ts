import { type DeadLetter, type DeadLetterQuery, type DeadLetterStore, type Page, pageOf } from '@aura/application/platform';
import { parseUuid } from '@aura/domain/platform';
import { inject, injectable } from 'inversify';
import type { DeadLetterRow, PlatformDatabase } from '../db/platform.tables.js';
import { TransactionManager } from '../db/transactions.js';

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  queue: row.queue,
  jobName: row.job_name,
  jobId: row.job_id,
  data: row.data,
  attempts: row.attempts,
  lastError: row.last_error,
  failedAt: row.failed_at,
  replayCount: row.replay_count,
  replayedAt: row.replayed_at,
});

@injectable()
export class KyselyDeadLetterStore implements DeadLetterStore {
  constructor(@inject(TransactionManager) private readonly transactions: TransactionManager) {}

  private get db() {
    return this.transactions.executor<PlatformDatabase>();
  }

  async record(entry: Omit<DeadLetter, 'replayCount' | 'replayedAt'>): Promise<void> {
    // A job can be dead-lettered again (a crash after recording makes the queue run it
    // once more): keep one row per job, with the latest failure.
    await this.db
      .insertInto('platform.dead_letters')
      .values({
        id: entry.id,
        queue: entry.queue,
        job_name: entry.jobName,
        job_id: entry.jobId,
        data: JSON.stringify(entry.data ?? null),
        attempts: entry.attempts,
        last_error: entry.lastError,
        failed_at: entry.failedAt,
      })
      .onConflict((oc) =>
        oc.columns(['queue', 'job_id']).doUpdateSet((eb) => ({
          attempts: eb.ref('excluded.attempts'),
          last_error: eb.ref('excluded.last_error'),
          failed_at: eb.ref('excluded.failed_at'),
        })),
      )
      .execute();
  }

  async list(query: DeadLetterQuery): Promise<Page<DeadLetter>> {
    let select = this.db
      .selectFrom('platform.dead_letters')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.status === 'parked') select = select.where('replayed_at', 'is', null);
    if (query.status === 'replayed') select = select.where('replayed_at', 'is not', null);
    if (query.queue !== undefined) select = select.where('queue', '=', query.queue);
    if (query.cursor !== undefined) select = select.where('id', '<', query.cursor);
    const rows = await select.execute();
    return pageOf(rows, query.limit, toDeadLetter);
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    // Ids are UUIDs: anything else names no dead letter (PostgreSQL would refuse to compare it).
    const uuid = parseUuid(id);
    if (uuid.isErr()) return undefined;
    const row = await this.db.selectFrom('platform.dead_letters').selectAll().where('id', '=', uuid.value).executeTakeFirst();
    return row === undefined ? undefined : toDeadLetter(row);
  }

  async markReplayed(id: string, expectedReplayCount: number, at: Date): Promise<boolean> {
    const uuid = parseUuid(id);
    if (uuid.isErr()) return false;
    const result = await this.db
      .updateTable('platform.dead_letters')
      .set((eb) => ({ replay_count: eb('replay_count', '+', 1), replayed_at: at }))
      .where('id', '=', uuid.value)
      .where('replay_count', '=', expectedReplayCount)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async countParked(): Promise<number> {
    const row = await this.db
      .selectFrom('platform.dead_letters')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('replayed_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
