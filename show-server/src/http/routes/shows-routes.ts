import { Router, type Request } from 'express';
import {
  createShowBodySchema,
  crewInviteBodySchema,
  cueInputSchema,
  cueOrderSchema,
  cuePatchSchema,
  goBodySchema,
  idSchema,
  joinCodeSchema,
  updateShowBodySchema,
  wallPatchSchema,
  type CrewInvite,
  type ShowCreated,
  type ShowSummary,
  DomainError,
} from '@showrec/protocol';
import { z } from 'zod';
import type { TakeStore } from '../../capture/take-store.js';
import type { ShowControl } from '../../shows/show-control.js';
import type { ShowStore } from '../../shows/show-store.js';
import type { ShowViews } from '../../shows/show-views.js';
import { inviteCrew, revokeCrew } from '../../shows/crew-invites.js';
import { requireRole, type Role } from '../auth.js';
import { publicBase } from '../public-base.js';
import { showFor } from './route-access.js';

export interface ShowsRoutesDeps {
  shows: ShowStore;
  takes: TakeStore;
  control: ShowControl;
  views: ShowViews;
  adminToken: string;
  publicUrl: string | null;
  /** Every show's line in the admin's list, newest first. */
  showSummaries: () => Promise<ShowSummary[]>;
}

/** A cue index in a path: digits only (Number(' ') would be 0). */
const cueIndexSchema = z
  .string()
  .regex(/^-?\d{1,6}$/, 'a cue index is a whole number')
  .transform(Number)
  .pipe(z.number().int().min(-1));

const CONTROL: Role[] = ['admin', 'host'];
const READ: Role[] = ['admin', 'host', 'crew'];

/** Shows, their run of show, live control and listings; every input is validated with protocol/'s schemas. */
export function showsRoutes(deps: ShowsRoutesDeps): Router {
  const router = Router();

  const baseOf = (req: Request) => publicBase(req, deps.publicUrl);

  function created(req: Request, result: Awaited<ReturnType<ShowStore['create']>>): ShowCreated {
    const base = baseOf(req);
    const { show, hostKey, crewKey, oscKey } = result;
    return {
      id: show.id,
      joinCode: show.joinCode,
      joinUrl: `${base}/join/${show.joinCode}`,
      hostKey,
      crewKey,
      oscKey,
      controlUrl: `${base}/control/${show.id}#key=${hostKey}`,
      stageUrl: `${base}/stage/${show.id}`,
      reviewUrl: `${base}/review/${show.id}#key=${crewKey}`,
    };
  }

  router.post('/api/shows', async (req, res) => {
    await requireRole(req, deps.adminToken, null, ['admin']);
    res
      .status(201)
      .json(created(req, await deps.shows.create(createShowBodySchema.parse(req.body))));
  });

  router.get('/api/shows', async (req, res) => {
    await requireRole(req, deps.adminToken, null, ['admin']);
    res.json({ shows: await deps.showSummaries() });
  });

  router.get('/api/shows/:id/crew', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    res.json({ crew: show.crew.map(({ id, name, invitedAt }) => ({ id, name, invitedAt })) });
  });

  router.post('/api/shows/:id/crew', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    const { name } = crewInviteBodySchema.parse(req.body);
    const { member, key } = await inviteCrew(deps.shows, show.id, name);
    res.status(201).json({
      id: member.id,
      name: member.name,
      key,
      reviewUrl: `${baseOf(req)}/review/${show.id}#key=${key}`,
    } satisfies CrewInvite);
  });

  router.delete('/api/shows/:id/crew/:memberId', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    await revokeCrew(deps.shows, show.id, idSchema.parse(req.params.memberId));
    res.status(204).end();
  });

  router.get('/api/join/:code', async (req, res) => {
    const code = joinCodeSchema.safeParse(req.params.code);
    const show = code.success ? await deps.shows.findByJoinCode(code.data) : null;
    if (!show)
      throw new DomainError(
        'not-found',
        `no show has the join code ${String(req.params.code).slice(0, 20)}`,
      );
    res.json({ id: show.id, title: show.title, joinCode: show.joinCode });
  });

  router.get('/api/shows/:id', async (req, res) => {
    const show = await showFor(req, deps, READ);
    res.json(await deps.views.full(show));
  });

  router.patch('/api/shows/:id', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    res.json(
      await deps.views.full(
        await deps.control.updateDetails(show.id, updateShowBodySchema.parse(req.body)),
      ),
    );
  });

  // A new show is the admin's to make, like any other: a host key must not mint shows.
  router.post('/api/shows/:id/duplicate', async (req, res) => {
    const show = await showFor(req, deps, ['admin']);
    res.status(201).json(created(req, await deps.shows.duplicate(show.id)));
  });

  router.post('/api/shows/:id/cues', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    res.status(201).json(await deps.control.addCue(show.id, cueInputSchema.parse(req.body)));
  });

  router.patch('/api/shows/:id/cues/:cueId', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    res.json(
      await deps.control.updateCue(
        show.id,
        idSchema.parse(req.params.cueId),
        cuePatchSchema.parse(req.body),
      ),
    );
  });

  router.delete('/api/shows/:id/cues/:cueId', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    await deps.control.deleteCue(show.id, idSchema.parse(req.params.cueId));
    res.status(204).end();
  });

  router.put('/api/shows/:id/cues/order', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    res.json({
      cues: (await deps.control.reorderCues(show.id, cueOrderSchema.parse(req.body).ids)).cues,
    });
  });

  router.post('/api/shows/:id/go', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    const { expectedCueId } = goBodySchema.parse(req.body ?? {});
    res.json(await deps.views.full(await deps.control.go(show.id, { cueId: expectedCueId })));
  });

  router.post('/api/shows/:id/back', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    res.json(await deps.views.full(await deps.control.back(show.id)));
  });

  router.post('/api/shows/:id/cue/:index', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    const index = cueIndexSchema.parse(req.params.index);
    res.json(await deps.views.full(await deps.control.jump(show.id, index)));
  });

  router.post('/api/shows/:id/capture/start', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    res.json({ running: true, takeIds: await deps.control.setCapture(show.id, true) });
  });

  router.post('/api/shows/:id/capture/stop', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    res.json({ running: false, takeIds: await deps.control.setCapture(show.id, false) });
  });

  /** The stage wall, as the control panel's `wall:set` (for show-control desks and scripts). */
  router.patch('/api/shows/:id/wall', async (req, res) => {
    const show = await showFor(req, deps, CONTROL);
    const changed = await deps.control.setWall(show.id, wallPatchSchema.parse(req.body));
    res.json(changed.wall);
  });

  router.get('/api/shows/:id/takes', async (req, res) => {
    const show = await showFor(req, deps, READ);
    res.json({ takes: await deps.takes.listForShow(show.id) });
  });

  return router;
}
