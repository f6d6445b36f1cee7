/**
 * Account-enumeration timing profile of the auth endpoints, measured (never asserted): can a
 * client tell from response times whether an address has an account?
 *
 * For each pair, N requests A and N requests B are sent in A/B pairs (which one goes first
 * is a seeded coin flip per pair, so drift and whatever a request leaves behind for the next
 * one hit both sides alike), one at a time over one keep-alive connection (service time, not
 * queueing), after discarded warm-up pairs, against the full app (bench/users-target.ts:
 * HTTP + worker + relay in one process, as `npm start`):
 *
 * - register: a fresh address (201) vs the taken address in another case (409);
 * - login: an unknown address vs a known, verified account with a wrong password (both 401),
 *   each address used for at most 4 attempts so the lockout (5 failures) never triggers;
 * - password-reset request: an existing vs an unknown address (both 202);
 * - baseline: GET /health/live vs GET /health/ready, a pair that differs on purpose, to show
 *   the tests can see a difference of that size.
 *
 * Each pair is summarised (p50/p90/p99, mean, stdev) and compared with the ratio of medians,
 * the Hodges–Lehmann shift, Mann–Whitney U and two-sample Kolmogorov–Smirnov tests, a
 * Wilcoxon signed-rank test on the within-pair differences, and a carry-over comparison (is
 * the next request slower after A than after B?). PGlite in memory always; PostgreSQL
 * (+ Redis when REDIS_URL is set) when DATABASE_URL is set.
 *
 *   node --conditions=aura-source --import tsx bench/auth-timing.bench.ts
 *   env: BENCH_AUTH_SAMPLES (150), BENCH_AUTH_WARMUP (10), BENCH_AUTH_ORDER (random | abba | abab), DATABASE_URL, REDIS_URL
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { envInt, fmt, log, redactUrl, round, runStandalone, type ServerUrls, serverUrlsFromEnv, withScratch } from './support.js';
import {
  BENCH_PASSWORD,
  fmtP,
  hodgesLehmann,
  type KolmogorovSmirnov,
  kolmogorovSmirnov,
  type MannWhitney,
  mannWhitney,
  registerVerified,
  type SampleSummary,
  summarize,
  TimedClient,
  type UsersTarget,
  withUsersTarget,
} from './users-support.js';

export interface AuthTimingOptions extends ServerUrls {
  /** Measured requests per side of each pair. */
  readonly samples: number;
  /** Discarded A/B pairs before the measured ones. */
  readonly warmup: number;
  /**
   * Which side of each A/B pair goes first. `random` (default): a coin flip per pair (seeded,
   * so runs repeat), which spreads whatever a request leaves behind for the next ones (the
   * worker's email job after a 201 or a reset request) evenly over both sides; `abba`: A B,
   * B A, A B, … (balances only what spills into the very next request); `abab`: always A
   * then B (whatever A leaves behind lands on B).
   */
  readonly order: 'random' | 'abba' | 'abab';
}

export interface TimedSide {
  readonly label: string;
  readonly status: number;
  readonly summary: SampleSummary;
  /** Every measured duration in ms, in the order sent. */
  readonly samplesMs: readonly number[];
}

export interface TimingPair {
  readonly name: string;
  /** True for the health pair, which differs on purpose. */
  readonly baseline: boolean;
  readonly a: TimedSide;
  readonly b: TimedSide;
  /** p50(B) / p50(A). */
  readonly medianRatio: number;
  /** Hodges–Lehmann estimate of B − A in ms. */
  readonly shiftMs: number;
  readonly mannWhitney: MannWhitney;
  readonly kolmogorovSmirnov: KolmogorovSmirnov;
  /** Mann–Whitney or Kolmogorov–Smirnov below ALPHA (all samples). */
  readonly distinguishable: boolean;
  /** For each measured pair (same index as the samples): whether B was sent first. */
  readonly bFirst: readonly boolean[];
  /**
   * Random order only. The second request of a pair always follows the other side, so work
   * one side leaves behind (the worker's email job) lands on the other side more often and
   * shows up in the all-sample comparison. The first request of each pair follows the second
   * of the previous pair, whose side is an independent coin flip, so among first requests:
   * - `own`: A vs B, with predecessors balanced: the requests' own difference;
   * - `carryOver`: grouped by the side sent just before: does A or B slow the next request?
   */
  readonly firstOfPair: null | {
    readonly own: Comparison;
    readonly carryOver: Comparison;
  };
}

