import { type Page, pageOf } from '../../platform/pagination.js';
import type { SecurityAuditLog, SecurityEvent } from '../ports/security-audit-log.port.js';

const copy = (event: SecurityEvent): SecurityEvent => ({ ...event, details: { ...event.details } });

/** A SecurityAuditLog in an array; ids are expected to be time ordered (UUIDv7), as in the SQL adapter. */
export class InMemorySecurityAuditLog implements SecurityAuditLog {
  readonly #events: SecurityEvent[] = [];

  async record(event: SecurityEvent): Promise<void> {
    if (this.#events.some((e) => e.id === event.id)) throw new Error(`security event ${event.id} already exists`);
    this.#events.push(copy(event));
  }

  async list(filter: {
    readonly userId?: string;
    readonly limit: number;
    readonly cursor?: string;
  }): Promise<Page<SecurityEvent>> {
    const { userId, cursor } = filter;
    const matching = this.#events
      .filter((e) => userId === undefined || e.userId === userId)
      .filter((e) => cursor === undefined || e.id < cursor)
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return pageOf(matching, filter.limit, copy);
  }

  /** Every recorded event, oldest first (for tests). */
  get events(): readonly SecurityEvent[] {
    return [...this.#events].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(copy);
  }
}
