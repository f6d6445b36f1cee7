#!/usr/bin/env node
/**
 * Proves that every rule in .dependency-cruiser.cjs actually fires.
 *
 * 1. Cruises the clean tree (packages, apps): >0 modules, 0 violations.
 * 2. Plants one violating file per rule (plus some ALLOWED imports) in the real tree, cruises just
 *    those files with the same configuration, and asserts that each planted violation is reported
 *    under THAT rule's name and that the allowed imports are reported under no rule at all.
 * 3. Always deletes the planted files (also leftovers of a crashed run, at start).
 *
 * Planted names: `__boundary_probe_*` files and `__probe_*` module folders directly under a `src/`.
 * The configuration excludes those names so a concurrent `depcruise … packages apps` never sees them;
 * this script drops that one exclusion when it cruises the probes.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

// `--config <file>` lets you check a variant of the rule set (e.g. to see this script catch a broken rule).
const configArg = process.argv.indexOf('--config');
const CONFIG = configArg > 0 ? process.argv[configArg + 1] : '.dependency-cruiser.cjs';
const LAYERS = ['packages/domain', 'packages/application', 'packages/adapters', 'apps/http', 'apps/worker'];
const PROBE_FILE = /^__boundary_probe_/;
const PROBE_DIR = /^__probe_/;
const LOCK = join(ROOT, 'node_modules', '.cache', 'aura-check-boundary-rules.lock');

// ── the probes ─────────────────────────────────────────────────────────────────────────────────
// `fires`: rules that MUST be reported from this file. `[]` = an allowed import: NO rule may fire from it.
// `targetOnly`: planted only to be imported; not asserted on.
// `resolves`: import specifier → expected resolved path (proves workspace imports reach source files).
const P = (layer, name) => `${layer}/src/${name}`;
const probes = [
  // domain-pure
  {
    file: P('packages/domain', '__boundary_probe_domain-pure-core.ts'),
    src: "import { randomUUID } from 'node:crypto';\nexport const probe = randomUUID;\n",
    fires: ['domain-pure'],
  },
  {
    file: P('packages/domain', '__boundary_probe_domain-pure-npm.ts'),
    src: "import fc from 'fast-check';\nexport const probe = fc;\n",
    fires: ['domain-pure'],
  },
  {
    file: P('packages/domain', 'testing/__boundary_probe_domain-pure-core.ts'),
    src: "import { readFileSync } from 'node:fs';\nexport const probe = readFileSync;\n",
    fires: ['domain-pure'],
  },
  {
    file: P('packages/domain', '__boundary_probe_ok-neverthrow.ts'),
    src: "import { ok } from 'neverthrow';\nexport const probe = ok;\n",
    fires: [],
  },
  {
    file: P('packages/domain', '__boundary_probe_ok-temporal.ts'),
    src: "import { Temporal } from 'temporal-polyfill';\nexport const probe = Temporal;\n",
    fires: [],
  },
  {
    file: P('packages/domain', 'testing/__boundary_probe_ok-fast-check.ts'),
    src: "import fc from 'fast-check';\nimport { ok } from 'neverthrow';\nexport const probe = [fc, ok];\n",
    fires: [],
  },

  // application-allowed-deps
  {
    file: P('packages/application', '__boundary_probe_application-allowed-deps-core.ts'),
    src: "import { readFileSync } from 'node:fs';\nexport const probe = readFileSync;\n",
    fires: ['application-allowed-deps'],
  },
  {
    file: P('packages/application', '__boundary_probe_application-allowed-deps-npm.ts'),
    src: "import { sql } from 'kysely';\nexport const probe = sql;\n",
    fires: ['application-allowed-deps', 'no-non-package-json'],
  },
  {
    file: P('packages/application', '__boundary_probe_ok-deps.ts'),
    src: "import { injectable } from 'inversify';\nimport { ok } from 'neverthrow';\nimport { z } from 'zod';\nimport type { DomainError } from '@aura/domain';\nexport type Probe = DomainError;\nexport const probe = [injectable, ok, z];\n",
    fires: [],
    resolves: { '@aura/domain': 'packages/domain/src/index.ts' },
  },

  // layers-inward (targets are planted so the probes do not depend on what exists in the tree yet)
  {
    file: P('packages/domain', '__boundary_probe_layers-inward.ts'),
    src: "import { probe as t } from '@aura/application/__probe_inward';\nexport const probe = t;\n",
    fires: ['layers-inward', 'domain-pure'],
    resolves: { '@aura/application/__probe_inward': 'packages/application/src/__probe_inward/index.ts' },
  },
  {
    file: P('packages/application', '__boundary_probe_layers-inward.ts'),
    src: "import { probe as t } from '@aura/adapters/__probe_inward';\nexport const probe = t;\n",
    fires: ['layers-inward', 'application-allowed-deps'],
  },
  {
    file: P('packages/adapters', '__boundary_probe_layers-inward.ts'),
    src: "import { probe as t } from '../../../apps/worker/src/__boundary_probe_target.js';\nexport const probe = t;\n",
    fires: ['layers-inward'],
  },
  { file: P('packages/application', '__probe_inward/index.ts'), src: 'export const probe = 1;\n', targetOnly: true },
  { file: P('packages/adapters', '__probe_inward/index.ts'), src: 'export const probe = 1;\n', targetOnly: true },
  { file: P('apps/worker', '__boundary_probe_target.ts'), src: 'export const probe = 1;\n', targetOnly: true },

  // module-isolation: __probe_a and __probe_b are two (non-platform) module folders
  {
    file: P('packages/adapters', '__probe_a/same-layer.ts'),
    src: "import { probe as t } from '../__probe_b/y.js';\nexport const probe = t;\n",
    fires: ['module-isolation'],
  },
  {
    file: P('apps/http', '__probe_a/cross-layer.ts'),
    src: "import { probe as t } from '@aura/domain/__probe_b';\nexport const probe = t;\n",
    fires: ['module-isolation'],
    resolves: { '@aura/domain/__probe_b': 'packages/domain/src/__probe_b/index.ts' },
  },
  {
    file: P('packages/adapters', '__probe_a/other-module-internals.ts'),
    src: "import { probe as t } from '@aura/application/__probe_b';\nexport const probe = t;\n",
    fires: ['module-isolation'],
  },
  {
    file: P('packages/adapters', '__probe_a/ok-contract.ts'),
    src: "import type { ProbeContract } from '@aura/application/__probe_b/contract';\nexport type Probe = ProbeContract;\n",
    fires: [],
    resolves: { '@aura/application/__probe_b/contract': 'packages/application/src/__probe_b/contract.ts' },
  },
  {
    file: P('packages/adapters', '__probe_a/ok-platform.ts'),
    src: "import type { Clock } from '@aura/application/platform';\nimport type { DomainError } from '@aura/domain/platform';\nexport type Probe = [Clock, DomainError];\n",
    fires: [],
    resolves: {
      '@aura/application/platform': 'packages/application/src/platform/index.ts',
      '@aura/domain/platform': 'packages/domain/src/platform/index.ts',
    },
  },
  {
    file: P('packages/adapters', '__probe_a/ok-same-module.ts'),
    src: "import { probe as t } from '@aura/application/__probe_a';\nexport const probe = t;\n",
    fires: [],
  },
  // @aura/domain/testing is not for production code of a module (it is a folder of its own) …
  {
    file: P('packages/domain', '__probe_a/uses-testing.ts'),
    src: "import * as t from '@aura/domain/testing';\nexport const probe = t;\n",
    fires: ['module-isolation'],
    resolves: { '@aura/domain/testing': 'packages/domain/src/testing/index.ts' },
  },
  // … but the arbitraries in packages/domain/src/testing may import every domain module
  {
    file: P('packages/domain', 'testing/__boundary_probe_ok-any-module.ts'),
    src: "import { probe as t } from '../__probe_b/index.js';\nexport const probe = t;\n",
    fires: [],
  },
  { file: P('packages/adapters', '__probe_b/y.ts'), src: 'export const probe = 1;\n', targetOnly: true },
  { file: P('packages/domain', '__probe_b/index.ts'), src: 'export const probe = 1;\n', targetOnly: true },
  { file: P('packages/application', '__probe_b/index.ts'), src: 'export const probe = 1;\n', targetOnly: true },
  {
    file: P('packages/application', '__probe_b/contract.ts'),
    src: 'export interface ProbeContract {\n  readonly probe: number;\n}\n',
    targetOnly: true,
  },
  { file: P('packages/application', '__probe_a/index.ts'), src: 'export const probe = 1;\n', targetOnly: true },

  // no-barrel-from-module
  {
    file: P('packages/adapters', '__probe_a/barrel.ts'),
    src: "import type { DomainError } from '@aura/domain';\nexport type Probe = DomainError;\n",
    fires: ['no-barrel-from-module'],
  },
  {
    file: P('packages/adapters', 'platform/__boundary_probe_ok-barrel.ts'),
    src: "import type { DomainError } from '@aura/domain';\nexport type Probe = DomainError;\n",
    fires: [],
  },

  // no-circular
  {
    file: P('packages/domain', '__boundary_probe_no-circular-a.ts'),
    src: "import { b } from './__boundary_probe_no-circular-b.js';\nexport const a = (): number => b() + 1;\n",
    fires: ['no-circular'],
  },
  {
    file: P('packages/domain', '__boundary_probe_no-circular-b.ts'),
    src: "import { a } from './__boundary_probe_no-circular-a.js';\nexport const b = (): number => a() - 1;\n",
    targetOnly: true,
  },

  // not-to-unresolvable
  {
    file: P('packages/adapters', '__boundary_probe_not-to-unresolvable.ts'),
    src: "import { probe as t } from './__boundary_probe_does-not-exist.js';\nexport const probe = t;\n",
    fires: ['not-to-unresolvable'],
  },

  // no-non-package-json: express is installed (hoisted) but declared only by apps/http
  {
    file: P('packages/adapters', '__boundary_probe_no-non-package-json.ts'),
    src: "import express from 'express';\nexport const probe = express;\n",
    fires: ['no-non-package-json'],
  },
  {
    file: P('apps/http', '__boundary_probe_ok-express.ts'),
    src: "import express from 'express';\nexport const probe = express;\n",
    fires: [],
  },
  // tests are exempt from the layering rules
  {
    file: P('packages/domain', '__boundary_probe_ok-exempt.test.ts'),
    src: "import { readFileSync } from 'node:fs';\nimport { sql } from 'kysely';\nimport { it } from 'vitest';\nexport const probe = [readFileSync, sql, it];\n",
    fires: [],
  },
];

const RULES = [
  'domain-pure',
  'application-allowed-deps',
  'layers-inward',
  'module-isolation',
  'no-barrel-from-module',
  'no-circular',
  'not-to-unresolvable',
  'no-non-package-json',
];

// ── planting / cleaning ────────────────────────────────────────────────────────────────────────
function removeLeftovers() {
  const removed = [];
  const walk = (dir, isSrcRoot) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name === 'node_modules') continue;
        if (isSrcRoot && PROBE_DIR.test(e.name)) {
          rmSync(p, { recursive: true, force: true });
          removed.push(p);
        } else walk(p, false);
      } else if (PROBE_FILE.test(e.name)) {
        rmSync(p, { force: true });
        removed.push(p);
      }
    }
  };
  for (const layer of LAYERS) walk(join(ROOT, layer, 'src'), true);
  return removed.map((p) => relative(ROOT, p));
}

function plant() {
  for (const p of probes) {
    const abs = join(ROOT, p.file);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, p.src);
  }
}

// One run at a time: a second run's start-up clean-up would delete this run's probes.
function acquireLock() {
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(LOCK, 'utf8')) || 0;
      let alive = false;
      try {
        if (holder) process.kill(holder, 0);
        alive = holder > 0;
      } catch {}
      if (!alive) {
        rmSync(LOCK, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another check-boundary-rules run (pid ${holder}) holds ${LOCK}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}
function releaseLock() {
  try {
    if (Number(readFileSync(LOCK, 'utf8')) === process.pid) unlinkSync(LOCK);
  } catch {}
}

// ── cruising ───────────────────────────────────────────────────────────────────────────────────
const baseOptions = await extractDepcruiseOptions(isAbsolute(CONFIG) ? CONFIG : `./${CONFIG}`);
const tsConfig = extractTSConfig(
  baseOptions.ruleSet?.options?.tsConfig?.fileName ?? baseOptions.tsConfig?.fileName ?? 'tsconfig.json',
);

async function run(paths, { includeProbes }) {
  const options = structuredClone(baseOptions);
  options.outputType = 'json';
  if (includeProbes) {
    const keep = (re) => !/__boundary_probe|__probe_/.test(re);
    const ex = options.exclude;
    if (typeof ex === 'string') options.exclude = keep(ex) ? ex : undefined;
    else if (Array.isArray(ex)) options.exclude = ex.filter(keep);
    else if (ex?.path) options.exclude = { ...ex, path: [].concat(ex.path).filter(keep) };
  }
  const { output } = await cruise(paths, options, {}, { tsConfig });
  return typeof output === 'string' ? JSON.parse(output) : output;
}

const failures = [];
const fail = (msg) => {
  failures.push(msg);
  console.log(`✗ ${msg}`);
};
const fmt = (v) => `${v.rule.name}: ${v.from} → ${v.to}`;

const started = Date.now();
acquireLock();
let cleaned = false;
/** Removes the planted files (while still holding the lock) and returns any that survived. */
const cleanup = () => {
  if (cleaned) return [];
  cleaned = true;
  removeLeftovers();
  const survivors = removeLeftovers();
  releaseLock();
  return survivors;
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

try {
  const leftovers = removeLeftovers();
  if (leftovers.length > 0) console.log(`removed ${leftovers.length} leftover probe file(s) of an earlier run`);

  // 1. the clean tree
  const clean = await run(['packages', 'apps'], { includeProbes: false });
  const cleanViolations = clean.summary.violations;
  if (clean.summary.totalCruised <= 0) fail('clean tree: dependency-cruiser cruised 0 modules (it checks nothing)');
  if (cleanViolations.length > 0) {
    fail(`clean tree: ${cleanViolations.length} violation(s)`);
    for (const v of cleanViolations) console.log(`    ${fmt(v)}`);
  }
  if (cleanViolations.length === 0 && clean.summary.totalCruised > 0) {
    console.log(
      `clean tree: ${clean.summary.totalCruised} modules, ${clean.summary.totalDependenciesCruised} dependencies cruised, 0 violations ✓`,
    );
  }

  // 2. the planted probes
  plant();
  const probed = await run(
    probes.filter((p) => !p.targetOnly).map((p) => p.file),
    { includeProbes: true },
  );
  const violations = probed.summary.violations;
  const modules = new Map(probed.modules.map((m) => [m.source, m]));
  const firedBy = new Map(); // rule -> Set(probe file) where it fired as expected

  for (const p of probes.filter((q) => !q.targetOnly)) {
    const mine = violations.filter((v) => v.from === p.file);
    if (!modules.has(p.file)) fail(`${p.file}: probe was not cruised`);
    for (const [spec, expected] of Object.entries(p.resolves ?? {})) {
      const dep = modules.get(p.file)?.dependencies.find((d) => d.module === spec);
      if (dep?.resolved !== expected)
        fail(`${p.file}: '${spec}' resolved to ${dep?.resolved ?? '(nothing)'}, expected ${expected}`);
    }
    if (p.fires.length === 0) {
      if (mine.length > 0) fail(`${p.file}: allowed import reported: ${mine.map(fmt).join('; ')}`);
      continue;
    }
    for (const rule of p.fires) {
      if (mine.some((v) => v.rule.name === rule)) {
        if (!firedBy.has(rule)) firedBy.set(rule, new Set());
        firedBy.get(rule).add(p.file);
      } else {
        fail(`${p.file}: expected a '${rule}' violation, got ${mine.length === 0 ? 'none' : mine.map(fmt).join('; ')}`);
      }
    }
  }

  for (const rule of RULES) {
    const files = firedBy.get(rule);
    const expected = probes.filter((p) => p.fires?.includes(rule)).length;
    if (files && files.size === expected)
      console.log(`rule ${rule}: fires on planted violation ✓ (${expected} probe${expected > 1 ? 's' : ''})`);
    else console.log(`rule ${rule}: ✗ fired on ${files?.size ?? 0} of ${expected} planted violations`);
  }
  const resolveChecks = probes.flatMap((p) => Object.entries(p.resolves ?? {}));
  const resolvedOk = resolveChecks.filter(([spec, expected]) =>
    probed.modules.some((m) => m.dependencies.some((d) => d.module === spec && d.resolved === expected)),
  );
  console.log(
    `workspace imports resolve to source (${resolvedOk.length}/${resolveChecks.length}): ` +
      `${resolveChecks.map(([spec, expected]) => `${spec} → ${expected}`).join(', ')} ${resolvedOk.length === resolveChecks.length ? '✓' : '✗'}`,
  );
  const allowed = probes.filter((p) => p.fires?.length === 0);
  const allowedOk = allowed.filter((p) => !violations.some((v) => v.from === p.file)).length;
  console.log(
    `allowed imports (contract, platform, same module, neverthrow, temporal-polyfill, fast-check in testing, declared npm dep, tests): ${allowedOk}/${allowed.length} not reported ${allowedOk === allowed.length ? '✓' : '✗'}`,
  );
} catch (e) {
  fail(`check crashed: ${e?.stack ?? e}`);
} finally {
  const left = cleanup();
  if (left.length > 0) fail(`could not remove planted files: ${left.join(', ')}`);
}

console.log(
  `${failures.length === 0 ? 'boundary rules OK' : `boundary rules FAILED (${failures.length} problem(s))`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(failures.length === 0 ? 0 : 1);
