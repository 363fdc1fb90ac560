import { Router } from 'express';
import { checkHealth, type HealthSources } from '../../health/health-check.js';

export function healthRoute(sources: HealthSources): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const health = await checkHealth(sources);
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  return router;
}
