import {
  AccessTokenIssuer,
  AccessTokenVerifier,
  Clock,
  DeadLetterStore,
  ExecutionContext,
  HealthIndicator,
  IdempotencyStore,
  IdGenerator,
  IntegrationEventRegistry,
  JobQueue,
  ListDeadLetters,
  Logger,
  ModuleGraphInvalidError,
  Outbox,
  RateLimiter,
  ReplayDeadLetter,
  UnitOfWork,
  validateModuleGraph,
} from '@aura/application/platform';
import { Container, type ServiceIdentifier } from 'inversify';
import type { DestinationStream } from 'pino';
import type { AuraModule } from './aura-module.js';
import { platformModule } from './aura-module.js';
import { JoseAccessTokenIssuer } from './auth/jose-access-token-issuer.js';
import { JoseAccessTokenVerifier } from './auth/jose-access-token-verifier.js';
import { loadSigningKey, verificationKeys } from './auth/signing-key.js';
import { type AuraConfig, loadConfig } from './config/config.js';
import { type DatabaseHandle, openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { TransactionManager } from './db/transactions.js';
import { KyselyDeadLetterStore } from './dead-letters/kysely-dead-letter.store.js';
import { KyselyIdempotencyStore } from './idempotency/kysely-idempotency.store.js';
import { DevMailbox, devMailboxFor } from './mail/dev-mailbox.js';
import { createPinoLogger, PinoLogger } from './observability/logger.js';
import { AuraMetrics } from './observability/metrics.js';
import { EventDispatcher } from './outbox/event-dispatcher.js';
import { KyselyOutbox } from './outbox/kysely-outbox.js';
import { outboxBacklog } from './outbox/outbox-backlog.js';
import { OutboxRelay } from './outbox/outbox-relay.js';
import { OutboxSignal } from './outbox/outbox-signal.js';
import { type EventDeliveryJob, SubscriptionIndex } from './outbox/subscriptions.js';
import { AuraConfigToken, DatabaseHandleToken, ModulesToken, PublicKeySetToken } from './platform.tokens.js';
import { BullmqJobQueue } from './queue/bullmq-job-queue.js';
import { InMemoryJobQueue } from './queue/in-memory-job-queue.js';
import { MemoryRateLimiter } from './rate-limit/memory-rate-limiter.js';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter.js';
import { AsyncLocalExecutionContext } from './runtime/async-local-execution-context.js';
import { checkReadiness, DatabaseHealth, ModuleHealth, QueueHealth, type ReadinessReport } from './runtime/health.js';
import { jobHooks } from './runtime/job-hooks.js';
import { SystemClock } from './runtime/system-clock.js';
import { UuidV7Generator } from './runtime/uuid-v7.generator.js';

export interface CreateAuraOptions {
  /** Defaults to `loadConfig(process.env)`. */
  readonly config?: AuraConfig;
  /** Business modules to install; the platform kernel is always installed first. */
  readonly modules?: readonly AuraModule[];
  /** An already-open database (otherwise opened from the configuration). Closed with Aura. */
  readonly database?: DatabaseHandle;
  /** A job queue to use instead of the configured one. Closed with Aura. */
  readonly queue?: JobQueue;
  /** Run pending migrations at start (default: always on PGlite, DATABASE_MIGRATE_ON_START on PostgreSQL). */
  readonly migrate?: boolean;
  /** Where logs go (default: standard output). */
  readonly logDestination?: DestinationStream;
}

export interface AuraWorker {
  /** Stops the relay; jobs in flight finish when Aura closes the queue. */
  stop(): Promise<void>;
}

/** A running Aura core: the loaded container and what the runtimes need around it. */
export interface Aura {
  readonly config: AuraConfig;
  readonly container: Container;
  /** Installed modules, each after the modules it depends on. */
  readonly modules: readonly AuraModule[];
  readonly database: DatabaseHandle;
  readonly logger: PinoLogger;
  readonly metrics: AuraMetrics;
  get<T>(id: ServiceIdentifier<T>): Promise<T>;
  readiness(): Promise<ReadinessReport>;
  /** Starts the outbox relay and a processor for every event queue and module job (once; later calls share it). */
  startWorker(): Promise<AuraWorker>;
  /** Stops the relay, lets running jobs finish and closes the queue, then the database. Idempotent; concurrent calls share one close. */
  close(): Promise<void>;
}

function openConfiguredQueue(config: AuraConfig, logger: PinoLogger): JobQueue {
  const defaults = {
    defaultAttempts: config.JOB_ATTEMPTS,
    defaultBackoff: { type: 'exponential' as const, delayMs: config.JOB_BACKOFF_MS },
    closeTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  };
  return config.REDIS_URL === undefined
    ? new InMemoryJobQueue(defaults)
    : new BullmqJobQueue({
        ...defaults,
        url: config.REDIS_URL,
        prefix: config.QUEUE_PREFIX,
        lockDurationMs: config.JOB_LOCK_DURATION_MS,
        onError: (error) => logger.warn('job queue connection problem (BullMQ retries by itself)', { err: error }),
      });
}

export function openConfiguredDatabase(config: AuraConfig): Promise<DatabaseHandle> {
  return config.DATABASE_URL === undefined
    ? openDatabase({ kind: 'pglite', dataDir: config.AURA_DATA_DIR })
    : openDatabase({ kind: 'postgres', url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
}

/**
 * Builds Aura: validates the module graph, opens the database (PGlite by default,
 * PostgreSQL with DATABASE_URL), migrates, opens the queue (in memory by default, BullMQ with
 * REDIS_URL) and loads every module's bindings into one Inversify container.
 */
export async function createAura(options: CreateAuraOptions = {}): Promise<Aura> {
  const config = options.config ?? loadConfig();
  const graph = validateModuleGraph([platformModule, ...(options.modules ?? [])]);
  if (graph.isErr()) throw new ModuleGraphInvalidError(graph.error);
  const modules = graph.value as readonly AuraModule[];

  const context = new AsyncLocalExecutionContext();
  const pino = createPinoLogger({
    level: config.LOG_LEVEL,
    context,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const logger = new PinoLogger(pino);

  // Before anything is opened: a bad key file fails start-up with nothing to clean up.
  const signingKey = await loadSigningKey(config);
  const database = options.database ?? (await openConfiguredDatabase(config));
  const queue = options.queue ?? openConfiguredQueue(config, logger);
  const rateLimiter =
    config.REDIS_URL === undefined
      ? new MemoryRateLimiter()
      : new RedisRateLimiter({
          url: config.REDIS_URL,
          prefix: config.QUEUE_PREFIX,
          onError: (error) => logger.warn('rate limiter cannot reach Redis (limiting per process meanwhile)', { err: error }),
        });
  const closeResources = async () => {
    if (rateLimiter instanceof RedisRateLimiter) await rateLimiter.close();
    await queue.close();
    await database.close();
  };
  try {
    const migrate = options.migrate ?? (database.kind === 'pglite' || config.DATABASE_MIGRATE_ON_START === true);
    if (migrate) {
      const applied = await migrateToLatest(database.db, modules);
      if (applied.length > 0) logger.info('migrations applied', { migrations: applied.map((m) => m.migrationName) });
    }
  } catch (error) {
    await closeResources();
    throw error;
  }

  const transactions = new TransactionManager(database.db);
  const registry = new IntegrationEventRegistry(modules.flatMap((m) => m.events ?? []));
  const subscriptions = new SubscriptionIndex(modules);
  const metrics = new AuraMetrics({
    outbox: () => outboxBacklog(transactions),
    parkedDeadLetters: () => container.get<DeadLetterStore>(DeadLetterStore).countParked(),
  });

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(Container).toConstantValue(container);
  container.bind(AuraConfigToken).toConstantValue(config);
  container.bind(DatabaseHandleToken).toConstantValue(database);
  container.bind(ModulesToken).toConstantValue(modules);
  container.bind(TransactionManager).toConstantValue(transactions);
  container.bind(UnitOfWork).toService(TransactionManager);
  container.bind(Clock).toConstantValue(new SystemClock());
  container.bind(IdGenerator).toConstantValue(new UuidV7Generator());
  container.bind(ExecutionContext).toConstantValue(context);
  container.bind(Logger).toConstantValue(logger);
  container.bind(JobQueue).toConstantValue(queue);
  container.bind(IntegrationEventRegistry).toConstantValue(registry);
  container.bind(SubscriptionIndex).toConstantValue(subscriptions);
  container.bind(AuraMetrics).toConstantValue(metrics);
  const publicKeys = verificationKeys(signingKey, config.AUTH_JWKS);
  container.bind(PublicKeySetToken).toConstantValue(publicKeys);
  container
    .bind(AccessTokenVerifier)
    .toConstantValue(
      new JoseAccessTokenVerifier({ jwks: publicKeys, issuer: config.AUTH_JWT_ISSUER, audience: config.AUTH_JWT_AUDIENCE }),
    );
  container.bind(AccessTokenIssuer).toConstantValue(
    new JoseAccessTokenIssuer({
      key: signingKey,
      issuer: config.AUTH_JWT_ISSUER,
      audience: config.AUTH_JWT_AUDIENCE,
      ttlSeconds: config.AUTH_ACCESS_TOKEN_TTL_S,
      clock: container.get(Clock),
    }),
  );
  container.bind(RateLimiter).toConstantValue(rateLimiter);
  container.bind(DevMailbox).toConstantValue(devMailboxFor(config));
  container.bind(OutboxSignal).toConstantValue(new OutboxSignal());
  container.bind(KyselyOutbox).toSelf();
  container.bind(Outbox).toService(KyselyOutbox);
  container.bind(KyselyDeadLetterStore).toSelf();
  container.bind(DeadLetterStore).toService(KyselyDeadLetterStore);
  container.bind(KyselyIdempotencyStore).toSelf();
  container.bind(IdempotencyStore).toService(KyselyIdempotencyStore);
  container.bind(OutboxRelay).toSelf();
  container.bind(EventDispatcher).toSelf();
  container.bind(ListDeadLetters).toSelf();
  container.bind(ReplayDeadLetter).toSelf();
  container.bind(HealthIndicator).toConstantValue(new DatabaseHealth(database));
  container.bind(HealthIndicator).toConstantValue(new QueueHealth(queue, config.REDIS_URL === undefined ? 'memory' : 'redis'));
  for (const module of modules) container.bind(HealthIndicator).toConstantValue(new ModuleHealth(database, module));
  try {
    for (const module of modules) if (module.containerModule) await container.load(module.containerModule);
  } catch (error) {
    // A module that cannot bind must not leave the database and queue open behind a failed start.
    await closeResources();
    throw error;
  }

  const relay = container.get(OutboxRelay);
  let starting: Promise<AuraWorker> | undefined;
  let closing: Promise<void> | undefined;

  const startWorker = async (): Promise<AuraWorker> => {
    if (closing) throw new Error('Aura is closed: create a new instance to start a worker');
    const hooks = jobHooks({
      deadLetters: container.get(DeadLetterStore),
      metrics,
      logger,
      ids: container.get(IdGenerator),
      clock: container.get(Clock),
    });
    const dispatcher = container.get(EventDispatcher);
    for (const eventQueue of subscriptions.queues()) {
      await queue.process<EventDeliveryJob>(eventQueue, (job) => dispatcher.dispatch(job), {
        ...hooks,
        concurrency: config.WORKER_CONCURRENCY,
      });
    }
    for (const module of modules) {
      for (const definition of module.jobs ?? []) {
        await queue.process(
          definition.queue,
          (job) => {
            const data = job.data as { correlationId?: unknown };
            const correlationId = typeof data?.correlationId === 'string' ? data.correlationId : job.id;
            return context.run({ correlationId, causationId: job.id }, async () => {
              const processor = await container.getAsync(definition.processor);
              await processor.process(job);
            });
          },
          {
            ...hooks,
            concurrency:
              definition.concurrency === undefined
                ? config.WORKER_CONCURRENCY
                : typeof definition.concurrency === 'number'
                  ? definition.concurrency
                  : container.get<number>(definition.concurrency),
          },
        );
      }
    }
    for (const module of modules) {
      for (const definition of module.jobs ?? []) {
        if (definition.everyMs === undefined) continue;
        const everyMs = typeof definition.everyMs === 'number' ? definition.everyMs : container.get<number>(definition.everyMs);
        schedules.push(schedule(definition.queue, everyMs));
      }
    }
    relay.start();
    logger.info('worker started', {
      eventQueues: subscriptions.queues(),
      jobQueues: modules.flatMap((m) => (m.jobs ?? []).map((j) => j.queue)),
    });
    return { stop: stopWorker };
  };

  const schedules: NodeJS.Timeout[] = [];
  /**
   * Enqueues a scheduled job now and every `everyMs`, with one job id per interval slot:
   * several workers enqueue the same job, the queue keeps one.
   */
  const schedule = (queueName: string, everyMs: number): NodeJS.Timeout => {
    const enqueue = () => {
      const slot = Math.floor(Date.now() / everyMs);
      const scheduledFor = new Date(slot * everyMs).toISOString();
      queue
        .enqueue({
          queue: queueName,
          name: 'scheduled',
          data: { correlationId: `${queueName}:${scheduledFor}`, scheduledFor },
          options: { jobId: `${queueName}:${slot}` },
        })
        .catch((error: unknown) => logger.warn('could not enqueue a scheduled job', { queue: queueName, err: error }));
    };
    enqueue();
    const timer = setInterval(enqueue, everyMs);
    timer.unref();
    return timer;
  };
  const stopWorker = async () => {
    for (const timer of schedules.splice(0)) clearInterval(timer);
    await relay.stop();
  };

  const aura: Aura = {
    config,
    container,
    modules,
    database,
    logger,
    metrics,
    get: (id) => container.getAsync(id),
    readiness: () => checkReadiness(container.getAll(HealthIndicator)),
    startWorker() {
      starting ??= startWorker();
      return starting;
    },
    close() {
      closing ??= (async () => {
        await starting?.catch(() => undefined);
        await stopWorker();
        await closeResources();
        await container.unbindAllAsync();
      })();
      return closing;
    },
  };
  return aura;
}
