/**
 * `npm run dead-letters -- list [--all|--replayed] [--queue Q]` and
 * `npm run dead-letters -- replay <id>`: the operator's way to inspect and replay dead letters
 * (the same use cases as `/api/admin/dead-letters`, run as the built-in operator).
 */
import { parseArgs } from 'node:util';
import { type Actor, ListDeadLetters, ReplayDeadLetter } from '@aura/application/platform';
import { auraModules } from '../../modules.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { createAura } from '../create-aura.js';

const operator: Actor = { userId: 'cli-operator', roles: ['admin'] };

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { all: { type: 'boolean' }, replayed: { type: 'boolean' }, queue: { type: 'string' }, limit: { type: 'string' } },
});
const [command, id] = positionals;

try {
  if (command !== 'list' && !(command === 'replay' && id)) {
    console.error('usage: dead-letters list [--all|--replayed] [--queue Q] [--limit N] | dead-letters replay <id>');
    process.exit(2);
  }
  const config = loadConfig();
  if (config.DATABASE_URL === undefined || config.REDIS_URL === undefined) {
    // PGlite belongs to the running server's process, and an in-memory queue would die with this command.
    throw new ConfigError([
      {
        variable: config.DATABASE_URL === undefined ? 'DATABASE_URL' : 'REDIS_URL',
        message: 'is required by this command (in embedded mode, use GET/POST /api/admin/dead-letters on the running server)',
      },
    ]);
  }
  const aura = await createAura({ config: { ...config, LOG_LEVEL: 'warn' }, modules: auraModules });
  try {
    if (command === 'list') {
      const page = await (await aura.get(ListDeadLetters)).execute({
        actor: operator,
        status: values.all ? 'all' : values.replayed ? 'replayed' : 'parked',
        limit: Number(values.limit ?? 100),
        ...(values.queue === undefined ? {} : { queue: values.queue }),
      });
      const { items } = page._unsafeUnwrap();
      for (const l of items) {
        console.log(
          `${l.id}  ${l.failedAt.toISOString()}  ${l.queue}/${l.jobName}  attempts=${l.attempts} replays=${l.replayCount}  ${l.lastError}`,
        );
      }
      console.log(`${items.length} dead letter(s)`);
    } else {
      const result = await (await aura.get(ReplayDeadLetter)).execute({ actor: operator, id: id ?? '' });
      if (result.isErr()) {
        console.error(`${result.error.type}: ${result.error.message}`);
        process.exitCode = 1;
      } else {
        console.log(`replayed ${result.value.id} onto ${result.value.queue} (replay #${result.value.replayCount})`);
      }
    }
  } finally {
    await aura.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}
