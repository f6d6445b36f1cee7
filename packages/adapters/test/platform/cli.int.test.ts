/** The operator commands, run as `npm run …` runs them, against real PostgreSQL and Redis. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, hasPostgres, hasRedis, redisUrl, uniqueName } from '../../../../test/support/services.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { TransactionManager } from '../../src/platform/db/transactions.js';
import { KyselyDeadLetterStore } from '../../src/platform/dead-letters/kysely-dead-letter.store.js';
import { BullmqJobQueue } from '../../src/platform/queue/bullmq-job-queue.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const run = promisify(execFile);

/** Runs an operator command as operators do: `npm run <script> -- …` (the compiled command). */
async function cli(script: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', script, '--', ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe.runIf(hasPostgres && hasRedis)('operator commands', () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    env = { DATABASE_URL: database.url, REDIS_URL: redisUrl ?? '', QUEUE_PREFIX: uniqueName('cli') };
  });
  afterAll(() => drop?.());

  it('npm run db:migrate applies the migrations once, then finds nothing to do', async () => {
    const first = await cli('db:migrate', [], env);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/applied: 2026_11_21_000000_platform_outbox_inbox_dead_letters/);
    const second = await cli('db:migrate', [], env);
    expect(second.out).toMatch(/postgres: already up to date/);
  });

  it('npm run dead-letters lists parked letters and replays one onto its queue', async () => {
    const database = await openDatabase({ kind: 'postgres', url: env.DATABASE_URL ?? '', poolSize: 2 });
    const store = new KyselyDeadLetterStore(new TransactionManager(database.db));
    const id = '0190aaaa-bbbb-7ccc-8ddd-00000000c11a';
    await store.record({
      id,
      queue: 'cli.test',
      jobName: 'poke',
      jobId: 'job-1',
      data: { correlationId: 'c-1' },
      attempts: 8,
      lastError: 'provider timed out',
      failedAt: new Date('2026-11-21T10:00:00Z'),
    });
    try {
      const list = await cli('dead-letters', ['list'], env);
      expect(list.code).toBe(0);
      expect(list.out).toMatch(new RegExp(`${id} .* cli.test/poke {2}attempts=8 replays=0 {2}provider timed out`));
      expect(list.out).toMatch(/1 dead letter\(s\)/);

      const replay = await cli('dead-letters', ['replay', id], env);
      expect(replay.code).toBe(0);
      expect(replay.out).toMatch(`replayed ${id} onto cli.test (replay #1)`);
      expect((await store.get(id))?.replayCount).toBe(1);
      const queue = new BullmqJobQueue({
        url: env.REDIS_URL ?? '',
        prefix: env.QUEUE_PREFIX ?? '',
        defaultAttempts: 1,
        defaultBackoff: { type: 'fixed', delayMs: 1 },
        closeTimeoutMs: 1_000,
      });
      expect((await queue.counts('cli.test')).waiting).toBe(1);
      await queue.close();

      const unknown = await cli('dead-letters', ['replay', 'nope'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.out).toMatch(/platform.dead_letter_not_found/);
      const usage = await cli('dead-letters', ['explode'], env);
      expect(usage.code).toBe(2);
      expect(usage.out).toMatch(/usage: dead-letters list/);
    } finally {
      await database.close();
    }
  });
});
