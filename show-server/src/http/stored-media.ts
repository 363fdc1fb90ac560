import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { DomainError } from '@showrec/protocol';
import type { MediaStore } from '@showrec/media-store';

/** A presigned link lasts this long: a whole review session, and a long download. */
const LINK_TTL_S = 3600;

/**
 * A stored object to the browser: the file itself from the data directory, or a redirect to a
 * presigned link, so the object store serves the bytes (ranges included) and not this process.
 * `filename` makes it a download.
 */
export async function sendStored(
  res: Response,
  media: MediaStore,
  dataDir: string,
  key: string,
  missing: string,
  filename?: string,
): Promise<void> {
  if (!(await media.head(key))) throw new DomainError('not-found', missing);
  const url = await media.downloadUrl(key, { ttlS: LINK_TTL_S, filename });
  if (url) res.redirect(302, url);
  else if (filename) res.download(path.join(dataDir, key), filename);
  else res.sendFile(path.join(dataDir, key));
}

const RECORD_MEDIA = /^(video\.mp4|poster\.jpg)$/;

/**
 * Who may fetch a RECord's media: anyone once it is published; before that, a link signed for
 * its path (handed to the crew with the RECord), a key of its show, or the phone of someone it
 * credits. Anyone else is told there is no such media: an unpublished RECord's existence is
 * not for strangers.
 */
export type MediaAccess = (req: Request, recordId: string) => Promise<boolean>;

/**
 * Filed media at /media/records/<id>/<file>, nothing else below it: from the data directory
 * (sendFile answers range requests), or redirected to the store.
 */
export function recordMediaRoutes(
  media: MediaStore,
  dataDir: string,
  mayFetch: MediaAccess,
): Router {
  const router = Router();
  router.get('/media/records/:id/:file', async (req, res) => {
    const { id, file } = req.params;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id) || !RECORD_MEDIA.test(file) || !(await mayFetch(req, id)))
      throw new DomainError('not-found', 'no such media');
    // No HEAD first: a review board asks for hundreds of posters, and the store answers a
    // missing one with its own 404.
    const url = await media.downloadUrl(`records/${id}/${file}`, { ttlS: LINK_TTL_S });
    res.set('Cache-Control', `private, max-age=${LINK_TTL_S - 60}`);
    if (url) res.redirect(302, url);
    else res.sendFile(path.join(dataDir, 'records', id, file));
  });
  return router;
}
