/**
 * What the notification process tests share: the fixture worker as a child process, the
 * test's own Aura (it plays the HTTP process: it sends, and it reads the results), the stored
 * notifications, and a Redis server of the test's own (to flush without touching anyone else's).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Aura, auraModules, configFrom, createAura } from '@aura/adapters';
import { NotificationsContract } from '@aura/application/notifications';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { createPostgresDatabase, uniqueName } from '../../../../test/support/services.js';
import { type FixtureWorker, startFixtureWorker } from '../support/processes.js';

const script = fileURLToPath(new URL('../fixtures/notifications-worker.ts', import.meta.url));

export type WorkerProcess = FixtureWorker;

/** Starts apps/worker/test/fixtures/notifications-worker.ts as a real child process. */
export function startWorker(env: Record<string, string>): WorkerProcess {
  return startFixtureWorker(env, script);
}

/** Kills whatever is still running and undoes what was set up, in reverse order. */
export class Cleanups {
  private readonly steps: Array<() => Promise<void> | void> = [];
  private readonly workers: WorkerProcess[] = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  worker(env: Record<string, string>): WorkerProcess {
    const worker = startWorker(env);
    this.workers.push(worker);
    return worker;
  }

  async run(): Promise<void> {
    for (const worker of this.workers.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.child.kill('SIGKILL');
        await worker.exited();
      }
    }
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

/**
 * A fresh PostgreSQL database and queue prefix, and the test's own Aura on them (no worker):
 * it migrates, sends through the notifications contract and reads the results.
 */
export async function production(cleanups: Cleanups, redisUrl: string, overrides: Record<string, string> = {}) {
  const database = await createPostgresDatabase();
  cleanups.add(database.drop);
  const env: Record<string, string> = {
    AURA_ROLE: 'worker',
    DATABASE_URL: database.url,
    DATABASE_MIGRATE_ON_START: 'true',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: uniqueName('notify'),
    OUTBOX_POLL_INTERVAL_MS: '20',
    JOB_LOCK_DURATION_MS: '1000',
    // A provider call that times out on a loaded machine is retried in half a second, not ten.
    NOTIFICATIONS_RETRY_BACKOFF_MS: '500',
    ...overrides,
  };
  const aura = await createAura({ config: configFrom(env), modules: auraModules });
  cleanups.add(() => aura.close());
  const contract = await aura.get<NotificationsContract>(NotificationsContract);
  const send = async (to: string, sendAt?: Date) =>
    (
      await contract.send({
        to: { address: to },
        channel: 'email',
        category: 'transactional',
        content: { subject: 'Your receipt', message: `Your receipt for ${to} is ready.` },
        ...(sendAt === undefined ? {} : { sendAt }),
      })
    )._unsafeUnwrap().notification.id;
  return { env, aura, send };
}

export interface StoredNotification {
  readonly id: string;
  readonly status: string;
  readonly attempts: number;
  readonly sendAt: Date;
  readonly claimedUntil: Date | null;
  readonly sentAt: Date | null;
  readonly lastError: string | null;
}

export async function storedNotifications(db: Aura['database']['db']): Promise<StoredNotification[]> {
  const { rows } = await sql<StoredNotification>`
    select id, status, attempts, send_at as "sendAt", claimed_until as "claimedUntil", sent_at as "sentAt", last_error as "lastError"
    from notifications.notifications order by id`.execute(db);
  return rows;
}

export async function storedNotification(db: Aura['database']['db'], id: string): Promise<StoredNotification> {
  const found = (await storedNotifications(db)).find((n) => n.id === id);
  if (found === undefined) throw new Error(`no notification ${id}`);
  return found;
}

export async function deadLetterCount(db: Aura['database']['db']): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from platform.dead_letters`.execute(db);
  return rows[0]?.n ?? 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A throw-away redis-server of this test's own: FLUSHALL on the shared one would wipe other suites' queues. */
export async function startOwnRedis(cleanups: Cleanups): Promise<{ url: string; flushAll: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  cleanups.add(async () => {
    if (child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  });
  const url = `redis://127.0.0.1:${port}`;
  // Commands wait (unbounded retries) until the server accepts connections.
  const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  client.on('error', () => undefined); // refused until redis-server listens
  cleanups.add(() => client.disconnect());
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.ping(),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    url,
    flushAll: async () => {
      await client.flushall();
    },
  };
}
