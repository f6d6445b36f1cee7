import { type ModuleDefinition, PURGE_IDEMPOTENCY_KEYS_QUEUE, PurgeIdempotencyKeys } from '@aura/application/platform';
import { ContainerModule } from 'inversify';
import type { Migration } from 'kysely';
import * as platformInit from './db/migrations/2026_11_21_000000_platform_outbox_inbox_dead_letters.js';
import * as idempotencyKeys from './db/migrations/2026_11_21_000100_platform_idempotency_keys.js';
import * as outboxClaims from './db/migrations/2026_12_04_000000_platform_outbox_claims.js';

/**
 * A module as the adapters layer installs it: its definition plus its migrations (named
 * `YYYY_MM_DD_HHMMSS_<module>_<change>`, run in name order; the module's schema exists
 * before they run, and they name their tables schema-qualified: `users.users`).
 */
export interface AuraModule extends ModuleDefinition {
  readonly migrations?: Readonly<Record<string, Migration>>;
}

/** The shared kernel: outbox (event store), inbox, dead letters, idempotency keys. Always installed first. */
export const platformModule: AuraModule = {
  name: 'platform',
  apiPrefix: 'admin',
  jobs: [{ queue: PURGE_IDEMPOTENCY_KEYS_QUEUE, processor: PurgeIdempotencyKeys, concurrency: 1, everyMs: 3_600_000 }],
  containerModule: new ContainerModule(({ bind }) => {
    bind(PurgeIdempotencyKeys).toSelf();
  }),
  migrations: {
    '2026_11_21_000000_platform_outbox_inbox_dead_letters': platformInit,
    '2026_11_21_000100_platform_idempotency_keys': idempotencyKeys,
    '2026_12_04_000000_platform_outbox_claims': outboxClaims,
  },
};
