/**
 * `npm run start:worker` (AURA_ROLE=worker): the outbox relay and every registered job and
 * event handler, without HTTP. Run any number of these against one PostgreSQL and Redis.
 */
import { auraModules, ConfigError, loadConfig, runProcess } from '@aura/adapters';
import { startWorkerProcess } from './worker.js';

runProcess(async () => {
  const config = loadConfig({ AURA_ROLE: 'worker', ...process.env });
  if (config.AURA_ROLE !== 'worker') {
    throw new ConfigError([
      { variable: 'AURA_ROLE', message: `is "${config.AURA_ROLE}": the worker process only runs the worker role` },
    ]);
  }
  const worker = await startWorkerProcess({ config, modules: auraModules });
  return { stop: (signal) => worker.stop(signal) };
});
