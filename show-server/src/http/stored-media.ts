import path from 'node:path';
import express, { Router, type Response } from 'express';
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
 * Filed media at /media/records/<id>/<file>: from the data directory with range requests
 * (express.static refuses paths that climb out of the folder), or redirected to the store.
 */
export function recordMediaRoutes(media: MediaStore, dataDir: string): Router {
  const router = Router();
  router.get('/media/records/:id/:file', async (req, res, next) => {
    const { id, file } = req.params;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id) || !RECORD_MEDIA.test(file))
      throw new DomainError('not-found', 'no such media');
    // No HEAD first: a review board asks for hundreds of posters, and the store answers a
    // missing one with its own 404.
    const url = await media.downloadUrl(`records/${id}/${file}`, { ttlS: LINK_TTL_S });
    if (!url) return next();
    res.set('Cache-Control', `private, max-age=${LINK_TTL_S - 60}`);
    res.redirect(302, url);
  });
  router.use(
    '/media/records',
    express.static(path.join(dataDir, 'records'), {
      index: false,
      dotfiles: 'deny',
      fallthrough: false,
    }),
  );
  return router;
}
