import { Router, type Request } from 'express';
import {
  noteInputSchema,
  publishBodySchema,
  reviewPatchSchema,
  trimBodySchema,
  type RECord,
  type StoredShow,
  DomainError,
} from '@showrec/protocol';
import { z } from 'zod';
import type { Contributors } from '../../records/contributors.js';
import type { EditRequests } from '../../records/edit-requests.js';
import { lineageOf } from '../../records/lineage.js';
import type { RecordReader } from '../../records/record-reader.js';
import type { RemixUploads, Remixer } from '../../records/remix-upload.js';
import type { ReviewBoards } from '../../records/review-board.js';
import type { ReviewStore } from '../../records/review-store.js';
import type { ShowStore } from '../../shows/show-store.js';
import { bearerToken, callerFor, callerOf, type Role } from '../auth.js';
import type { DownloadLinks } from '../download-links.js';
import { receiveMultipartFile } from '../multipart-file.js';
import { existingShow, recordFor, showFor } from './route-access.js';

export interface RecordsRoutesDeps {
  records: RecordReader;
  reviews: ReviewStore;
  boards: ReviewBoards;
  shows: ShowStore;
  editRequests: EditRequests;
  remixes: RemixUploads;
  contributors: Contributors;
  links: DownloadLinks;
  /** Tells the show's host and crew that a review item changed. */
  reviewChanged: (showId: string, itemId: string | null) => void;
  adminToken: string;
}

const REVIEW: Role[] = ['admin', 'host', 'crew'];

/** A time given in a RECord must fall within it. */
function requireWithin(record: RECord, field: string, ms: number): void {
  if (ms > record.media.durationMs) {
    throw new DomainError(
      'invalid',
      `${field} is past the end of the RECord (${record.media.durationMs} ms)`,
    );
  }
}

/**
 * The crew's work on RECords: the review board, rate, select or reject, notes, trims, remixes,
 * publishing, lineage. Every change records who made it (a named crew member's name, or the
 * shared key's role). RECords leave with their media links signed: a video tag sends no key.
 */
export function recordsRoutes(deps: RecordsRoutesDeps): Router {
  const router = Router();
  /** The crew may remix any RECord of the show; a contributor's phone, the published ones. */
  async function remixerFor(req: Request, show: StoredShow): Promise<Remixer> {
    const token = bearerToken(req);
    const caller = callerFor(token, deps.adminToken, show);
    if (caller)
      return { participantId: null, name: caller.named ? caller.name : null, publishedOnly: false };
    const contributor = await deps.contributors.find(show, token);
    if (!contributor) throw new DomainError('forbidden', 'these credentials may not do that');
    return { ...contributor, publishedOnly: true };
  }

  const signed = (records: RECord[]) =>
    Promise.all(records.map((r) => deps.links.withMediaLinks(r)));

  router.get('/api/shows/:id/review', async (req, res) => {
    const board = await deps.boards.of(await showFor(req, deps, REVIEW));
    const items = await Promise.all(
      board.items.map(async (item) =>
        item.record ? { ...item, record: await deps.links.withMediaLinks(item.record) } : item,
      ),
    );
    res.json({ ...board, items });
  });

  router.get('/api/shows/:id/records', async (req, res) => {
    const show = await showFor(req, deps, REVIEW);
    res.json({ records: await signed(await deps.records.listForShow(show.id)) });
  });

  router.patch('/api/records/:id', async (req, res) => {
    const record = await recordFor(req, deps, REVIEW);
    const patch = reviewPatchSchema.parse(req.body);
    const review = await deps.reviews.update(record.id, patch, callerOf(req).name);
    deps.reviewChanged(record.showId, record.id);
    res.json({ ...(await deps.links.withMediaLinks(record)), review });
  });

  router.put('/api/records/:id/published', async (req, res) => {
    const record = await recordFor(req, deps, REVIEW);
    const { published } = publishBodySchema.parse(req.body);
    const review = await deps.reviews.publish(record.id, published, callerOf(req).name);
    deps.reviewChanged(record.showId, record.id);
    res.json({ id: record.id, published: review.published });
  });

  router.post('/api/records/:id/notes', async (req, res) => {
    const record = await recordFor(req, deps, REVIEW);
    const input = noteInputSchema.parse(req.body);
    requireWithin(record, 'atMs', input.atMs);
    const note = { ...input, at: Date.now(), by: callerOf(req).name };
    await deps.reviews.addNote(record.id, note);
    deps.reviewChanged(record.showId, record.id);
    res.status(201).json(note);
  });

  router.post('/api/records/:id/trim', async (req, res) => {
    const record = await recordFor(req, deps, REVIEW);
    const { editor, ...cut } = trimBodySchema.parse(req.body);
    requireWithin(record, 'outMs', cut.outMs);
    const caller = callerOf(req);
    if (!editor && !caller.named)
      throw new DomainError(
        'invalid',
        'name the editor: this key is shared (a named crew member’s key credits its holder)',
      );
    const requested = await deps.editRequests.trim(record, {
      ...cut,
      editor: editor ?? caller.name,
    });
    deps.reviewChanged(record.showId, requested.recordId);
    res.status(202).json(requested);
  });

  router.post('/api/shows/:id/review/:itemId/retry', async (req, res) => {
    const show = await showFor(req, deps, REVIEW);
    const itemId = z.string().max(100).parse(req.params.itemId);
    await deps.boards.retry(show, itemId);
    deps.reviewChanged(show.id, itemId);
    res.status(202).json({ id: itemId });
  });

  router.post('/api/shows/:id/records', async (req, res) => {
    // Credentials first: a stranger's file is refused before a byte of it is read.
    const show = await existingShow(req.params.id, deps.shows);
    const remixer = await remixerFor(req, show);
    const accepted = await deps.remixes.accept(show, remixer, (target) =>
      receiveMultipartFile(req, target),
    );
    deps.reviewChanged(show.id, accepted.recordId);
    res.status(202).json(accepted);
  });

  router.get('/api/records/:id/lineage', async (req, res) => {
    const lineage = await lineageOf(deps.records, await recordFor(req, deps, REVIEW));
    res.json({
      ...lineage,
      record: await deps.links.withMediaLinks(lineage.record),
      ancestors: await signed(lineage.ancestors),
      descendants: await signed(lineage.descendants),
    });
  });

  return router;
}
