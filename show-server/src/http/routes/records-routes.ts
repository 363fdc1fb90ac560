import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import type { Queue } from 'bullmq';
import {
  idSchema,
  noteInputSchema,
  reviewPatchSchema,
  trimBodySchema,
  TRIM_JOB,
  type RECord,
  type TrimJob,
} from '@showrec/protocol';
import { lineageOf } from '../../records/lineage.js';
import type { RecordReader } from '../../records/record-reader.js';
import type { ReviewStore } from '../../records/review-store.js';
import type { ShowStore } from '../../shows/show-store.js';
import { requireRole, type Role } from '../auth.js';
import { HttpError } from '../http-error.js';

export interface RecordsRoutesDeps {
  records: RecordReader;
  reviews: ReviewStore;
  shows: ShowStore;
  edits: Queue<TrimJob>;
  adminToken: string;
}

const REVIEW: Role[] = ['admin', 'host', 'crew'];

/** The crew's work on RECords: rate, select or reject, pin notes, trim, follow lineage. */
export function recordsRoutes(deps: RecordsRoutesDeps): Router {
  const router = Router();

  async function recordFor(req: Request): Promise<RECord> {
    const id = idSchema.safeParse(req.params.id);
    const record = id.success ? await deps.records.get(id.data) : null;
    if (!record) throw new HttpError(404, `no RECord ${String(req.params.id).slice(0, 64)}`);
    requireRole(req, deps.adminToken, await deps.shows.get(record.showId), REVIEW);
    return record;
  }

  router.patch('/api/records/:id', async (req, res) => {
    const record = await recordFor(req);
    const review = await deps.reviews.update(record.id, reviewPatchSchema.parse(req.body));
    res.json({ ...record, review });
  });

  router.post('/api/records/:id/notes', async (req, res) => {
    const record = await recordFor(req);
    const input = noteInputSchema.parse(req.body);
    if (input.atMs > record.media.durationMs) {
      throw new HttpError(
        400,
        `atMs is past the end of the RECord (${record.media.durationMs} ms)`,
      );
    }
    const note = { ...input, at: Date.now() };
    await deps.reviews.addNote(record.id, note);
    res.status(201).json(note);
  });

  router.post('/api/records/:id/trim', async (req, res) => {
    const record = await recordFor(req);
    const { inMs, outMs, editor } = trimBodySchema.parse(req.body);
    if (outMs > record.media.durationMs) {
      throw new HttpError(
        400,
        `outMs is past the end of the RECord (${record.media.durationMs} ms)`,
      );
    }
    // The same cut of the same RECord is the same new RECord: asking twice files it once.
    const recordId = `trim-${createHash('sha256').update(`${record.id}:${inMs}:${outMs}`).digest('hex').slice(0, 16)}`;
    await deps.edits.add(
      TRIM_JOB,
      { sourceId: record.id, recordId, inMs, outMs, editor },
      {
        jobId: recordId,
        attempts: 3,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnFail: false,
      },
    );
    res.status(202).json({ recordId, parents: [record.id] });
  });

  router.get('/api/records/:id/lineage', async (req, res) => {
    res.json(await lineageOf(deps.records, await recordFor(req)));
  });

  return router;
}
