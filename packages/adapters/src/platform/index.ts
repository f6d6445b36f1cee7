export type { AuraModule } from './aura-module.js';
export { platformModule } from './aura-module.js';
export type { JoseIssuerOptions } from './auth/jose-access-token-issuer.js';
export { JoseAccessTokenIssuer } from './auth/jose-access-token-issuer.js';
export type { JoseVerifierOptions } from './auth/jose-access-token-verifier.js';
export { JoseAccessTokenVerifier } from './auth/jose-access-token-verifier.js';
export type { SigningAlgorithm, SigningKey, SigningKeySource } from './auth/signing-key.js';
export { loadSigningKey, verificationKeys } from './auth/signing-key.js';
export type { AuraConfig } from './config/config.js';
export { ConfigError, configFrom, configSchema, describeStartupError, loadConfig, trustProxySetting } from './config/config.js';
export type { Aura, AuraWorker, CreateAuraOptions } from './create-aura.js';
export { createAura, openConfiguredDatabase } from './create-aura.js';
export type { DatabaseHandle, DatabaseKind, DatabaseOptions } from './db/database.js';
export { openDatabase, openPglite } from './db/database.js';
export type { ModuleMigrations } from './db/migrate.js';
export { MigrationError, migrateToLatest, pendingMigrations } from './db/migrate.js';
export { TransactionManager } from './db/transactions.js';
export { KyselyDeadLetterStore } from './dead-letters/kysely-dead-letter.store.js';
export { KyselyIdempotencyStore } from './idempotency/kysely-idempotency.store.js';
export type { MailMessage, StoredMail } from './mail/dev-mailbox.js';
export {
  DEFAULT_MAIL_FROM,
  DevMailbox,
  DirectoryDevMailbox,
  devMailboxFor,
  InMemoryDevMailbox,
  isDevMailId,
} from './mail/dev-mailbox.js';
export { createPinoLogger, PinoLogger, REDACTED_PATHS } from './observability/logger.js';
export { AuraMetrics } from './observability/metrics.js';
export { EventDispatcher } from './outbox/event-dispatcher.js';
export { KyselyOutbox } from './outbox/kysely-outbox.js';
export { OutboxRelay } from './outbox/outbox-relay.js';
export { OutboxSignal } from './outbox/outbox-signal.js';
export type { EventDeliveryJob, RegisteredSubscription } from './outbox/subscriptions.js';
export { eventDeliveryJobId, SubscriptionIndex } from './outbox/subscriptions.js';
export { AuraConfigToken, DatabaseHandleToken, ModulesToken, PublicKeySetToken } from './platform.tokens.js';
export type { InMemoryJobQueueOptions } from './queue/in-memory-job-queue.js';
export { InMemoryJobQueue } from './queue/in-memory-job-queue.js';
export { MemoryRateLimiter } from './rate-limit/memory-rate-limiter.js';
export { AsyncLocalExecutionContext } from './runtime/async-local-execution-context.js';
export type { ReadinessReport } from './runtime/health.js';
export { checkReadiness, DatabaseHealth, ModuleHealth, QueueHealth } from './runtime/health.js';
export type { Dependency, DependencyMonitors, OutageMonitorOptions } from './runtime/outages.js';
export {
  DependencyMonitorsToken,
  DependencyUnavailableError,
  isRedisConnectionError,
  OutageMonitor,
  reportIfUnavailable,
  unavailableDependency,
} from './runtime/outages.js';
export { runProcess } from './runtime/process-lifecycle.js';
export { SystemClock } from './runtime/system-clock.js';
export { UuidV7Generator } from './runtime/uuid-v7.generator.js';