/** Two groups of requests compared: their medians, the Hodges–Lehmann shift (second − first) and Mann–Whitney. */
export interface Comparison {
  readonly n: readonly [number, number];
  readonly p50Ms: readonly [number, number];
  readonly shiftMs: number;
  readonly mannWhitney: MannWhitney;
}

function comparison(first: readonly number[], second: readonly number[]): Comparison {
  return {
    n: [first.length, second.length],
    p50Ms: [summarize(first).p50Ms, summarize(second).p50Ms],
    shiftMs: hodgesLehmann(first, second),
    mannWhitney: mannWhitney(first, second),
  };
}

export interface AuthTimingScenario {
  readonly name: string;
  readonly database: 'pglite' | 'postgres';
  readonly queue: 'memory' | 'redis';
  readonly pairs: readonly TimingPair[];
  readonly setupSeconds: number;
  readonly measureSeconds: number;
}

export interface AuthTimingResult {
  readonly settings: {
    samples: number;
    warmup: number;
    order: AuthTimingOptions['order'];
    alpha: number;
    lockoutAttemptsPerAddress: number;
  };
  readonly scenarios: readonly AuthTimingScenario[];
  readonly skipped: readonly string[];
}

/** Significance level for the "distinguishable" column. */
const ALPHA = 0.01;
/** The default lockout is 5 failures: each address takes at most 4 wrong guesses. */
const ATTEMPTS_PER_ADDRESS = 4;

export function authTimingOptionsFromEnv(): AuthTimingOptions {
  return {
    samples: envInt('BENCH_AUTH_SAMPLES', 150, 20, 5_000),
    warmup: envInt('BENCH_AUTH_WARMUP', 10, 0, 1_000),
    order: envOrder(),
    ...serverUrlsFromEnv(),
  };
}

const ORDERS = ['random', 'abba', 'abab'] as const;

function envOrder(): AuthTimingOptions['order'] {
  const raw = process.env.BENCH_AUTH_ORDER?.trim() || 'random';
  const order = ORDERS.find((known) => known === raw);
  if (order === undefined) throw new Error(`BENCH_AUTH_ORDER must be one of ${ORDERS.join(', ')} (got ${JSON.stringify(raw)})`);
  return order;
}

const ORDER_TEXT: Readonly<Record<AuthTimingOptions['order'], string>> = {
  random: 'which side goes first is a seeded coin flip per pair',
  abba: 'A B, B A, A B, …',
  abab: 'A B, A B, …',
};

/** mulberry32: a small seeded generator, so the order of a run can be repeated. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Side {
  readonly label: string;
  readonly status: number;
  /** The i-th request (0-based, warm-up included). */
  readonly request: (i: number) => { method: string; path: string; body?: unknown };
}

