/**
 * One HTTP server under test, run in a child process by http-health.bench.ts so that the load
 * generator (autocannon) and the server do not share an event loop. Started with one JSON
 * argument (a TargetSpec); reports `{ type: 'ready', url }` over IPC; stops on the message
 * `'stop'` or when the parent goes away.
 */
import { createServer } from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import express from 'express';
import { exportJWK, generateKeyPair } from 'jose';
import pg from 'pg';
import { createHttpApp } from '../apps/http/src/app.js';
import { httpModules } from '../apps/http/src/http-modules.js';
import { startHttpServer } from '../apps/http/src/server.js';
import { auraModules } from '../packages/adapters/src/modules.js';
import { configFrom } from '../packages/adapters/src/platform/config/config.js';
import { createAura } from '../packages/adapters/src/platform/create-aura.js';
import type { Backends } from './support.js';
import { closeServer, listen, type RunningTarget, serveTarget, targetConfig } from './target-process.js';

export type TargetSpec =
  /** The full Aura HTTP app (every installed module, every middleware); PGlite in memory unless databaseUrl. */
  | ({ readonly kind: 'aura' } & Backends)
  /** Bare Express 5: /health/live returns {status:'up'}; /health/ready runs `select 1` on an in-memory PGlite. */
  | { readonly kind: 'bare-pglite' }
  /** Bare Express 5: /health/live; /health/ready runs `select 1` through a pg Pool. */
  | { readonly kind: 'bare-pg'; readonly databaseUrl: string; readonly poolSize: number };

/** What the target reports over IPC once it listens. */
export interface TargetReady {
  readonly url: string;
}

/** A private Ed25519 JWK with a `kid`, as AUTH_SIGNING_KEY takes it. */
async function throwAwaySigningKey(): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'aura-bench' });
}

function bareApp(ready: () => Promise<unknown>): express.Express {
  const app = express();
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'up' });
  });
  app.get('/health/ready', async (_req, res) => {
    await ready();
    res.json({ status: 'up' });
  });
  return app;
}

async function start(spec: TargetSpec): Promise<RunningTarget<TargetReady>> {
  switch (spec.kind) {
    case 'aura': {
      // Production mode needs PostgreSQL and Redis; the embedded target runs as development.
      const production = Boolean(spec.databaseUrl && spec.redisUrl);
      const config = configFrom({
        NODE_ENV: production ? 'production' : 'development',
        // Production requires a configured signing key: a throw-away one, as tokens never leave this run.
        ...(production ? { AUTH_SIGNING_KEY: await throwAwaySigningKey() } : {}),
        ...targetConfig(spec),
      });
      const aura = await createAura({ config, modules: auraModules });
      try {
        const { app } = await createHttpApp(aura, { modules: httpModules });
        const running = await startHttpServer(aura, app);
        return {
          ready: { url: running.url },
          close: async () => {
            running.server.closeAllConnections();
            await running.close();
            await aura.close();
          },
        };
      } catch (error) {
        await aura.close();
        throw error;
      }
    }
    case 'bare-pglite': {
      const pglite = await PGlite.create('memory://');
      const server = createServer(bareApp(() => pglite.query('select 1')));
      const url = await listen(server);
      return {
        ready: { url },
        close: async () => {
          await closeServer(server);
          await pglite.close();
        },
      };
    }
    case 'bare-pg': {
      const pool = new pg.Pool({ connectionString: spec.databaseUrl, max: spec.poolSize });
      pool.on('error', () => {});
      const server = createServer(bareApp(() => pool.query('select 1')));
      const url = await listen(server);
      return {
        ready: { url },
        close: async () => {
          await closeServer(server);
          await pool.end();
        },
      };
    }
  }
}

void serveTarget('http-target', start);
