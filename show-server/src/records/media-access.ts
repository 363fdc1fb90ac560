import type { Request } from 'express';
import { callerFor, presentedToken } from '../http/auth.js';
import type { DownloadLinks } from '../http/download-links.js';
import type { MediaAccess } from '../http/stored-media.js';
import type { ShowStore } from '../shows/show-store.js';
import type { RecordReader } from './record-reader.js';
import type { ReviewStore } from './review-store.js';

export interface MediaAccessDeps {
  records: RecordReader;
  reviews: ReviewStore;
  shows: ShowStore;
  links: DownloadLinks;
  adminToken: string;
}

/**
 * A RECord's media is open once published; before, to a link signed for it, a key of its show,
 * or the device token of a phone it credits.
 */
export function recordMediaAccess(deps: MediaAccessDeps): MediaAccess {
  return async (req: Request, recordId: string) => {
    if (req.query.sig !== undefined) return deps.links.verify(req);
    const record = await deps.records.get(recordId);
    if (!record) return false;
    if ((await deps.reviews.arePublished([record.id]))[0]) return true;
    const token = presentedToken(req);
    if (!token) return false;
    const show = await deps.shows.get(record.showId);
    if (!show) return false;
    if (callerFor(token, deps.adminToken, show)) return true;
    const participantId = await deps.shows.participantOfDevice(show.id, token);
    return record.contributors.some((c) => participantId && c.participantId === participantId);
  };
}
