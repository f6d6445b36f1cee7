/**
 * `npm run start:worker` (AURA_ROLE=worker): the outbox relay and every registered job and
 * event handler, without HTTP. Run any number of these against one PostgreSQL and Redis.
 */
import { auraModules, ConfigError, describeStartupError, loadConfig } from '@aura/adapters';
import { startWorkerProcess } from './worker.js';

async function main() {
  const config = loadConfig({ AURA_ROLE: 'worker', ...process.env });
  if (config.AURA_ROLE !== 'worker') {
    throw new ConfigError([
      { variable: 'AURA_ROLE', message: `is "${config.AURA_ROLE}": the worker process only runs the worker role` },
    ]);
  }
  const worker = await startWorkerProcess({ config, modules: auraModules });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      worker.stop(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  console.error(describeStartupError(error));
  process.exit(1);
});
