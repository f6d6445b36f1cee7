import type { ContainerModule, ServiceIdentifier } from 'inversify';
import type { EventSubscription } from '../events/event-subscription.js';
import type { IntegrationEventDefinition } from '../events/integration-event.js';
import type { JobContext, QueueName } from '../ports/job-queue.port.js';

/** Processes the jobs of one queue; resolved from the container per job. */
export interface JobProcessor<TData = unknown> {
  process(job: JobContext<TData>): Promise<void>;
}

export interface JobDefinition {
  /** `<module>.<job>` */
  readonly queue: QueueName;
  /** Container token of the processor. */
  readonly processor: ServiceIdentifier<JobProcessor>;
  /** Jobs of this queue run at most this many at a time per worker process (a number, or a token bound to one). */
  readonly concurrency?: number | ServiceIdentifier<number>;
  /**
   * Run it on a schedule too: every worker enqueues it at start and then every `everyMs`,
   * under one job id per interval, so any number of workers run it about once per interval.
   * Scheduled jobs carry `{ correlationId, scheduledFor }` and must be safe to run twice.
   * A container token bound to a number makes the interval configurable.
   */
  readonly everyMs?: number | ServiceIdentifier<number>;
}

/**
 * How a business module declares itself, once. Start-up validates the graph of all
 * registered modules (see `validateModuleGraph`) before anything is wired.
 */
export interface ModuleDefinition {
  /** Folder name in every layer and Postgres schema: `users`, `therapy`, `billing`, … */
  readonly name: string;
  /** HTTP prefix under `/api/` (e.g. `mental-health`); informational for the runtimes. */
  readonly apiPrefix?: string;
  readonly dependsOn?: readonly string[];
  /** Contract tokens this module binds for others (`UsersContract`). */
  readonly provides?: readonly symbol[];
  /** Contract tokens it needs; each must be provided by a module it depends on. */
  readonly requires?: readonly symbol[];
  /** Integration events it publishes. */
  readonly events?: readonly IntegrationEventDefinition[];
  readonly subscriptions?: readonly EventSubscription[];
  readonly jobs?: readonly JobDefinition[];
  /** The module's bindings (use cases, repositories, contract implementations). */
  readonly containerModule?: ContainerModule;
}
