import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { joinCodeSchema } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import type { ShowStore } from '../shows/show-store.js';

/** The two built web apps (Vite bases /a/ and /s/) and their page routes. */
export function webApps(options: { webDir: string; shows: ShowStore; logger: Logger }): Router {
  const router = Router();
  const audience = path.join(options.webDir, 'audience-app', 'dist');
  const stage = path.join(options.webDir, 'stage-display', 'dist');
  for (const dist of [audience, stage]) {
    if (!existsSync(path.join(dist, 'index.html'))) {
      options.logger.warn({ dist }, 'a web app is not built: run `npm run build`');
    }
  }
  router.use('/a', express.static(audience, { index: false }));
  router.use('/s', express.static(stage, { index: false }));

  router.get('/join', (_req, res) => res.sendFile(path.join(audience, 'index.html')));
  router.get('/join/:code', async (req, res) => {
    const code = joinCodeSchema.safeParse(req.params.code);
    const show = code.success ? await options.shows.findByJoinCode(code.data) : null;
    // The page explains the unknown code; the status tells machines.
    res.status(show ? 200 : 404).sendFile(path.join(audience, 'index.html'));
  });
  router.get(['/me/:joinCode', '/claim/:code'], (_req, res) =>
    res.sendFile(path.join(audience, 'index.html')),
  );
  router.get(
    [
      '/control',
      '/control/:showId',
      '/stage',
      '/stage/:showId',
      '/review/:showId',
      '/shows/:showId',
    ],
    (_req, res) => res.sendFile(path.join(stage, 'index.html')),
  );
  router.get('/', (_req, res) => res.redirect('/control'));
  return router;
}
