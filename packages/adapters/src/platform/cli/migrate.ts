/** `npm run db:migrate`: brings every installed module's schema to its latest migration. */
import { auraModules } from '../../modules.js';
import { platformModule } from '../aura-module.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { openConfiguredDatabase } from '../create-aura.js';
import { migrateToLatest } from '../db/migrate.js';

try {
  const config = loadConfig();
  const database = await openConfiguredDatabase(config);
  try {
    const results = await migrateToLatest(database.db, [platformModule, ...auraModules]);
    for (const result of results)
      console.log(`${result.status === 'Success' ? 'applied' : result.status}: ${result.migrationName}`);
    console.log(
      results.length === 0 ? `${database.kind}: already up to date` : `${database.kind}: ${results.length} migration(s) applied`,
    );
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}
