import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configFrom } from '../../../packages/adapters/src/platform/config/config.js';
import { type Aura, createAura } from '../../../packages/adapters/src/platform/create-aura.js';
import { createHttpApp } from '../src/app.js';
import { startHttpServer } from '../src/server.js';

let aura: Aura;
beforeAll(async () => {
  aura = await createAura({ config: configFrom({ PORT: '0', SHUTDOWN_TIMEOUT_MS: '5000' }) });
});
afterAll(() => aura.close());

it('finishes requests in flight when closing, and takes no new connections', async () => {
  const { app: auraApp } = await createHttpApp(aura);
  const app = express();
  let release: () => void = () => {};
  app.get('/slow', async (_req, res) => {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    res.json({ done: true });
  });
  app.use(auraApp);
  const running = await startHttpServer(aura, app);
  const inFlight = fetch(`${running.url}/slow`);
  await new Promise((r) => setTimeout(r, 100));
  const closing = running.close();
  await new Promise((r) => setTimeout(r, 100));
  await expect(fetch(`${running.url}/health/live`)).rejects.toThrow();
  release();
  const response = await inFlight;
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ done: true });
  await closing;
  expect(running.server.listening).toBe(false);
});
