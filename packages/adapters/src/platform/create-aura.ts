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
  type JobContext,
  JobQueue,
  ListDeadLetters,
  Logger,
  ModuleGraphInvalidError,
  Outbox,
  PostponeJob,
  RateLimiter,
  ReplayDeadLetter,
  UnitOfWork,
  validateModuleGraph,
} from '@aura/application/platform';
import { Container, type ServiceIdentifier } from 'inversify';
import { sql } from 'kysely';
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
import { InMemoryJobQueue } from './queue/in-memory-job-queue.js';
import { MemoryRateLimiter } from './rate-limit/memory-rate-limiter.js';
import { AsyncLocalExecutionContext } from './runtime/async-local-execution-context.js';
import { checkReadiness, DatabaseHealth, ModuleHealth, QueueHealth, type ReadinessReport } from './runtime/health.js';
import { jobHooks } from './runtime/job-hooks.js';
import {
  type DependencyMonitors,
  DependencyMonitorsToken,
  isRedisConnectionError,
  OutageMonitor,
  reportIfUnavailable,
} from './runtime/outages.js';
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
  /** Watches the database and Redis: outages are logged once, answered with 503 and postponed jobs. */
  readonly outages: DependencyMonitors;
  /** Stops the relay, lets running jobs finish and closes the queue, then the database. Idempotent; concurrent calls share one close. */
  close(): Promise<void>;
}

/** BullMQ, ioredis and the Redis rate limiter load only when Redis is configured (they add ~0.3 s to an embedded start). */
async function openConfiguredQueue(config: AuraConfig, onError: (error: Error) => void): Promise<JobQueue> {
  const defaults = {
    defaultAttempts: config.JOB_ATTEMPTS,
    defaultBackoff: { type: 'exponential' as const, delayMs: config.JOB_BACKOFF_MS },
    closeTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  };
  if (config.REDIS_URL === undefined) return new InMemoryJobQueue(defaults);
  const { BullmqJobQueue } = await import('./queue/bullmq-job-queue.js');
  return new BullmqJobQueue({
    ...defaults,
    url: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    lockDurationMs: config.JOB_LOCK_DURATION_MS,
    onError,
  });
}

async function openConfiguredRateLimiter(
  config: AuraConfig,
  onError: (error: Error) => void,
): Promise<RateLimiter & { close?: () => Promise<void> }> {
  if (config.REDIS_URL === undefined) return new MemoryRateLimiter();
  const { RedisRateLimiter } = await import('./rate-limit/redis-rate-limiter.js');
  // While Redis is away each process limits on its own (see RedisRateLimiter).
  return new RedisRateLimiter({ url: config.REDIS_URL, prefix: config.QUEUE_PREFIX, onError });
}

export function openConfiguredDatabase(config: AuraConfig, onConnectionError?: (error: Error) => void): Promise<DatabaseHandle> {
  return config.DATABASE_URL === undefined
    ? openDatabase({ kind: 'pglite', dataDir: config.AURA_DATA_DIR })
    : openDatabase({
        kind: 'postgres',
        url: config.DATABASE_URL,
        poolSize: config.DATABASE_POOL_SIZE,
        ...(onConnectionError === undefined ? {} : { onConnectionError }),
      });
}

/**
 * A job handler that meets an outage (the database or Redis away) is postponed, not failed:
 * it uses no attempt, is not logged one by one, and the dependency's monitor hears of it.
 */
