import { Router } from 'express';
import {
  noteInputSchema,
  reviewPatchSchema,
  trimBodySchema,
  type RECord,
  DomainError,
} from '@showrec/protocol';
import { z } from 'zod';
import type { EditRequests } from '../../records/edit-requests.js';
import { lineageOf } from '../../records/lineage.js';
import type { RecordReader } from '../../records/record-reader.js';
import type { RemixUploads } from '../../records/remix-upload.js';
import type { ReviewBoards } from '../../records/review-board.js';
import type { ReviewStore } from '../../records/review-store.js';
import type { ShowStore } from '../../shows/show-store.js';
import type { Role } from '../auth.js';
import { receiveMultipartFile } from '../multipart-file.js';
import { recordFor, showFor } from './route-access.js';

export interface RecordsRoutesDeps {
  records: RecordReader;
  reviews: ReviewStore;
  boards: ReviewBoards;
  shows: ShowStore;
  editRequests: EditRequests;
  remixes: RemixUploads;
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

/** The crew's work on RECords: the review board, rate, select or reject, notes, trims, remixes, lineage. */
export function recordsRoutes(deps: RecordsRoutesDeps): Router {
  const router = Router();

  router.get('/api/shows/:id/review', async (req, res) => {
    res.json(await deps.boards.of(await showFor(req, deps, REVIEW)));
  });

  router.patch('/api/records/:id', async (req, res) => {
    const record = await recordFor(req, deps, REVIEW);
    const review = await deps.reviews.update(record.id, reviewPatchSchema.parse(req.body));
    deps.reviewChanged(record.showId, record.id);
    res.json({ ...record, review });
  });

  router.post('/api/records/:id/notes', async (req, res) => {
    const record = await recordFor(req, deps, REVIEW);
    const input = noteInputSchema.parse(req.body);
    requireWithin(record, 'atMs', input.atMs);
    const note = { ...input, at: Date.now() };
    await deps.reviews.addNote(record.id, note);
    deps.reviewChanged(record.showId, record.id);
    res.status(201).json(note);
  });

  router.post('/api/records/:id/trim', async (req, res) => {
    const record = await recordFor(req, deps, REVIEW);
    const cut = trimBodySchema.parse(req.body);
    requireWithin(record, 'outMs', cut.outMs);
    const requested = await deps.editRequests.trim(record, cut);
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
    const show = await showFor(req, deps, REVIEW);
    const accepted = await deps.remixes.accept(show, (target) => receiveMultipartFile(req, target));
    deps.reviewChanged(show.id, accepted.recordId);
    res.status(202).json(accepted);
  });

  router.get('/api/records/:id/lineage', async (req, res) => {
    res.json(await lineageOf(deps.records, await recordFor(req, deps, REVIEW)));
  });

  return router;
}
