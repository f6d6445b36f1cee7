import { type Aura, type AuraConfig, type AuraModule, createAura } from '@aura/adapters/platform';

export interface WorkerProcess {
  readonly aura: Aura;
  /** Graceful stop: the relay stops claiming, jobs in flight finish (up to SHUTDOWN_TIMEOUT_MS), connections close. */
  stop(signal?: string): Promise<void>;
}

/** Starts Aura's worker role: the outbox relay plus a processor for every event queue and module job. */
export async function startWorkerProcess(options: {
  config: AuraConfig;
  modules: readonly AuraModule[];
}): Promise<WorkerProcess> {
  const aura = await createAura({ config: options.config, modules: options.modules });
  try {
    await aura.startWorker();
  } catch (error) {
    await aura.close().catch(() => undefined);
    throw error;
  }
  aura.logger.info('Aura worker running', {
    database: aura.database.kind,
    queue: options.config.REDIS_URL === undefined ? 'memory' : 'redis',
  });
  let stopping: Promise<void> | undefined;
  return {
    aura,
    stop(signal) {
      stopping ??= (async () => {
        aura.logger.info('worker shutting down', { signal });
        await aura.close();
      })();
      return stopping;
    },
  };
}
