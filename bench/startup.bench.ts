/**
 * Start-up: time from spawning a process to its first `200` from `/health/ready`, and its
 * resident memory then, on an existing embedded data directory (created by a first, unmeasured
 * start), for
 *
 * - `compiled`: `node apps/http/dist/main.js` (what `npm start` and production run);
 * - `npm start`: the same through npm, with its staleness check of dist/;
 * - `tsx`: the TypeScript sources through tsx (what the scripts ran before);
 * - `baseline`: a bare Node process that opens the same PGlite data directory and answers
 *   `/health/ready` with `SELECT 1` (the floor: Node, PGlite's start, one query).
 *
 * The variants alternate, `BENCH_STARTS` times each, so they see the same machine conditions.
 *
 *   node --conditions=aura-source --import tsx bench/startup.bench.ts
 *   env: BENCH_STARTS (7)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envInt, fmt, log, percentile, repoRoot, round, runStandalone, withTimeout } from './support.js';

export interface StartupOptions {
  readonly starts: number;
}

export const startupOptionsFromEnv = (): StartupOptions => ({ starts: envInt('BENCH_STARTS', 7, 1, 100) });

interface Variant {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
}

export interface StartupStats {
  readonly name: string;
  readonly readyMs: { readonly min: number; readonly median: number; readonly max: number };
  readonly rssMb: { readonly median: number };
}

export interface StartupBenchResult {
  readonly starts: number;
  readonly variants: readonly StartupStats[];
}

/** The floor: Node, PGlite opening the data directory (same settings as Aura), an HTTP server, one query per probe. */
const BASELINE = `
import { createServer } from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
const db = await PGlite.create(process.env.AURA_DATA_DIR + '/pgdata', {
  extensions: { btree_gist },
  startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'max_connections=10'],
});
createServer(async (req, res) => {
  if (req.url === '/metrics') { res.end('aura_process_resident_memory_bytes ' + process.memoryUsage().rss); return; }
  await db.query('select 1');
  res.setHeader('content-type', 'application/json');
  res.end('{"status":"up"}');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const variants: readonly Variant[] = [
  { name: 'compiled (`node apps/http/dist/main.js`)', command: process.execPath, args: ['apps/http/dist/main.js'] },
  { name: '`npm start` (staleness check + compiled)', command: 'npm', args: ['start', '--silent'] },
  {
    name: 'tsx (TypeScript sources)',
    command: process.execPath,
    args: ['--conditions=aura-source', '--import', 'tsx', 'apps/http/src/main.ts'],
  },
  {
    name: 'baseline: bare Node + PGlite + `SELECT 1`',
    command: process.execPath,
    args: ['--input-type=module', '-e', BASELINE],
  },
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** One start: spawn, poll readiness every 5 ms, read the RSS it reports, stop it. */
async function startOnce(variant: Variant, dataDir: string): Promise<{ readyMs: number; rssMb: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(variant.command, variant.args, {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), AURA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const readyMs = await withTimeout(
      (async () => {
        for (;;) {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
            await res.arrayBuffer();
            if (res.status === 200) return performance.now() - started;
          } catch {
            // not listening yet
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })(),
      120_000,
      `${variant.name} to be ready`,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const rss = Number(/aura_process_resident_memory_bytes (\d+)/.exec(metrics)?.[1] ?? Number.NaN);
    return { readyMs, rssMb: rss / 1e6 };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export async function runStartupBench(options: StartupOptions): Promise<StartupBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aura-bench-startup-'));
  try {
    log('startup: creating and migrating the embedded data directory (not measured)');
    await startOnce(variants[0] as Variant, dir);
    const samples = new Map<string, Array<{ readyMs: number; rssMb: number }>>(variants.map((v) => [v.name, []]));
    for (let round = 0; round < options.starts; round++) {
      for (const variant of variants) {
        const sample = await startOnce(variant, dir);
        samples.get(variant.name)?.push(sample);
        log(
          `startup ${round + 1}/${options.starts} ${variant.name}: ${sample.readyMs.toFixed(0)} ms, ${sample.rssMb.toFixed(0)} MB`,
        );
      }
    }
    return {
      starts: options.starts,
      variants: variants.map((variant) => {
        const list = samples.get(variant.name) ?? [];
        const ready = list.map((s) => s.readyMs).sort((a, b) => a - b);
        const rss = list.map((s) => s.rssMb).sort((a, b) => a - b);
        return {
          name: variant.name,
          readyMs: {
            min: round(ready[0] ?? Number.NaN, 0),
            median: round(percentile(ready, 50), 0),
            max: round(ready.at(-1) ?? Number.NaN, 0),
          },
          rssMb: { median: round(percentile(rss, 50), 0) },
        };
      }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function startupMarkdown(result: StartupBenchResult): string {
  const baseline = result.variants.at(-1)?.readyMs.median ?? Number.NaN;
  const rows = result.variants.map(
    (v) =>
      `| ${v.name} | ${fmt(v.readyMs.min, 0)} | ${fmt(v.readyMs.median, 0)} | ${fmt(v.readyMs.max, 0)} | ${fmt(v.readyMs.median / baseline, 2)} | ${fmt(v.rssMb.median, 0)} |`,
  );
  return [
    `### Start-up to ready on an existing embedded data directory (${result.starts} starts each, alternating)`,
    '',
    '| start | min ms | median ms | max ms | median / baseline | RSS at ready, MB |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

runStandalone(import.meta.url, () => runStartupBench(startupOptionsFromEnv()), startupMarkdown);
