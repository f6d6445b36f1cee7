import { inject, injectable } from 'inversify';
import type { JobProcessor } from '../modules/module-definition.js';
import { Clock } from '../ports/clock.port.js';
import { Logger } from '../ports/logger.port.js';
import { IDEMPOTENCY_LIMITS, IdempotencyStore } from './idempotency-store.port.js';

/** The queue of the hourly purge of expired idempotency keys. */
export const PURGE_IDEMPOTENCY_KEYS_QUEUE = 'platform.purge-idempotency-keys';

/** Deletes idempotency keys past their 24 hours (a retry after that runs the request again anyway). */
@injectable()
export class PurgeIdempotencyKeys implements JobProcessor {
  constructor(
    @inject(IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async process(): Promise<void> {
    const purged = await this.store.purgeCreatedBefore(new Date(this.clock.now().getTime() - IDEMPOTENCY_LIMITS.ttlMs));
    if (purged > 0) this.logger.info('expired idempotency keys purged', { purged });
  }
}
