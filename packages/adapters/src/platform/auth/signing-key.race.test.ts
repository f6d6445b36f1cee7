/**
 * The start-up race on a fresh data directory, made deterministic: the first process to
 * write the key file is held after the file exists but before its content is written (as the
 * operating system may do at any time), and a second process starts meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

interface Gate {
  /** Resolves when a write reaches the gate. */
  readonly reached: Promise<void>;
  release(): void;
}

const control = vi.hoisted(() => ({
  gate: undefined as undefined | { arrive(): void; wait: Promise<void> },
  /** When set, the next exclusive write fails with it. */
  failure: undefined as undefined | NodeJS.ErrnoException,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof actual.writeFile = async (file, data, options) => {
    const gate = control.gate;
    const flag = typeof options === 'object' && options !== null ? options.flag : undefined;
    const failure = control.failure;
    if (failure !== undefined && flag === 'wx') {
      control.failure = undefined;
      throw failure;
    }
    if (gate === undefined || flag !== 'wx' || typeof file !== 'string') return actual.writeFile(file, data, options);
    control.gate = undefined; // only the first exclusive write is held
    // What `writeFile(…, { flag: 'wx' })` does: create the file exclusively, then write into it.
    const handle = await actual.open(file, 'wx', typeof options === 'object' ? (options?.mode ?? 0o666) : 0o666);
    try {
      gate.arrive();
      await gate.wait;
      await handle.writeFile(data as string);
    } finally {
      await handle.close();
    }
  };
  return { ...actual, default: { ...actual, writeFile }, writeFile };
});

const { loadSigningKey } = await import('./signing-key.js');

function armGate(): Gate {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const wait = new Promise<void>((resolve) => {
    release = resolve;
  });
  control.gate = { arrive, wait };
  return { reached, release };
}

const dirs: string[] = [];
afterEach(() => {
  control.gate = undefined;
  control.failure = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadSigningKey, when two processes start at once on a fresh data directory', () => {
  it('gives the second the same key as the first, even while the first is still writing it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aura-signing-race-'));
    dirs.push(dataDir);
    const gate = armGate();
    const first = loadSigningKey({ AURA_DATA_DIR: dataDir });
    // The first has created the key file (or, written differently, finished without the gate).
    await Promise.race([gate.reached, first.catch(() => undefined)]);
    try {
      const second = await loadSigningKey({ AURA_DATA_DIR: dataDir });
      gate.release();
      expect(second.kid).toBe((await first).kid);
    } finally {
      gate.release();
      await first.catch(() => undefined);
    }
    const stored = JSON.parse(await fs.readFile(join(dataDir, 'keys', 'access-token-signing-key.json'), 'utf8')) as {
      kid: string;
    };
    expect(stored.kid).toBe((await first).kid);
  });

  it('gives both the same key when both found no key file, and the second to write finds the first still writing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aura-signing-race-'));
    dirs.push(dataDir);
    const gate = armGate();
    const both = Promise.allSettled([loadSigningKey({ AURA_DATA_DIR: dataDir }), loadSigningKey({ AURA_DATA_DIR: dataDir })]);
    // Whichever writes first is held with its file created but empty; the other meets it (EEXIST) and reads it.
    await Promise.race([gate.reached, both]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    gate.release();
    const [one, two] = await both;
    expect(one.status === 'fulfilled' ? undefined : one.reason).toBeUndefined();
    expect(two.status === 'fulfilled' ? undefined : two.reason).toBeUndefined();
    if (one.status === 'fulfilled' && two.status === 'fulfilled') expect(two.value.kid).toBe(one.value.kid);
  });

  it('reports a key file it cannot write (a full disk, say) instead of starting without a kept key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aura-signing-race-'));
    dirs.push(dataDir);
    control.failure = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    await expect(loadSigningKey({ AURA_DATA_DIR: dataDir })).rejects.toMatchObject({ code: 'ENOSPC' });
  });
});
