import type { Aura } from '@aura/adapters/platform';
import { Router } from 'express';

/** Liveness, readiness and Prometheus metrics: outside /api, unauthenticated, for orchestrators. */
export function operationsRouter(aura: Aura): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'up' });
  });
  router.get('/health/ready', async (_req, res) => {
    const report = await aura.readiness();
    res.status(report.status === 'up' ? 200 : 503).json(report);
  });
  router.get('/metrics', async (_req, res) => {
    res.type(aura.metrics.registry.contentType).send(await aura.metrics.registry.metrics());
  });
  return router;
}
