import { Router, type Request } from 'express';
import {
  claimCodeSchema,
  type ClaimLink,
  type PublicRecords,
  type YourRecords,
} from '@showrec/protocol';
import type { Contributors } from '../../records/contributors.js';
import { ancestorsIn, mergeCredits } from '../../records/lineage.js';
import type { RecordReader } from '../../records/record-reader.js';
import type { ReviewStore } from '../../records/review-store.js';
import type { ShowStore } from '../../shows/show-store.js';
import { bearerToken } from '../auth.js';
import type { DownloadLinks } from '../download-links.js';
import { publicBase } from '../public-base.js';
import { existingShow } from './route-access.js';

export interface ContributorRoutesDeps {
  shows: ShowStore;
  records: RecordReader;
  reviews: ReviewStore;
  contributors: Contributors;
  links: DownloadLinks;
  publicUrl: string | null;
}

/**
 * What the people who recorded get back: their own RECords (by their phone's device token), a
 * claim link to carry them to another device, and every show's public page of published RECords.
 */
export function contributorRoutes(deps: ContributorRoutesDeps): Router {
  const router = Router();
  const baseOf = (req: Request) => publicBase(req, deps.publicUrl);

  async function contributorOf(req: Request) {
    const show = await existingShow(req.params.id, deps.shows);
    return { show, contributor: await deps.contributors.require(show, bearerToken(req)) };
  }

  router.get('/api/shows/:id/mine', async (req, res) => {
    const { show, contributor } = await contributorOf(req);
    const records = await deps.contributors.recordsOf(show.id, contributor.participantId);
    res.json({
      show: { id: show.id, title: show.title, joinCode: show.joinCode },
      participant: { id: contributor.participantId, name: contributor.name },
      records: await Promise.all(records.map((r) => deps.links.withMediaLinks(r))),
    } satisfies YourRecords);
  });

  router.post('/api/shows/:id/mine/claim', async (req, res) => {
    const { show, contributor } = await contributorOf(req);
    const { code, expiresAt } = await deps.contributors.claimCode(
      show.id,
      contributor.participantId,
      bearerToken(req),
    );
    res.status(201).json({ url: `${baseOf(req)}/claim/${code}`, expiresAt } satisfies ClaimLink);
  });

  router.post('/api/claims/:code', async (req, res) => {
    res.json(await deps.contributors.claim(claimCodeSchema.parse(req.params.code)));
  });

  router.get('/api/public/shows/:id', async (req, res) => {
    const show = await existingShow(req.params.id, deps.shows);
    const all = await deps.records.listForShow(show.id);
    const published = await deps.reviews.arePublished(all.map((r) => r.id));
    const byId = new Map(all.map((r) => [r.id, r]));
    const open = new Set(all.filter((_, i) => published[i]).map((r) => r.id));
    res.json({
      show: { id: show.id, title: show.title, venue: show.venue, date: show.date },
      records: all
        .filter((r) => open.has(r.id))
        .map((record) => ({
          record,
          credits: mergeCredits([record, ...ancestorsIn(record, byId)]),
          parents: record.parents.map((id) => ({
            id,
            title: open.has(id) ? (byId.get(id)?.title ?? null) : null,
          })),
        })),
    } satisfies PublicRecords);
  });

  return router;
}