/** Sends each A/B pair (first side per `options.order`), warm-up first; every response must have its side's status. */
async function timePair(
  client: TimedClient,
  name: string,
  a: Side,
  b: Side,
  options: AuthTimingOptions,
  baseline = false,
): Promise<TimingPair> {
  const times: [number[], number[]] = [[], []];
  /** First requests of measured pairs, by own side and by the side sent just before. */
  const firstOwn: [number[], number[]] = [[], []];
  const firstAfter: [number[], number[]] = [[], []];
  const forward = [
    [0, a],
    [1, b],
  ] as const;
  const backward = [forward[1], forward[0]] as const;
  const coin = seededRandom(0x5eed);
  const bFirst = (i: number) => (options.order === 'random' ? coin() < 0.5 : options.order === 'abba' && i % 2 === 1);
  let previous: 0 | 1 | undefined;
  const order: boolean[] = [];
  const started = performance.now();
  for (let i = 0; i < options.warmup + options.samples; i++) {
    const swapped = bFirst(i);
    if (i >= options.warmup) order.push(swapped);
    for (const [position, [index, side]] of (swapped ? backward : forward).entries()) {
      const { method, path, body } = side.request(i);
      const response = await client.send(method, path, body);
      if (response.status !== side.status) {
        throw new Error(
          `${name}: ${side.label} (${method} ${path}) answered ${response.status}, expected ${side.status}: ${response.body.slice(0, 300)}`,
        );
      }
      if (i >= options.warmup) {
        times[index]?.push(response.ms);
        if (position === 0 && previous !== undefined) {
          firstOwn[index]?.push(response.ms);
          firstAfter[previous]?.push(response.ms);
        }
      }
      previous = index;
    }
  }
  const [timesA, timesB] = times;
  const summaryA = summarize(timesA);
  const summaryB = summarize(timesB);
  const mw = mannWhitney(timesA, timesB);
  const ks = kolmogorovSmirnov(timesA, timesB);
  const pair: TimingPair = {
    name,
    baseline,
    a: { label: a.label, status: a.status, summary: summaryA, samplesMs: timesA.map((t) => round(t, 3)) },
    b: { label: b.label, status: b.status, summary: summaryB, samplesMs: timesB.map((t) => round(t, 3)) },
    medianRatio: round(summaryB.p50Ms / summaryA.p50Ms, 3),
    shiftMs: hodgesLehmann(timesA, timesB),
    mannWhitney: mw,
    kolmogorovSmirnov: ks,
    distinguishable: mw.p < ALPHA || ks.p < ALPHA,
    bFirst: order,
    firstOfPair:
      options.order === 'random' && [...firstOwn, ...firstAfter].every((group) => group.length > 1)
        ? { own: comparison(firstOwn[0], firstOwn[1]), carryOver: comparison(firstAfter[0], firstAfter[1]) }
        : null,
  };
  log(
    `  ${name}: A p50 ${fmt(summaryA.p50Ms, 2)} ms, B p50 ${fmt(summaryB.p50Ms, 2)} ms, Mann–Whitney p ${fmtP(mw.p)}, KS D ${ks.d} p ${fmtP(ks.p)}, first-of-pair: own p ${fmtP(pair.firstOfPair?.own.mannWhitney.p ?? Number.NaN)}, carry-over p ${fmtP(pair.firstOfPair?.carryOver.mannWhitney.p ?? Number.NaN)} (${round((performance.now() - started) / 1000, 1)} s)`,
  );
  return pair;
}

/** Runs `task(i)` for i < count on `clients.length` connections at once. */
async function inParallel<T>(
  clients: readonly TimedClient[],
  count: number,
  task: (client: TimedClient, i: number) => Promise<T>,
) {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < count) {
        const i = next++;
        results[i] = await task(client, i);
      }
    }),
  );
  return results;
}

