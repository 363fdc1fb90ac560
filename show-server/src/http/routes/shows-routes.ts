import { Router, type Request } from 'express';
import {
  createShowBodySchema,
  idSchema,
  joinCodeSchema,
  type ShowCreated,
  type StoredShow,
} from '@showrec/protocol';
import type { CaptureService } from '../../capture/capture-service.js';
import type { TakeStore } from '../../capture/take-store.js';
import type { RecordReader } from '../../records/record-reader.js';
import type { ShowStore } from '../../shows/show-store.js';
import { requireRole } from '../auth.js';
import { HttpError } from '../http-error.js';

export interface ShowsRoutesDeps {
  shows: ShowStore;
  takes: TakeStore;
  records: RecordReader;
  capture: CaptureService;
  adminToken: string;
  publicUrl: string | null;
}

/** Shows, capture control and listings. Every body and parameter is validated with protocol/'s schemas. */
export function showsRoutes(deps: ShowsRoutesDeps): Router {
  const router = Router();

  async function showFor(req: Request, allowed: Array<'admin' | 'host'>): Promise<StoredShow> {
    const id = idSchema.safeParse(req.params.id);
    const show = id.success ? await deps.shows.get(id.data) : null;
    if (!show) throw new HttpError(404, `no show with id ${String(req.params.id)}`);
    requireRole(req, deps.adminToken, show, allowed);
    return show;
  }

  router.post('/api/shows', async (req, res) => {
    requireRole(req, deps.adminToken, null, ['admin']);
    const body = createShowBodySchema.parse(req.body);
    const { show, hostKey } = await deps.shows.create(body.title);
    const base = deps.publicUrl ?? `${req.protocol}://${req.get('host')}`;
    const created: ShowCreated = {
      id: show.id,
      joinCode: show.joinCode,
      joinUrl: `${base}/join/${show.joinCode}`,
      hostKey,
    };
    res.status(201).json(created);
  });

  router.get('/api/join/:code', async (req, res) => {
    const code = joinCodeSchema.safeParse(req.params.code);
    const show = code.success ? await deps.shows.findByJoinCode(code.data) : null;
    if (!show)
      throw new HttpError(404, `no show has the join code ${String(req.params.code).slice(0, 20)}`);
    res.json({ id: show.id, title: show.title, joinCode: show.joinCode });
  });

  router.post('/api/shows/:id/capture/start', async (req, res) => {
    const show = await showFor(req, ['admin', 'host']);
    res.json({ running: true, takeIds: await deps.capture.startCapture(show.id) });
  });

  router.post('/api/shows/:id/capture/stop', async (req, res) => {
    const show = await showFor(req, ['admin', 'host']);
    res.json({ running: false, takeIds: await deps.capture.stopCapture(show.id) });
  });

  router.get('/api/shows/:id/takes', async (req, res) => {
    const show = await showFor(req, ['admin', 'host']);
    res.json({ takes: await deps.takes.listForShow(show.id) });
  });

  router.get('/api/shows/:id/records', async (req, res) => {
    const show = await showFor(req, ['admin', 'host']);
    res.json({ records: await deps.records.listForShow(show.id) });
  });

  return router;
}
