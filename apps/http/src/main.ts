/**
 * `npm start` (AURA_ROLE=all, the default): HTTP + worker + outbox relay in one process, on
 * PGlite and the in-memory queue unless DATABASE_URL / REDIS_URL are set.
 * `npm run start:http` (AURA_ROLE=http): the HTTP server only; scale it out behind a proxy.
 */
import { auraModules, ConfigError, createAura, loadConfig, runProcess } from '@aura/adapters';
import { createHttpApp } from './app.js';
import { httpModules } from './http-modules.js';
import { startHttpServer } from './server.js';

runProcess(async () => {
  const config = loadConfig();
  if (config.AURA_ROLE === 'worker') {
    throw new ConfigError([{ variable: 'AURA_ROLE', message: 'is "worker": run `npm run start:worker` instead' }]);
  }
  const aura = await createAura({ config, modules: auraModules });
  let running: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    const { app } = await createHttpApp(aura, { modules: httpModules });
    if (config.AURA_ROLE === 'all') await aura.startWorker();
    running = await startHttpServer(aura, app);
  } catch (error) {
    // Close what was opened (PGlite on disk, queue connections) before reporting the failure.
    await aura.close().catch(() => undefined);
    throw error;
  }
  aura.logger.info(`Aura listening on ${running.url}`, {
    role: config.AURA_ROLE,
    database: aura.database.kind,
    queue: config.REDIS_URL === undefined ? 'memory' : 'redis',
    docs: config.API_DOCS_ENABLED ? `${running.url}/docs` : undefined,
  });
  return {
    // HTTP first (finish requests in flight), then the worker, queues and database.
    stop: async (signal) => {
      aura.logger.info('shutting down', { signal });
      await running.close();
      await aura.close();
      aura.logger.info('stopped');
    },
  };
});