async function runScenario(
  name: string,
  target: UsersTarget,
  options: AuthTimingOptions,
  kind: Pick<AuthTimingScenario, 'database' | 'queue'>,
): Promise<AuthTimingScenario> {
  const tag = randomBytes(3).toString('hex');
  const total = options.warmup + options.samples;
  const poolSize = Math.ceil(total / ATTEMPTS_PER_ADDRESS);
  const address = (prefix: string, i: number) => `${prefix}-${i}-${tag}@bench.example`;

  // Set-up (not measured): one taken address and `poolSize` verified accounts for the login
  // pair (each takes ATTEMPTS_PER_ADDRESS wrong passwords), registered through the API and
  // verified with the code from the development mailbox.
  const setupStarted = performance.now();
  const setupClients = Array.from({ length: 3 }, () => new TimedClient(target.url));
  const taken = address('taken', 0);
  try {
    await registerVerified(setupClients[0] as TimedClient, taken);
    await inParallel(setupClients, poolSize, (client, i) => registerVerified(client, address('known', i)));
  } finally {
    for (const client of setupClients) client.close();
  }
  const setupSeconds = round((performance.now() - setupStarted) / 1000, 1);
  log(`  set-up: ${poolSize + 1} verified accounts in ${setupSeconds} s`);

  const client = new TimedClient(target.url);
  const measureStarted = performance.now();
  const pairs: TimingPair[] = [];
  try {
    pairs.push(
      await timePair(
        client,
        'baseline: GET /health/live vs /health/ready',
        { label: 'GET /health/live', status: 200, request: () => ({ method: 'GET', path: '/health/live' }) },
        { label: 'GET /health/ready', status: 200, request: () => ({ method: 'GET', path: '/health/ready' }) },
        options,
        true,
      ),
    );
    const registration = (email: string) => ({
      method: 'POST',
      path: '/api/auth/register',
      body: { email, password: BENCH_PASSWORD, displayName: 'Bench User' },
    });
    const takenOtherCase = taken.toUpperCase();
    pairs.push(
      await timePair(
        client,
        'register: fresh vs taken address',
        { label: 'fresh address', status: 201, request: (i) => registration(address('fresh', i)) },
        { label: 'taken address, other case', status: 409, request: () => registration(takenOtherCase) },
        options,
      ),
    );
    const wrongLogin = (email: string) => ({
      method: 'POST',
      path: '/api/auth/login',
      body: { email, password: 'not-the-password-at-all' },
    });
    pairs.push(
      await timePair(
        client,
        'login: unknown address vs wrong password',
        {
          label: 'unknown address',
          status: 401,
          request: (i) => wrongLogin(address('unknown', Math.floor(i / ATTEMPTS_PER_ADDRESS))),
        },
        {
          label: 'known address, wrong password',
          status: 401,
          request: (i) => wrongLogin(address('known', Math.floor(i / ATTEMPTS_PER_ADDRESS))),
        },
        options,
      ),
    );
    const resetRequest = (email: string) => ({ method: 'POST', path: '/api/auth/password-reset/request', body: { email } });
    pairs.push(
      await timePair(
        client,
        'password reset: existing vs unknown address',
        { label: 'existing address', status: 202, request: (i) => resetRequest(address('known', i % poolSize)) },
        { label: 'unknown address', status: 202, request: (i) => resetRequest(address('ghost', i)) },
        options,
      ),
    );
  } finally {
    client.close();
  }
  return {
    name,
    ...kind,
    pairs,
    setupSeconds,
    measureSeconds: round((performance.now() - measureStarted) / 1000, 1),
  };
}

/** Account emails with no minimum interval: every reset request for an existing account makes the worker send one. */
const TARGET_CONFIG = { AUTH_ACCOUNT_EMAIL_INTERVAL_S: '0' } as const;

export async function runAuthTimingBench(options: AuthTimingOptions = authTimingOptionsFromEnv()): Promise<AuthTimingResult> {
  const scenarios: AuthTimingScenario[] = [];
  const skipped: string[] = [];
  log(
    `auth-timing: ${options.samples} measured requests per side after ${options.warmup} warm-up pairs, A and B in pairs (${ORDER_TEXT[options.order]}), one at a time on one keep-alive connection`,
  );

  log('auth-timing: PGlite in memory + in-memory queue');
  scenarios.push(
    await withUsersTarget({ config: TARGET_CONFIG }, (embedded) =>
      runScenario('PGlite + in-memory queue', embedded, options, { database: 'pglite', queue: 'memory' }),
    ),
  );

  if (options.databaseUrl) {
    const queue = options.redisUrl ? 'redis' : 'memory';
    log(
      `auth-timing: PostgreSQL at ${redactUrl(options.databaseUrl)}, ${queue === 'redis' ? 'BullMQ on Redis' : 'in-memory queue'}`,
    );
    scenarios.push(
      await withScratch(options.databaseUrl, options.redisUrl, 'aurabench_auth', (scratch) =>
        withUsersTarget({ ...scratch.backends, config: TARGET_CONFIG }, (target) =>
          runScenario(`PostgreSQL + ${queue === 'redis' ? 'BullMQ/Redis' : 'in-memory queue'}`, target, options, {
            database: 'postgres',
            queue,
          }),
        ),
      ),
    );
  } else {
    skipped.push('PostgreSQL: DATABASE_URL is not set');
  }
  return {
    settings: {
      samples: options.samples,
      warmup: options.warmup,
      order: options.order,
      alpha: ALPHA,
      lockoutAttemptsPerAddress: ATTEMPTS_PER_ADDRESS,
    },
    scenarios,
    skipped,
  };
}

