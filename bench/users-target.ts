/**
 * The server side of the users benchmarks (auth-timing.bench.ts, users-me.bench.ts), run in a
 * child process so that the client (timing loop or autocannon) and the server do not share an
 * event loop. Started with one JSON argument (a UsersTargetSpec); reports
 * `{ type: 'ready', url, bareUrl }` over IPC; stops on the message `'stop'` or when the
 * parent goes away.
 *
 * - The full app, as `npm start` runs it: `createAura` with `auraModules`, `createHttpApp`
 *   with `httpModules`, the worker and outbox relay in the same process (account emails reach
 *   the development mailbox through them), `startHttpServer` on 127.0.0.1 port 0. Configured
 *   as development (so `/dev/mailbox` is mounted) with `LOG_LEVEL=silent`; in-memory PGlite
 *   unless `databaseUrl`, in-memory queue unless `redisUrl`.
 * - With `bare: true`, a second server in the same process: bare Express 5 serving
 *   `GET /api/users/me` by verifying the bearer token with jose against the full app's
 *   `/.well-known/jwks.json` and running `SELECT * FROM users.users WHERE id = $1` on the
 *   same database (the full app's own PGlite instance, or a `pg.Pool` of 10 on the same
 *   PostgreSQL database). Only one of the two servers is loaded at a time.
 */
import { createServer } from 'node:http';
import type { PGlite } from '@electric-sql/pglite';
import express from 'express';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import pg from 'pg';
import { createHttpApp } from '../apps/http/src/app.js';
import { httpModules } from '../apps/http/src/http-modules.js';
import { startHttpServer } from '../apps/http/src/server.js';
import { auraModules } from '../packages/adapters/src/modules.js';
import { type AuraConfig, configFrom } from '../packages/adapters/src/platform/config/config.js';
import { createAura } from '../packages/adapters/src/platform/create-aura.js';
import { openDatabase, openPglite } from '../packages/adapters/src/platform/db/database.js';
import type { Backends } from './support.js';
import { closeServer, listen, type RunningTarget, serveTarget, targetConfig } from './target-process.js';

export interface UsersTargetSpec extends Backends {
  /** Extra configuration for the full app (e.g. AUTH_LOCKOUT_THRESHOLD). */
  readonly config?: Readonly<Partial<Record<keyof AuraConfig, string>>>;
  /** Also serve the bare Express + jose + SQL `GET /api/users/me`. */
  readonly bare?: boolean;
}

/** What the target reports over IPC once it listens. */
export interface UsersTargetReady {
  readonly url: string;
  readonly bareUrl: string | null;
}

/** Same checks as the app's verifier: asymmetric algorithms pinned, issuer, audience, required claims, `type: "access"`. */
const ALGORITHMS = ['EdDSA', 'ES256'];
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

type Row = Record<string, unknown>;

function bareApp(jwks: JSONWebKeySet, config: AuraConfig, userById: (id: string) => Promise<Row | undefined>): express.Express {
  const keys = createLocalJWKSet(jwks);
  const app = express();
  app.get('/api/users/me', async (req, res) => {
    const token = BEARER.exec(req.get('authorization') ?? '')?.[1];
    if (token === undefined) {
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    let sub: string;
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ALGORITHMS,
        issuer: config.AUTH_JWT_ISSUER,
        audience: config.AUTH_JWT_AUDIENCE,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      if (payload.type !== 'access' || typeof payload.sub !== 'string') throw new Error('not an access token');
      sub = payload.sub;
    } catch {
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    let row: Row | undefined;
    try {
      row = await userById(sub);
    } catch {
      // Only when stopping (the pool is closed under requests still in flight): counted as non-2xx.
      if (!res.headersSent) res.status(500).json({ error: 'database' });
      return;
    }
    if (row === undefined) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    const { password_hash: _secret, ...user } = row;
    res.json(user);
  });
  return app;
}

const USER_BY_ID = 'SELECT * FROM users.users WHERE id = $1';

async function start(spec: UsersTargetSpec): Promise<RunningTarget<UsersTargetReady>> {
  const config = configFrom({
    NODE_ENV: 'development',
    ...targetConfig(spec),
    AUTH_RATE_LIMIT_MAX: '1000000',
    ...spec.config,
  });
  // PGlite: open it here so the bare handler can query the very same in-memory database.
  let pglite: PGlite | undefined;
  if (!spec.databaseUrl) pglite = await openPglite('memory://');
  const database = pglite ? await openDatabase({ kind: 'pglite', instance: pglite }) : undefined;
  const aura = await createAura({ config, modules: auraModules, ...(database ? { database } : {}) });
  const closers: (() => Promise<void>)[] = [() => aura.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => console.error('users-target:', error));
  };
  try {
    const { app } = await createHttpApp(aura, { modules: httpModules });
    await aura.startWorker();
    const running = await startHttpServer(aura, app);
    closers.push(async () => {
      running.server.closeAllConnections();
      await running.close();
    });
    let bareUrl: string | null = null;
    if (spec.bare) {
      const response = await fetch(`${running.url}/.well-known/jwks.json`, { signal: AbortSignal.timeout(10_000) });
      if (response.status !== 200) throw new Error(`GET /.well-known/jwks.json answered ${response.status}`);
      const jwks = (await response.json()) as JSONWebKeySet;
      let userById: (id: string) => Promise<Row | undefined>;
      if (pglite) {
        const instance = pglite;
        userById = async (id) => (await instance.query<Row>(USER_BY_ID, [id])).rows[0];
      } else {
        const pool = new pg.Pool({ connectionString: spec.databaseUrl, max: 10 });
        pool.on('error', () => {});
        closers.push(() => pool.end());
        userById = async (id) => (await pool.query<Row>(USER_BY_ID, [id])).rows[0];
      }
      const server = createServer(bareApp(jwks, config, userById));
      bareUrl = await listen(server);
      closers.push(() => closeServer(server));
    }
    return { ready: { url: running.url, bareUrl }, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

void serveTarget('users-target', start);
