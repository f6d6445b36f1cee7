/**
 * Helpers for the users benchmarks: the server process (bench/users-target.ts), a timed
 * keep-alive HTTP client, account set-up through the real API (register, read the development
 * mailbox, verify, log in), and the statistics that compare two latency samples.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile, round, sleep, withTimeout } from './support.js';
import { forkTarget, withTarget } from './target-process.js';
import type { UsersTargetReady, UsersTargetSpec } from './users-target.js';

export interface UsersTarget {
  readonly url: string;
  readonly bareUrl: string | null;
  stop(): Promise<void>;
}

/** Forks bench/users-target.ts with `spec` and waits (bounded) until it listens. */
export async function startUsersTarget(spec: UsersTargetSpec): Promise<UsersTarget> {
  const { ready, stop } = await forkTarget<UsersTargetReady>(new URL('./users-target.ts', import.meta.url), spec, 'users target');
  return { url: ready.url, bareUrl: ready.bareUrl, stop };
}

/** Starts bench/users-target.ts with `spec`, runs `run` against it, and stops it. */
export function withUsersTarget<T>(spec: UsersTargetSpec, run: (target: UsersTarget) => Promise<T>): Promise<T> {
  return withTarget(startUsersTarget(spec), run);
}

export interface TimedResponse {
  readonly status: number;
  readonly body: string;
  /** Request written → last byte of the response read, in ms. */
  readonly ms: number;
}

/**
 * One keep-alive connection (requests strictly one after another), so a timing is the
 * server's service time plus one loopback round trip, never time spent queueing.
 */
export class TimedClient {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });
  readonly #base: URL;

  constructor(baseUrl: string) {
    this.#base = new URL(baseUrl);
  }

  send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TimedResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return withTimeout(
      new Promise<TimedResponse>((resolve, reject) => {
        const req = request(
          {
            host: this.#base.hostname,
            port: this.#base.port,
            method,
            path,
            agent: this.#agent,
            headers: {
              accept: 'application/json',
              ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
                ms: performance.now() - started,
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        const started = performance.now();
        req.end(payload);
      }),
      30_000,
      `${method} ${path}`,
    );
  }

  /** Sends and insists on one status; answers the parsed JSON body. */
  async expect<T = Record<string, unknown>>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    if (response.status !== status) {
      throw new Error(`${method} ${path} answered ${response.status}, expected ${status}: ${response.body.slice(0, 300)}`);
    }
    return (response.body === '' ? {} : JSON.parse(response.body)) as T;
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** Strong enough for zxcvbn's default minimum score (3). */
export const BENCH_PASSWORD = 'violet-anchor-7-harbour-quilt';

/** Registers an account (201), reads its verification code from the development mailbox and verifies it. */
export async function registerVerified(client: TimedClient, email: string): Promise<{ id: string }> {
  const user = await client.expect<{ id: string }>(201, 'POST', '/api/auth/register', {
    email,
    password: BENCH_PASSWORD,
    displayName: 'Bench User',
  });
  let token: string | undefined;
  // The worker sends the email after the outbox relay picks up user.registered.
  for (let attempt = 0; attempt < 300 && token === undefined; attempt++) {
    const mails = await client.expect<{ items: { text: string }[] }>(
      200,
      'GET',
      `/dev/mailbox?to=${encodeURIComponent(email)}&limit=5`,
    );
    token = mails.items.map((mail) => /Your code: (\S+)/.exec(mail.text)?.[1]).find((code) => code !== undefined);
    if (token === undefined) await sleep(20);
  }
  if (token === undefined) throw new Error(`no verification email for ${email} within 6 s`);
  // The dev mailbox writes the email once the code's transaction has committed; the retry only
  // guards against an older app that wrote it before (a fast client saw users.invalid_token).
  for (let attempt = 0; ; attempt++) {
    const response = await client.send('POST', '/api/auth/verify-email', { token });
    if (response.status === 200) return user;
    if (response.status !== 400 || !response.body.includes('users.invalid_token') || attempt >= 100) {
      throw new Error(`POST /api/auth/verify-email answered ${response.status}: ${response.body.slice(0, 300)}`);
    }
    await sleep(20);
  }
}

/** Logs in with BENCH_PASSWORD; answers the access token. */
export async function accessTokenFor(client: TimedClient, email: string): Promise<string> {
  const pair = await client.expect<{ accessToken: string }>(200, 'POST', '/api/auth/login', { email, password: BENCH_PASSWORD });
  return pair.accessToken;
}

// ---------------------------------------------------------------------------------------
// Statistics

export interface SampleSummary {
  readonly n: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** Sample standard deviation (n − 1). */
  readonly stdevMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export function summarize(samples: readonly number[]): SampleSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((sum, x) => sum + x, 0) / n;
  const variance = n > 1 ? sorted.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1) : Number.NaN;
  return {
    n,
    p50Ms: round(percentile(sorted, 50), 3),
    p90Ms: round(percentile(sorted, 90), 3),
    p99Ms: round(percentile(sorted, 99), 3),
    meanMs: round(mean, 3),
    stdevMs: round(Math.sqrt(variance), 3),
    minMs: round(sorted[0] ?? Number.NaN, 3),
    maxMs: round(sorted[n - 1] ?? Number.NaN, 3),
  };
}

/** Complementary error function (Numerical Recipes `erfcc`, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export interface MannWhitney {
  /** U of sample A: how many (a, b) pairs have a > b, ties counting ½. */
  readonly uA: number;
  /** uA / (nA·nB): the probability that a random A is slower than a random B (0.5 = indistinguishable). */
  readonly pAslower: number;
  /** Normal approximation with tie and continuity correction. */
  readonly z: number;
  /** Two-sided p-value. */
  readonly p: number;
}

