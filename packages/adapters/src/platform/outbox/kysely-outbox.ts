import { Clock, ExecutionContext, IdGenerator, IntegrationEventRegistry, type Outbox } from '@aura/application/platform';
import type { DomainEvent } from '@aura/domain/platform';
import { inject, injectable } from 'inversify';
import type { PlatformDatabase } from '../db/platform.tables.js';
import { TransactionManager } from '../db/transactions.js';
import { OutboxSignal } from './outbox-signal.js';

/** Thrown for an event that is not in the registry or does not match its schema: a bug, not an outcome. */
export class UnregisteredEventError extends Error {
  override readonly name = 'UnregisteredEventError';
}

/**
 * Writes domain events to `platform.outbox` as integration-event envelopes, in the caller's
 * transaction. Each event is validated against its registered schema first, so nothing
 * malformed is ever published.
 */
@injectable()
export class KyselyOutbox implements Outbox {
  constructor(
    @inject(TransactionManager) private readonly transactions: TransactionManager,
    @inject(IntegrationEventRegistry) private readonly registry: IntegrationEventRegistry,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(ExecutionContext) private readonly context: ExecutionContext,
    @inject(Clock) private readonly clock: Clock,
    @inject(OutboxSignal) private readonly signal: OutboxSignal,
  ) {}

  async append(sourceModule: string, events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const scope = this.context.current();
    const rows = events.map((event) => {
      const validated = this.registry.validate(event.type, event.version, event.data);
      if (validated.isErr()) {
        const problem = validated.error;
        throw new UnregisteredEventError(
          `${sourceModule} cannot publish ${event.type}@v${event.version}: ${problem.message}${'issues' in problem ? ` (${problem.issues.join('; ')})` : ''}`,
        );
      }
      const eventId = this.ids.next();
      return {
        event_id: eventId,
        event_type: event.type,
        version: event.version,
        source_module: sourceModule,
        aggregate_id: event.aggregateId,
        occurred_at: event.occurredAt,
        data: JSON.stringify(validated.value),
        metadata: JSON.stringify({
          correlationId: scope?.correlationId ?? eventId,
          causationId: scope?.causationId ?? scope?.requestId ?? null,
          userId: scope?.userId ?? null,
        }),
        recorded_at: this.clock.now(),
      };
    });
    await this.transactions.join(async () => {
      await this.transactions.executor<PlatformDatabase>().insertInto('platform.outbox').values(rows).execute();
      this.transactions.afterCommit(() => this.signal.notify());
    });
  }
}
