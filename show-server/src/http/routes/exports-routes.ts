import path from 'node:path';
import { Router } from 'express';
import type { MediaStore } from '@showrec/media-store';
import {
  cueLabel,
  downloadLinkBodySchema,
  type DownloadLink,
  type RECord,
  type StoredShow,
  DomainError,
} from '@showrec/protocol';
import type { DownloadLinks } from '../download-links.js';
import { creditsCsv, creditsSheet, type CreditsSheet } from '../../records/credits-sheet.js';
import type { RecordReader } from '../../records/record-reader.js';
import type { ReviewStore } from '../../records/review-store.js';
import { safeFileName } from '../../records/file-names.js';
import { writeMediaZip } from '../../records/media-zip.js';
import type { ShowStore } from '../../shows/show-store.js';
import type { CollectionStore } from '../../collections/collection-store.js';
import { sendStored } from '../stored-media.js';
import type { Role } from '../auth.js';
import { recordFor, recordNamed, showFor, showNamed } from './route-access.js';

export interface ExportsRoutesDeps {
  shows: ShowStore;
  records: RecordReader;
  reviews: ReviewStore;
  dataDir: string;
  media: MediaStore;
  adminToken: string;
  links: DownloadLinks;
  collections: CollectionStore;
}

const CREW: Role[] = ['admin', 'host', 'crew'];
// The id itself is checked by the lookup that authorizes it (recordNamed, showNamed).
const RECORD_DOWNLOAD = /^\/api\/records\/([^/]+)\/(?:original|video)$/;
const SHOW_DOWNLOAD = /^\/api\/shows\/([^/]+)\/(?:credits\.json|credits\.csv|selects\.zip)$/;
const COLLECTION_DOWNLOAD =
  /^\/api\/collections\/([A-Za-z0-9_-]{6,64})\/(?:export\.zip|statements\.csv)$/;

/** What leaves the system: a RECord's original and its video, a show's credits and its selects. */
export function exportsRoutes(deps: ExportsRoutesDeps): Router {
  const router = Router();
  const asDownload = { links: deps.links };

  /** A signed link to one of the downloads below, for a caller allowed to download it. */
  router.post('/api/download-links', async (req, res) => {
    const { path: wanted } = downloadLinkBodySchema.parse(req.body);
    const record = RECORD_DOWNLOAD.exec(wanted);
    const show = SHOW_DOWNLOAD.exec(wanted);
    const collection = COLLECTION_DOWNLOAD.exec(wanted);
    if (record) await recordNamed(record[1], req, deps, CREW);
    else if (show) await showNamed(show[1], req, deps, CREW);
    else if (collection) {
      const found = await deps.collections.get(collection[1]!);
      if (!found) throw new DomainError('not-found', `no collection ${collection[1]}`);
      for (const id of found.showIds) await showNamed(id, req, deps, CREW);
    } else throw new DomainError('not-found', `there is no download at ${wanted.slice(0, 100)}`);
    res.json((await deps.links.sign(wanted)) satisfies DownloadLink);
  });

  async function sheetFor(show: StoredShow): Promise<{ sheet: CreditsSheet; records: RECord[] }> {
    const records = await deps.records.listForShow(show.id);
    const reviews = await deps.reviews.getMany(records.map((r) => r.id));
    return {
      sheet: creditsSheet(
        show,
        records,
        reviews.map((r) => r.review),
      ),
      records,
    };
  }

  router.get('/api/records/:id/original', async (req, res) => {
    const record = await recordFor(req, deps, CREW, asDownload);
    const missing = `RECord ${record.id} was cut from another RECord and has no original of its own: download its video`;
    if (!record.original) throw new DomainError('not-found', missing);
    await sendStored(
      res,
      deps.media,
      deps.dataDir,
      record.original,
      missing,
      `${safeFileName(record.title)} - original${path.extname(record.original)}`,
    );
  });

  router.get('/api/records/:id/video', async (req, res) => {
    const record = await recordFor(req, deps, CREW, asDownload);
    await sendStored(
      res,
      deps.media,
      deps.dataDir,
      `records/${record.id}/video.mp4`,
      `RECord ${record.id} has no video yet`,
      `${safeFileName(record.title)}.mp4`,
    );
  });

  router.get('/api/shows/:id/credits.json', async (req, res) => {
    const { sheet } = await sheetFor(await showFor(req, deps, CREW, asDownload));
    res.attachment(`${safeFileName(sheet.show.title)} credits.json`).json(sheet);
  });

  router.get('/api/shows/:id/credits.csv', async (req, res) => {
    const { sheet } = await sheetFor(await showFor(req, deps, CREW, asDownload));
    res
      .type('text/csv; charset=utf-8')
      .attachment(`${safeFileName(sheet.show.title)} credits.csv`)
      .send(creditsCsv(sheet));
  });

  router.get('/api/shows/:id/selects.zip', async (req, res) => {
    const show = await showFor(req, deps, CREW, asDownload);
    const { sheet, records } = await sheetFor(show);
    const selectedIds = new Set(
      sheet.records.filter((r) => r.review === 'selected').map((r) => r.recordId),
    );
    const selected = records.filter((r) => selectedIds.has(r.id));
    if (selected.length === 0)
      throw new DomainError(
        'conflict',
        'no RECord of this show is selected yet: select takes first',
      );
    const cues = new Map(show.cues.map((c, i) => [c.id, cueLabel(c, i)]));
    res.type('application/zip').attachment(`${safeFileName(show.title)} selects.zip`);
    const selectedSheet = {
      ...sheet,
      records: sheet.records.filter((r) => selectedIds.has(r.recordId)),
    };
    await writeMediaZip(
      res,
      deps.media,
      selected.map((record) => ({
        record,
        name: `${safeFileName((record.cueId && cues.get(record.cueId)) || 'no cue')}/${safeFileName(record.contributors.map((c) => c.name).join(', '))} - ${record.id}.mp4`,
      })),
      [
        { name: 'credits.json', content: JSON.stringify(selectedSheet, null, 2) },
        { name: 'credits.csv', content: creditsCsv(selectedSheet) },
      ],
    );
  });

  return router;
}
