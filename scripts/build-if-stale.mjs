#!/usr/bin/env node
/**
 * Compiles the packages to dist/ (`tsc -b tsconfig.build.json`) when any TypeScript source,
 * tsconfig or package.json is newer than the last build, or a build output is missing; does
 * nothing otherwise. `npm start`, the production start scripts, the operator commands and
 * `npm test` run it first, so they always run compiled JavaScript that matches the sources:
 * the check takes a few milliseconds where tsc's own up-to-date check takes about a second.
 * Where there are no sources (an image built from dist/ only), there is nothing to do.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const projects = ['packages/domain', 'packages/application', 'packages/adapters', 'apps/worker', 'apps/http'];

/** Newest modification time (ms) of the files under `dir` that `keep` accepts. */
function newest(dir, keep) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, keep));
    else if (keep(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.test.ts');
const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

function stale(project) {
  const dir = join(root, project);
  const src = join(dir, 'src');
  if (!existsSync(src)) return false;
  const built = mtime(join(dir, 'dist', '.tsbuildinfo'));
  if (built === 0) return true;
  const inputs = Math.max(
    newest(src, isSource),
    mtime(join(dir, 'tsconfig.build.json')),
    mtime(join(dir, 'package.json')),
    mtime(join(root, 'tsconfig.base.json')),
  );
  return inputs > built;
}

const outdated = projects.filter(stale);
if (outdated.length > 0) {
  process.stderr.write(`compiling ${outdated.join(', ')} to dist/ …\n`);
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(tsc.status ?? 1);
}
