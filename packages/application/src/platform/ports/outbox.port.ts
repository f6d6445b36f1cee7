import type { DomainEvent } from '@aura/domain';

/**
 * Stores domain events as integration events in `platform.outbox`, in the caller's
 * transaction: an event exists exactly when the change that recorded it committed.
 * Appending outside a unit of work opens a transaction of its own.
 */
export interface Outbox {
  append(sourceModule: string, events: readonly DomainEvent[]): Promise<void>;
}
export const Outbox = Symbol.for('aura.platform.Outbox');