/** Mann–Whitney U test (Wilcoxon rank-sum), two-sided, normal approximation (fine for n ≥ 20). */
export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitney {
  const nA = a.length;
  const nB = b.length;
  const n = nA + nB;
  const all = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))].sort(
    (x, y) => x.value - y.value,
  );
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]?.value === all[i]?.value) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tie group, 1-based
    const size = j - i + 1;
    if (size > 1) tieTerm += size ** 3 - size;
    for (let k = i; k <= j; k++) if (all[k]?.fromA) rankSumA += rank;
    i = j + 1;
  }
  const uA = rankSumA - (nA * (nA + 1)) / 2;
  const mean = (nA * nB) / 2;
  const sigma = Math.sqrt(((nA * nB) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const delta = uA - mean;
  const z = sigma === 0 ? 0 : (delta - Math.sign(delta) * 0.5) / sigma;
  return { uA, pAslower: round(uA / (nA * nB), 3), z: round(z, 2), p: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

export interface KolmogorovSmirnov {
  /** Largest distance between the two empirical distribution functions (0–1). */
  readonly d: number;
  /** Asymptotic two-sided p-value. */
  readonly p: number;
}

/** Two-sample Kolmogorov–Smirnov test with the asymptotic (Stephens-corrected) p-value. */
export function kolmogorovSmirnov(a: readonly number[], b: readonly number[]): KolmogorovSmirnov {
  const sa = [...a].sort((x, y) => x - y);
  const sb = [...b].sort((x, y) => x - y);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < sa.length && j < sb.length) {
    const x = Math.min(sa[i] as number, sb[j] as number);
    while (i < sa.length && (sa[i] as number) <= x) i++;
    while (j < sb.length && (sb[j] as number) <= x) j++;
    d = Math.max(d, Math.abs(i / sa.length - j / sb.length));
  }
  const ne = (sa.length * sb.length) / (sa.length + sb.length);
  const lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
    p += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return { d: round(d, 3), p: Math.min(1, Math.max(0, lambda < 0.3 ? 1 : p)) };
}

/** Hodges–Lehmann estimate of the shift B − A: the median of all pairwise differences, in ms. */
export function hodgesLehmann(a: readonly number[], b: readonly number[]): number {
  const differences: number[] = [];
  for (const x of a) for (const y of b) differences.push(y - x);
  differences.sort((x, y) => x - y);
  const mid = differences.length / 2;
  const median = Number.isInteger(mid)
    ? ((differences[mid - 1] as number) + (differences[mid] as number)) / 2
    : (differences[Math.floor(mid)] as number);
  return round(median, 3);
}

/** A p-value for a table: 3 significant digits, or "< 1e-12". */
export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p < 1e-12) return '< 1e-12';
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}
