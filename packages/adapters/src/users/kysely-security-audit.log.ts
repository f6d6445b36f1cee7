import { type Page, pageOf } from '@aura/application/platform';
import type { SecurityAuditLog, SecurityEvent, SecurityEventType } from '@aura/application/users';
import { inject, injectable } from 'inversify';
import { TransactionManager } from '../platform/db/transactions.js';
import type { SecurityEventRow, UsersDb } from './users.tables.js';

function toEvent(row: SecurityEventRow): SecurityEvent {
  return {
    id: row.id,
    type: row.type as SecurityEventType,
    userId: row.user_id,
    actorId: row.actor_id,
    ip: row.ip,
    userAgent: row.user_agent,
    correlationId: row.correlation_id,
    details: row.details,
    occurredAt: row.occurred_at,
  };
}

/** The security audit trail in `users.security_events`; ids are UUIDv7, so id order is time order. */
@injectable()
export class KyselySecurityAuditLog implements SecurityAuditLog {
  constructor(@inject(TransactionManager) private readonly transactions: TransactionManager) {}

  private get db() {
    return this.transactions.executor<UsersDb>();
  }

  async record(event: SecurityEvent): Promise<void> {
    await this.db
      .insertInto('users.security_events')
      .values({
        id: event.id,
        type: event.type,
        user_id: event.userId,
        actor_id: event.actorId,
        ip: event.ip,
        user_agent: event.userAgent,
        correlation_id: event.correlationId,
        details: JSON.stringify(event.details),
        occurred_at: event.occurredAt,
      })
      .execute();
  }

  async list(filter: {
    readonly userId?: string;
    readonly limit: number;
    readonly cursor?: string;
  }): Promise<Page<SecurityEvent>> {
    let query = this.db
      .selectFrom('users.security_events')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(filter.limit + 1);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.cursor !== undefined) query = query.where('id', '<', filter.cursor);
    const rows = await query.execute();
    return pageOf(rows, filter.limit, toEvent);
  }
}
