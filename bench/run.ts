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
import { type OutboxBenchResult, outboxMarkdown, outboxOptionsFromEnv, runOutboxBench } from './outbox-throughput.bench.js';
import { envUrl, machineInfo, redactUrl, repoRoot } from './support.js';
import { runUsersMeBench, type UsersMeResult, usersMeMarkdown, usersMeOptionsFromEnv } from './users-me.bench.js';

const SUITES = ['http', 'outbox', 'auth-timing', 'users-me'] as const;
type Suite = (typeof SUITES)[number];

interface Report {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: ReturnType<typeof machineInfo>;
  /** 1-minute load average when the run finished. */
  readonly loadAverage1mAtEnd: number;
  readonly environment: { databaseUrl: string | null; redisUrl: string | null };
  readonly http?: HttpBenchResult | { error: string };
  readonly outbox?: OutboxBenchResult | { error: string };
  readonly authTiming?: AuthTimingResult | { error: string };
  readonly usersMe?: UsersMeResult | { error: string };
}

function selectedSuites(): Suite[] {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => !(SUITES as readonly string[]).includes(arg));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; choose from ${SUITES.join(', ')}`);
  return args.length === 0 ? [...SUITES] : (args as Suite[]);
}

const message = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

async function main() {
  const suites = selectedSuites();
  // Validate every knob before the first (long) run.
  const httpOptions = httpOptionsFromEnv();
  const outboxOptions = outboxOptionsFromEnv();
  const authTimingOptions = authTimingOptionsFromEnv();
  const usersMeOptions = usersMeOptionsFromEnv();
  const startedAt = new Date();
  const machine = machineInfo();
  const databaseUrl = envUrl('DATABASE_URL');
  const redisUrl = envUrl('REDIS_URL');

  let http: Report['http'];
  let outbox: Report['outbox'];
  if (suites.includes('http')) {
    try {
      http = await runHttpBench(httpOptions);
    } catch (error) {
      console.error('http benchmark failed:', error);
      http = { error: message(error) };
    }
  }
  if (suites.includes('outbox')) {
    try {
      outbox = await runOutboxBench(outboxOptions);
    } catch (error) {
      console.error('outbox benchmark failed:', error);
      outbox = { error: message(error) };
    }
  }
  let authTiming: Report['authTiming'];
  let usersMe: Report['usersMe'];
  if (suites.includes('auth-timing')) {
    try {
      authTiming = await runAuthTimingBench(authTimingOptions);
    } catch (error) {
      console.error('auth-timing benchmark failed:', error);
      authTiming = { error: message(error) };
    }
  }
  if (suites.includes('users-me')) {
    try {
      usersMe = await runUsersMeBench(usersMeOptions);
    } catch (error) {
      console.error('users-me benchmark failed:', error);
      usersMe = { error: message(error) };
    }
  }

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
  if (http) sections.push('', 'error' in http ? `HTTP benchmark failed: ${http.error.split('\n')[0]}` : httpMarkdown(http));
  if (outbox)
    sections.push('', 'error' in outbox ? `Outbox benchmark failed: ${outbox.error.split('\n')[0]}` : outboxMarkdown(outbox));
  if (authTiming)
    sections.push(
      '',
      'error' in authTiming ? `Auth timing benchmark failed: ${authTiming.error.split('\n')[0]}` : authTimingMarkdown(authTiming),
    );
  if (usersMe)
    sections.push(
      '',
      'error' in usersMe ? `users/me benchmark failed: ${usersMe.error.split('\n')[0]}` : usersMeMarkdown(usersMe),
    );
  sections.push('', `Raw results: ${relative(process.cwd(), file) || file}`);
  console.log(sections.join('\n'));
  if ([http, outbox, authTiming, usersMe].some((result) => result !== undefined && 'error' in result)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  // Usage and configuration errors (unknown suite, bad BENCH_* value): the message says it all.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