const ms = (value: number) => fmt(value, 2);

const firstOfPairCells = (c: Comparison | undefined) =>
  c === undefined ? '– | – | –' : `${ms(c.p50Ms[0])} / ${ms(c.p50Ms[1])} | ${ms(c.shiftMs)} | ${fmtP(c.mannWhitney.p)}`;

export function authTimingMarkdown(result: AuthTimingResult): string {
  const { samples, warmup, alpha, order } = result.settings;
  const lines = [
    `Auth timing: ${samples} requests per side after ${warmup} warm-up pairs, A and B in pairs (${ORDER_TEXT[order]}), one at a time on one keep-alive connection; times in ms (request written → response read). ` +
      `"P(A slower)" is Mann–Whitney U / (nA·nB): 0.5 = no tendency. Distinguishable = Mann–Whitney or Kolmogorov–Smirnov p < ${alpha}. ` +
      "The second request of a pair always follows the other side, so work one side leaves behind for the next request (the worker's email job) inflates the other side in the all-sample figures. " +
      'The last columns use only the first request of each pair (random order), whose predecessor is an independent coin flip: "own" compares A and B there (predecessors balanced: the requests\' own difference), ' +
      '"carry-over" groups them by the side sent just before (does A or B slow the next request?); p50 A / B or after A / after B, Hodges–Lehmann shift, Mann–Whitney p.',
  ];
  for (const scenario of result.scenarios) {
    lines.push(
      '',
      `**${scenario.name}** (set-up ${scenario.setupSeconds} s, measured ${scenario.measureSeconds} s)`,
      '',
      '| pair | side | request → status | p50 | p90 | p99 | mean | stdev |',
      '|---|---|---|---:|---:|---:|---:|---:|',
    );
    for (const pair of scenario.pairs) {
      for (const [side, timed] of [
        ['A', pair.a],
        ['B', pair.b],
      ] as const) {
        const s = timed.summary;
        lines.push(
          `| ${side === 'A' ? pair.name : ''} | ${side} | ${timed.label} → ${timed.status} | ${ms(s.p50Ms)} | ${ms(s.p90Ms)} | ${ms(s.p99Ms)} | ${ms(s.meanMs)} | ${ms(s.stdevMs)} |`,
        );
      }
    }
    lines.push(
      '',
      '| pair | p50 B/A | shift B−A (HL) ms | Mann–Whitney z | p | P(A slower) | KS D | p | distinguishable | own: p50 A / B ms | shift | p | carry-over: p50 after A / after B ms | shift | p |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
      ...scenario.pairs.map(
        (pair) =>
          `| ${pair.name} | ${fmt(pair.medianRatio, 3)} | ${ms(pair.shiftMs)} | ${fmt(pair.mannWhitney.z, 2)} | ${fmtP(pair.mannWhitney.p)} | ${fmt(pair.mannWhitney.pAslower, 3)} | ${fmt(pair.kolmogorovSmirnov.d, 3)} | ${fmtP(pair.kolmogorovSmirnov.p)} | ${pair.distinguishable ? 'yes' : 'no'}${pair.baseline ? ' (baseline: should be yes)' : ''} | ${firstOfPairCells(pair.firstOfPair?.own)} | ${firstOfPairCells(pair.firstOfPair?.carryOver)} |`,
      ),
    );
  }
  lines.push(...result.skipped.map((s) => `\nSkipped: ${s}`));
  return lines.join('\n');
}

runStandalone(import.meta.url, runAuthTimingBench, authTimingMarkdown);
