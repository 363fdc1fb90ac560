import express, { type Express } from 'express';
import type { Logger } from '../logger.js';
import { errorHandler } from './http-error.js';
import type { JoinAttempts } from './join-attempts.js';
import { joinRateLimit, securityHeaders } from './security.js';
import { healthRoute } from './routes/health-route.js';
import { showsRoutes, type ShowsRoutesDeps } from './routes/shows-routes.js';
import { exportsRoutes, type ExportsRoutesDeps } from './routes/exports-routes.js';
import { recordsRoutes, type RecordsRoutesDeps } from './routes/records-routes.js';
import { uploadsRoutes } from './routes/uploads-routes.js';
import { contributorRoutes, type ContributorRoutesDeps } from './routes/contributor-routes.js';
import { collectionsRoutes, type CollectionsRoutesDeps } from './routes/collections-routes.js';
import { recordMediaAccess } from '../records/media-access.js';
import type { UploadService } from '../capture/upload-service.js';
import { recordMediaRoutes } from './stored-media.js';
import { webApps } from './web-apps.js';
import type { HealthSources } from '../health/health-check.js';

export interface AppDeps
  extends
    ShowsRoutesDeps,
    RecordsRoutesDeps,
    ExportsRoutesDeps,
    ContributorRoutesDeps,
    CollectionsRoutesDeps {
  health: HealthSources;
  webDir: string;
  corsOrigins: string[];
  /** Where pages may open sockets besides here: the nodes (see config's nodeOrigins). */
  nodeUrls: () => string[];
  joinAttempts: JoinAttempts;
  uploads: UploadService;
  logger: Logger;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders(deps.corsOrigins, deps.nodeUrls));
  app.use(express.json({ limit: '64kb' }));
  app.use(['/api/join', '/join/'], joinRateLimit(deps.joinAttempts));
  app.use(healthRoute(deps.health));
  app.use(showsRoutes(deps));
  app.use(recordsRoutes(deps));
  app.use(exportsRoutes(deps));
  app.use(contributorRoutes(deps));
  app.use(collectionsRoutes(deps));
  app.use(uploadsRoutes(deps.uploads, 8 * 1024 * 1024));
  app.use(recordMediaRoutes(deps.media, deps.dataDir, recordMediaAccess(deps)));
  app.use(
    webApps({
      webDir: deps.webDir,
      shows: deps.shows,
      logger: deps.logger,
    }),
  );
  app.use('/api', (req, res) =>
    res.status(404).json({ error: `no such API route: ${req.method} ${req.originalUrl}` }),
  );
  app.use(errorHandler(deps.logger.child({ component: 'http' })));
  return app;
}
