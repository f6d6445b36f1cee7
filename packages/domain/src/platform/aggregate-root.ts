import type { DomainEvent } from './domain-event.js';

/**
 * The one base class of the domain. An aggregate changes only through named methods that
 * check their rule and `record` the event; a repository saves the aggregate and
 * `pullEvents()` in one transaction (the outbox).
 */
export abstract class AggregateRoot<TId extends string = string, TEvent extends DomainEvent = DomainEvent> {
  #events: TEvent[] = [];

  protected constructor(readonly id: TId) {}

  protected record(event: TEvent): void {
    this.#events.push(event);
  }

  /** Events recorded since the last `pullEvents()`, oldest first. */
  get pendingEvents(): readonly TEvent[] {
    return [...this.#events];
  }

  /** Hands the recorded events over (to the repository) and forgets them. */
  pullEvents(): TEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }
}
