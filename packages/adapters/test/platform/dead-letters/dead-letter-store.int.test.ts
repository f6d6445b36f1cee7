import { InMemoryDeadLetterStore } from '../../../../application/test/platform/in-memory-fakes.js';
import { platformModule } from '../../../src/platform/aura-module.js';
import { migrateToLatest } from '../../../src/platform/db/migrate.js';
import { TransactionManager } from '../../../src/platform/db/transactions.js';
import { KyselyDeadLetterStore } from '../../../src/platform/dead-letters/kysely-dead-letter.store.js';
import { handleTargets } from '../../support/handles.js';
import { deadLetterStoreContract } from './dead-letter-store.contract.js';

for (const target of handleTargets) {
  deadLetterStoreContract(`KyselyDeadLetterStore on ${target.name}`, async () => {
    const database = await target.open();
    await migrateToLatest(database.handle.db, [platformModule]);
    return {
      store: new KyselyDeadLetterStore(new TransactionManager(database.handle.db)),
      reset: async () => {
        await database.handle.db.deleteFrom('platform.dead_letters').execute();
      },
      close: () => database.cleanup(),
    };
  });
}

// The application layer's fake must behave like the real thing.
deadLetterStoreContract('InMemoryDeadLetterStore (application test fake)', async () => {
  const store = new InMemoryDeadLetterStore();
  return {
    store,
    reset: async () => store.letters.clear(),
    close: async () => {},
  };
});
