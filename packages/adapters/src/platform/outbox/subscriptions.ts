import { type EventSubscription, eventQueueName, type ModuleDefinition } from '@aura/application/platform';

export interface RegisteredSubscription extends EventSubscription {
  readonly module: string;
  readonly queue: string;
}

/** Job data of one event delivery: ids only, the handler re-reads the event from the outbox. */
export interface EventDeliveryJob {
  readonly eventId: string;
  readonly subscriber: string;
  readonly correlationId: string;
}

/** Who listens to what, from the module definitions. */
export class SubscriptionIndex {
  readonly #byType = new Map<string, RegisteredSubscription[]>();
  readonly #bySubscriber = new Map<string, RegisteredSubscription>();

  constructor(modules: readonly ModuleDefinition[]) {
    for (const module of modules) {
      for (const subscription of module.subscriptions ?? []) {
        const registered = { ...subscription, module: module.name, queue: eventQueueName(module.name) };
        this.#byType.set(subscription.eventType, [...(this.#byType.get(subscription.eventType) ?? []), registered]);
        this.#bySubscriber.set(subscription.subscriber, registered);
      }
    }
  }

  forEventType(eventType: string): readonly RegisteredSubscription[] {
    return this.#byType.get(eventType) ?? [];
  }

  bySubscriber(subscriber: string): RegisteredSubscription | undefined {
    return this.#bySubscriber.get(subscriber);
  }

  all(): readonly RegisteredSubscription[] {
    return [...this.#bySubscriber.values()];
  }

  /** The event queues some module consumes. */
  queues(): string[] {
    return [...new Set([...this.#bySubscriber.values()].map((s) => s.queue))];
  }
}

/** Deterministic: a relay that re-sends an event after a crash enqueues the same job. */
export function eventDeliveryJobId(eventId: string, subscriber: string): string {
  return `${eventId}.${subscriber}`;
}
