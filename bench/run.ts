/**
 * `npm run bench` (add suite names, e.g. `-- http` or `-- auth-timing users-me`, to run only
 * those): runs the benchmarks in
 * sequence, prints one markdown report with the machine it ran on, and writes the raw
 * results to bench/results/<timestamp>.json. Benchmarks are run by hand; no test asserts on
 * speed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type AuthTimingResult, authTimingMarkdown, authTimingOptionsFromEnv, runAuthTimingBench } from './auth-timing.bench.js';
import { type HttpBenchResult, httpMarkdown, httpOptionsFromEnv, runHttpBench } from './http-health.bench.js';
import {
  type NotificationsBenchResult,
  notificationsMarkdown,
  notificationsOptionsFromEnv,
  runNotificationsBench,
} from './notifications.bench.js';
import { type OutboxBenchResult, outboxMarkdown, outboxOptionsFromEnv, runOutboxBench } from './outbox-throughput.bench.js';
import { runStartupBench, type StartupBenchResult, startupMarkdown, startupOptionsFromEnv } from './startup.bench.js';
import { machineInfo, redactUrl, repoRoot, serverUrlsFromEnv } from './support.js';
import { runTherapyBench, type TherapyBenchResult, therapyMarkdown, therapyOptionsFromEnv } from './therapy.bench.js';
import { runUsersMeBench, type UsersMeResult, usersMeMarkdown, usersMeOptionsFromEnv } from './users-me.bench.js';

const SUITES = ['http', 'outbox', 'auth-timing', 'users-me', 'notifications', 'therapy', 'startup'] as const;
type Suite = (typeof SUITES)[number];

/** A suite's result, or the error it failed with. */
type Outcome<T> = T | { error: string };

interface Report {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: ReturnType<typeof machineInfo>;
  /** 1-minute load average when the run finished. */
  readonly loadAverage1mAtEnd: number;
  readonly environment: { databaseUrl: string | null; redisUrl: string | null };
  readonly http?: Outcome<HttpBenchResult>;
  readonly outbox?: Outcome<OutboxBenchResult>;
  readonly authTiming?: Outcome<AuthTimingResult>;
  readonly usersMe?: Outcome<UsersMeResult>;
  readonly notifications?: Outcome<NotificationsBenchResult>;
  readonly therapy?: Outcome<TherapyBenchResult>;
  readonly startup?: Outcome<StartupBenchResult>;
}

function selectedSuites(): Suite[] {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => !(SUITES as readonly string[]).includes(arg));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; choose from ${SUITES.join(', ')}`);
  return args.length === 0 ? [...SUITES] : (args as Suite[]);
}

const message = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

/** Runs `suite` when it was selected; a failure is logged and kept (the other suites still run). */
async function runSuite<T>(selected: readonly Suite[], suite: Suite, run: () => Promise<T>): Promise<Outcome<T> | undefined> {
  if (!selected.includes(suite)) return undefined;
  try {
    return await run();
  } catch (error) {
    console.error(`${suite} benchmark failed:`, error);
    return { error: message(error) };
  }
}

/** The suite's report section: its table, or the first line of its error. */
function section<T extends object>(title: string, outcome: Outcome<T>, markdown: (result: T) => string): string {
  return 'error' in outcome ? `${title} benchmark failed: ${String(outcome.error).split('\n')[0]}` : markdown(outcome);
}

async function main() {
  const suites = selectedSuites();
  // Validate every knob before the first (long) run.
  const httpOptions = httpOptionsFromEnv();
  const outboxOptions = outboxOptionsFromEnv();
  const authTimingOptions = authTimingOptionsFromEnv();
  const usersMeOptions = usersMeOptionsFromEnv();
  const notificationsOptions = notificationsOptionsFromEnv();
  const therapyOptions = therapyOptionsFromEnv();
  const startupOptions = startupOptionsFromEnv();
  const startedAt = new Date();
  const machine = machineInfo();
  const { databaseUrl, redisUrl } = serverUrlsFromEnv();

  const http = await runSuite(suites, 'http', () => runHttpBench(httpOptions));
  const outbox = await runSuite(suites, 'outbox', () => runOutboxBench(outboxOptions));
  const authTiming = await runSuite(suites, 'auth-timing', () => runAuthTimingBench(authTimingOptions));
  const usersMe = await runSuite(suites, 'users-me', () => runUsersMeBench(usersMeOptions));
  const notifications = await runSuite(suites, 'notifications', () => runNotificationsBench(notificationsOptions));
  const therapy = await runSuite(suites, 'therapy', () => runTherapyBench(therapyOptions));
  const startup = await runSuite(suites, 'startup', () => runStartupBench(startupOptions));

  const report: Report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    loadAverage1mAtEnd: machineInfo().loadAverage1m,
    environment: {
      databaseUrl: databaseUrl ? redactUrl(databaseUrl) : null,
      redisUrl: redisUrl ? redactUrl(redisUrl) : null,
    },
    ...(http ? { http } : {}),
    ...(outbox ? { outbox } : {}),
    ...(authTiming ? { authTiming } : {}),
    ...(usersMe ? { usersMe } : {}),
    ...(notifications ? { notifications } : {}),
    ...(therapy ? { therapy } : {}),
    ...(startup ? { startup } : {}),
  };

  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

  const sections = [
    `## Aura benchmarks, ${report.startedAt}`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB RAM; Node ${machine.node} (${machine.platform}); load average ${machine.loadAverage1m} at start, ${report.loadAverage1mAtEnd} at end. ` +
      `PostgreSQL: ${report.environment.databaseUrl ?? 'not set'}; Redis: ${report.environment.redisUrl ?? 'not set'}.`,
  ];
  if (http) sections.push('', section('HTTP', http, httpMarkdown));
  if (outbox) sections.push('', section('Outbox', outbox, outboxMarkdown));
  if (authTiming) sections.push('', section('Auth timing', authTiming, authTimingMarkdown));
  if (usersMe) sections.push('', section('users/me', usersMe, usersMeMarkdown));
  if (notifications) sections.push('', section('Notifications', notifications, notificationsMarkdown));
  if (therapy) sections.push('', section('Therapy', therapy, therapyMarkdown));
  if (startup) sections.push('', section('Start-up', startup, startupMarkdown));
  sections.push('', `Raw results: ${relative(process.cwd(), file) || file}`);
  console.log(sections.join('\n'));
  if (
    [http, outbox, authTiming, usersMe, notifications, therapy, startup].some(
      (result) => result !== undefined && 'error' in result,
    )
  )
    process.exitCode = 1;
}

main().catch((error: unknown) => {
  // Usage and configuration errors (unknown suite, bad BENCH_* value): the message says it all.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
