import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { configFrom } from '../../../packages/adapters/src/platform/config/config.js';
import {
  auditEntries,
  auditModule,
  ledgerModule,
  OpenAccount,
} from '../../../packages/adapters/test/fixtures/fixture-modules.js';
import { waitUntil } from '../../../packages/adapters/test/support/wait.js';
import { startWorkerProcess } from '../src/worker.js';

it('runs the relay and the event handlers, and stops once however often it is asked', async () => {
  const worker = await startWorkerProcess({
    config: configFrom({ OUTBOX_POLL_INTERVAL_MS: '20' }),
    modules: [ledgerModule, auditModule()],
  });
  (await (await worker.aura.get(OpenAccount)).execute({ owner: 'in-process' }))._unsafeUnwrap();
  await waitUntil(async () => (await auditEntries(worker.aura.database.db)).length === 2, 'both subscribers handled the event');
  await Promise.all([worker.stop('SIGTERM'), worker.stop('SIGINT')]);
  await expect(sql`SELECT 1`.execute(worker.aura.database.db)).rejects.toThrow();
});
