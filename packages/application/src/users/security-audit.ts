import { inject, injectable } from 'inversify';
import { Clock } from '../platform/ports/clock.port.js';
import { ExecutionContext } from '../platform/ports/execution-context.port.js';
import { IdGenerator } from '../platform/ports/id-generator.port.js';
import { SecurityAuditLog, type SecurityEvent, type SecurityEventType } from './ports/security-audit-log.port.js';
import type { SessionClient } from './ports/session.store.port.js';

export interface AuditEntry {
  readonly userId?: string | null;
  readonly actorId?: string | null;
  readonly client?: SessionClient | undefined;
  readonly details?: SecurityEvent['details'];
}

/** Writes security events with their id, time and correlation id. */
@injectable()
export class SecurityAudit {
  constructor(
    @inject(SecurityAuditLog) private readonly log: SecurityAuditLog,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(ExecutionContext) private readonly context: ExecutionContext,
  ) {}

  record(type: SecurityEventType, entry: AuditEntry = {}): Promise<void> {
    return this.log.record({
      id: this.ids.next(),
      type,
      userId: entry.userId ?? null,
      actorId: entry.actorId ?? null,
      ip: entry.client?.ip ?? null,
      userAgent: entry.client?.userAgent?.slice(0, 512) ?? null,
      correlationId: this.context.current()?.correlationId ?? null,
      details: entry.details ?? {},
      occurredAt: this.clock.now(),
    });
  }
}