function outageAware<T>(monitors: DependencyMonitors, backoffMs: number, handler: (job: JobContext<T>) => Promise<void>) {
  return async (job: JobContext<T>): Promise<void> => {
    try {
      await handler(job);
    } catch (error) {
      const dependency = reportIfUnavailable(monitors, error);
      if (dependency === undefined) throw error;
      // Two to five first-retry delays (a few seconds by default), spread so jobs do not all come back at once.
      throw new PostponeJob(Math.round(backoffMs * (2 + Math.random() * 3)), `${dependency} unavailable`, { quiet: true });
    }
  };
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

  // Gauges read their sources when scraped, by which time everything below exists.
  const metrics = new AuraMetrics({
    outbox: () => outboxBacklog(transactions),
    parkedDeadLetters: () => container.get<DeadLetterStore>(DeadLetterStore).countParked(),
  });

  // Before anything is opened: a bad key file fails start-up with nothing to clean up.
  const signingKey = await loadSigningKey(config);
  // Each dependency that can go away is watched: an outage is logged once when it starts and
  // once when it ends, and answered with 503s and postponed jobs meanwhile.
  let opened: { database?: DatabaseHandle; queue?: JobQueue } = {};
  const monitors: DependencyMonitors = {
    database: new OutageMonitor({
      dependency: 'database',
      logger,
      metrics,
      probe: async () => {
        if (opened.database !== undefined) await sql`SELECT 1`.execute(opened.database.db);
      },
    }),
    redis:
      config.REDIS_URL === undefined
        ? undefined
        : new OutageMonitor({ dependency: 'redis', logger, metrics, probe: async () => opened.queue?.ping() }),
  };
  const onRedisError = (what: string) => (error: Error) => {
    if (isRedisConnectionError(error)) monitors.redis?.reportFailure(error);
    else logger.warn(what, { err: error });
  };
  const database = options.database ?? (await openConfiguredDatabase(config, (error) => monitors.database.reportFailure(error)));
  const queue =
    options.queue ?? (await openConfiguredQueue(config, onRedisError('job queue problem (BullMQ retries by itself)')));
  opened = { database, queue };
  const rateLimiter = await openConfiguredRateLimiter(
    config,
    onRedisError('rate limiter problem with Redis (limiting per process meanwhile)'),
  );
  const closeResources = async () => {
    monitors.database.close();
    monitors.redis?.close();
    await rateLimiter.close?.();
    await queue.close();
    await database.close();
  };
  // Once this process has brought every schema up to date, readiness need not look again.
  let migrated = false;
  try {
    const migrate = options.migrate ?? (database.kind === 'pglite' || config.DATABASE_MIGRATE_ON_START === true);
    if (migrate) {
      const applied = await migrateToLatest(database.db, modules);
      if (applied.length > 0) logger.info('migrations applied', { migrations: applied.map((m) => m.migrationName) });
      migrated = true;
    }
  } catch (error) {
    await closeResources();
    throw error;
  }

  const transactions = new TransactionManager(database.db, (error) => {
    // An effect that runs after a commit (a job enqueued by a handler) failed: the work it
    // stood for is re-derived (sweeps, the redrive); an outage is logged once by its monitor.
    if (reportIfUnavailable(monitors, error) === undefined) logger.error('an effect after a commit failed', { err: error });
  });
  const registry = new IntegrationEventRegistry(modules.flatMap((m) => m.events ?? []));
  const subscriptions = new SubscriptionIndex(modules);

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
  container.bind(DependencyMonitorsToken).toConstantValue(monitors);
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
  for (const module of modules) container.bind(HealthIndicator).toConstantValue(new ModuleHealth(database, module, migrated));
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
      await queue.process<EventDeliveryJob>(
        eventQueue,
        outageAware(monitors, config.JOB_BACKOFF_MS, (job) => dispatcher.dispatch(job)),
        {
          ...hooks,
          concurrency: config.WORKER_CONCURRENCY,
        },
      );
    }
    for (const module of modules) {
      for (const definition of module.jobs ?? []) {
        await queue.process(
          definition.queue,
          outageAware(monitors, config.JOB_BACKOFF_MS, (job) => {
            const data = job.data as { correlationId?: unknown };
            const correlationId = typeof data?.correlationId === 'string' ? data.correlationId : job.id;
            return context.run({ correlationId, causationId: job.id }, async () => {
              const processor = await container.getAsync(definition.processor);
              await processor.process(job);
            });
          }),
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
        .catch((error: unknown) => {
          if (reportIfUnavailable(monitors, error) === undefined)
            logger.warn('could not enqueue a scheduled job', { queue: queueName, err: error });
        });
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
    outages: monitors,
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
