import type { ServiceIdentifier } from 'inversify';
import type { IntegrationEvent } from './integration-event.js';

/**
 * Reacts to one integration event. Runs inside a transaction together with the inbox
 * record that makes it run once per event: write through repositories, and schedule
 * outside effects as jobs or events rather than performing them here. Throw to retry.
 */
export interface IntegrationEventHandler<TData = unknown> {
  handle(event: IntegrationEvent<TData>): Promise<void>;
}

export interface EventSubscription {
  /** Unique name of the subscriber, `<module>.<what-it-does>`; the inbox key. */
  readonly subscriber: string;
  readonly eventType: string;
  /** The versions the handler understands; any other version is dead-lettered, not guessed at. */
  readonly versions: readonly number[];
  /** Container token of the handler. */
  readonly handler: ServiceIdentifier<IntegrationEventHandler>;
}

/** The queue that carries a module's event deliveries: one job per (event, subscriber). */
export function eventQueueName(moduleName: string): string {
  return `${moduleName}.events`;
}
