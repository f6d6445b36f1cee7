import type { HealthIndicator, HealthReport, JobQueue } from '@aura/application/platform';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/database.js';
import { type ModuleMigrations, pendingMigrations } from '../db/migrate.js';

const down = (error: unknown): HealthReport => ({
  status: 'down',
  details: { error: error instanceof Error ? error.message : String(error) },
});

export class DatabaseHealth implements HealthIndicator {
  readonly name = 'database';
  constructor(private readonly database: DatabaseHandle) {}

  async check(): Promise<HealthReport> {
    try {
      await sql`SELECT 1`.execute(this.database.db);
      return { status: 'up', details: { kind: this.database.kind } };
    } catch (error) {
      return down(error);
    }
  }
}

export class QueueHealth implements HealthIndicator {
  readonly name = 'queue';
  constructor(
    private readonly queue: JobQueue,
    private readonly kind: 'redis' | 'memory',
  ) {}

  async check(): Promise<HealthReport> {
    try {
      await this.queue.ping();
      return { status: 'up', details: { kind: this.kind } };
    } catch (error) {
      return down(error);
    }
  }
}

/**
 * A module is ready when its schema has every migration it defines. Once it has, it stays
 * so (migrations only move forward under a running process), so readiness probes stop
 * paying for the migration-table query; until then each probe looks again.
 */
export class ModuleHealth implements HealthIndicator {
  readonly name: string;
  #migrated = false;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly module: ModuleMigrations,
    /** This process migrated the module at start: it is known to be up to date. */
    migrated = false,
  ) {
    this.name = `module:${module.name}`;
    this.#migrated = migrated;
  }

  async check(): Promise<HealthReport> {
    if (this.#migrated) return { status: 'up' };
    try {
      const pending = await pendingMigrations(this.database.db, this.module);
      this.#migrated = pending.length === 0;
      return this.#migrated ? { status: 'up' } : { status: 'down', details: { pendingMigrations: pending } };
    } catch (error) {
      return down(error);
    }
  }
}

export interface ReadinessReport {
  readonly status: 'up' | 'down';
  readonly checks: Readonly<Record<string, HealthReport>>;
}

/** Runs every indicator at once, each bounded by a timeout so a hung dependency reads as down. */
export async function checkReadiness(indicators: readonly HealthIndicator[], timeoutMs = 2_000): Promise<ReadinessReport> {
  const reports = await Promise.all(
    indicators.map(async (indicator) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<HealthReport>((resolve) => {
        timer = setTimeout(() => resolve({ status: 'down', details: { error: `no answer within ${timeoutMs} ms` } }), timeoutMs);
      });
      // An indicator that throws reads as down too: readiness reports, it does not fail.
      const check = Promise.resolve().then(() => indicator.check());
      const report = await Promise.race([check.catch(down), timeout]);
      clearTimeout(timer);
      return [indicator.name, report] as const;
    }),
  );
  return {
    status: reports.every(([, report]) => report.status === 'up') ? 'up' : 'down',
    checks: Object.fromEntries(reports),
  };
}
