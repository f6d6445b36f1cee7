import {
  ExecutionContext,
  type IntegrationEvent,
  type IntegrationEventHandler,
  IntegrationEventRegistry,
  type JobContext,
  Logger,
  PermanentJobError,
} from '@aura/application/platform';
import { Container, inject, injectable } from 'inversify';
import type { PlatformDatabase } from '../db/platform.tables.js';
import { TransactionManager } from '../db/transactions.js';
import { AuraMetrics } from '../observability/metrics.js';
import { type EventDeliveryJob, SubscriptionIndex } from './subscriptions.js';

/**
 * Runs one event delivery job: re-reads the event from the outbox, checks the subscriber
 * understands its version, and runs the handler in one transaction with the inbox row
 * `(subscriber, event_id)`. A second delivery of the same event finds the row and does
 * nothing; a handler that throws rolls the row back so the retry runs it again.
 */
@injectable()
export class EventDispatcher {
  constructor(
    @inject(TransactionManager) private readonly transactions: TransactionManager,
    @inject(SubscriptionIndex) private readonly subscriptions: SubscriptionIndex,
    @inject(IntegrationEventRegistry) private readonly registry: IntegrationEventRegistry,
    @inject(ExecutionContext) private readonly context: ExecutionContext,
    @inject(AuraMetrics) private readonly metrics: AuraMetrics,
    @inject(Logger) private readonly logger: Logger,
    @inject(Container) private readonly container: Container,
  ) {}

  async dispatch(job: JobContext<EventDeliveryJob>): Promise<void> {
    const { eventId, subscriber } = job.data;
    const subscription = this.subscriptions.bySubscriber(subscriber);
    if (subscription === undefined) throw new PermanentJobError(`no subscriber named "${subscriber}" is registered`);
    const event = await this.load(eventId);
    if (!subscription.versions.includes(event.version)) {
      throw new PermanentJobError(
        `subscriber "${subscriber}" understands ${event.eventType} versions [${subscription.versions.join(', ')}], not v${event.version}`,
      );
    }
    const handler = await this.container.getAsync<IntegrationEventHandler>(subscription.handler);
    const scope = {
      correlationId: event.metadata.correlationId,
      causationId: event.eventId,
      ...(event.metadata.userId === null ? {} : { userId: event.metadata.userId }),
    };
    await this.context.run(scope, () =>
      this.transactions.transaction(async () => {
        const claimed = await this.transactions
          .executor<PlatformDatabase>()
          .insertInto('platform.inbox')
          .values({ subscriber, event_id: eventId })
          .onConflict((oc) => oc.doNothing())
          .returning('event_id')
          .executeTakeFirst();
        if (claimed === undefined) {
          this.metrics.eventDeliveries.inc({ subscriber, outcome: 'duplicate' });
          this.logger.info('event already handled by this subscriber; skipped', { subscriber, eventId });
          return;
        }
        await handler.handle(event);
        this.metrics.eventDeliveries.inc({ subscriber, outcome: 'handled' });
      }),
    );
  }

  private async load(eventId: string): Promise<IntegrationEvent> {
    const row = await this.transactions
      .executor<PlatformDatabase>()
      .selectFrom('platform.outbox')
      .selectAll()
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    if (row === undefined) throw new PermanentJobError(`event ${eventId} is not in the outbox`);
    const parsed = this.registry.parse({
      eventId: row.event_id,
      eventType: row.event_type,
      occurredAt: row.occurred_at.toISOString(),
      sourceModule: row.source_module,
      version: row.version,
      data: row.data,
      metadata: row.metadata,
    });
    if (parsed.isErr()) throw new PermanentJobError(`event ${eventId} cannot be read: ${parsed.error.message}`);
    return parsed.value;
  }
}
