import { Router, type Request } from 'express';
import type { MediaStore } from '@showrec/media-store';
import {
  DomainError,
  collectionInputSchema,
  idSchema,
  statementIdSchema,
  statementInputSchema,
  type Collection,
  type CreditsRoll,
  type RECord,
} from '@showrec/protocol';
import { z } from 'zod';
import type { CollectionStore } from '../../collections/collection-store.js';
import { creditsPage } from '../../collections/credits-page.js';
import { creditsRoll } from '../../collections/credits-roll.js';
import { statementsCsv } from '../../collections/statements-csv.js';
import { proposeStatement } from '../../collections/statements.js';
import { safeFileName } from '../../records/file-names.js';
import { lineageOf } from '../../records/lineage.js';
import { writeMediaZip } from '../../records/media-zip.js';
import type { RecordReader } from '../../records/record-reader.js';
import { spreadsheetCsv } from '../../records/spreadsheet-csv.js';
import { newId } from '../../shows/secrets.js';
import type { ShowStore } from '../../shows/show-store.js';
import { callerOf, requireRole, type Role } from '../auth.js';
import type { DownloadLinks } from '../download-links.js';

export interface CollectionsRoutesDeps {
  collections: CollectionStore;
  records: RecordReader;
  shows: ShowStore;
  media: MediaStore;
  links: DownloadLinks;
  adminToken: string;
}

const CREW: Role[] = ['admin', 'host', 'crew'];

/**
 * Collections (anthologies of RECords from one or more shows), their credits roll, their ZIP,
 * and their split statements. A collection is the business of whoever holds a crew, host or
 * admin key of every show it draws on.
 */
export function collectionsRoutes(deps: CollectionsRoutesDeps): Router {
  const router = Router();

  /** Downloads (`asDownload`) may instead carry a link signed for their path. */
  async function requireEveryShow(
    req: Request,
    showIds: string[],
    asDownload = false,
  ): Promise<void> {
    const shows = await Promise.all(showIds.map((id) => deps.shows.get(id)));
    const options = asDownload ? { links: deps.links } : {};
    for (const show of shows) await requireRole(req, deps.adminToken, show, CREW, options);
  }

  /** The RECords named, in order, and the shows they come from. */
  async function recordsNamed(ids: string[]): Promise<{ records: RECord[]; showIds: string[] }> {
    const records = await Promise.all(ids.map((id) => deps.records.get(id)));
    const missing = ids.filter((_, i) => !records[i]);
    if (missing.length > 0)
      throw new DomainError('invalid', `no RECord ${missing.slice(0, 5).join(', ')}`);
    const found = records as RECord[];
    return { records: found, showIds: [...new Set(found.map((r) => r.showId))] };
  }

  async function collectionFor(req: Request, asDownload = false): Promise<Collection> {
    const id = idSchema.safeParse(req.params.id);
    const collection = id.success ? await deps.collections.get(id.data) : null;
    if (!collection)
      throw new DomainError('not-found', `no collection ${String(req.params.id).slice(0, 64)}`);
    await requireEveryShow(req, collection.showIds, asDownload);
    return collection;
  }

  async function rollOf(collection: Collection): Promise<{ roll: CreditsRoll; items: RECord[] }> {
    const { records: items } = await recordsNamed(collection.records);
    const lineages = await Promise.all(items.map((r) => lineageOf(deps.records, r)));
    const ancestors = new Map(items.map((r, i) => [r.id, lineages[i]!.ancestors]));
    return { roll: creditsRoll(collection, items, (r) => ancestors.get(r.id)!), items };
  }

  router.post('/api/collections', async (req, res) => {
    const input = collectionInputSchema.parse(req.body);
    const { showIds } = await recordsNamed(input.records);
    await requireEveryShow(req, showIds);
    const now = new Date().toISOString();
    const collection: Collection = {
      id: newId(),
      ...input,
      showIds,
      createdAt: now,
      updatedAt: now,
      createdBy: callerOf(req).name,
    };
    await deps.collections.put(collection);
    res.status(201).json(collection);
  });

  router.get('/api/collections', async (req, res) => {
    await requireRole(req, deps.adminToken, null, ['admin']);
    res.json({ collections: await deps.collections.list() });
  });

  router.get('/api/collections/:id', async (req, res) => {
    const collection = await collectionFor(req);
    const { records } = await recordsNamed(collection.records);
    res.json({
      ...collection,
      items: await Promise.all(records.map((r) => deps.links.withMediaLinks(r))),
    });
  });

  router.put('/api/collections/:id', async (req, res) => {
    const collection = await collectionFor(req);
    const input = collectionInputSchema.parse(req.body);
    const { showIds } = await recordsNamed(input.records);
    await requireEveryShow(req, showIds);
    const updated = { ...collection, ...input, showIds, updatedAt: new Date().toISOString() };
    await deps.collections.put(updated);
    res.json(updated);
  });

  router.get('/api/collections/:id/credits', async (req, res) => {
    res.json((await rollOf(await collectionFor(req))).roll);
  });

  router.get('/api/collections/:id/export.zip', async (req, res) => {
    const collection = await collectionFor(req, true);
    const { roll, items } = await rollOf(collection);
    const csv = roll.roles.flatMap((r) =>
      r.people.map((p) => ({ role: r.role, name: p.name, records: p.records.join(' ') })),
    );
    const width = String(items.length).length;
    res.type('application/zip').attachment(`${safeFileName(collection.title)}.zip`);
    await writeMediaZip(
      res,
      deps.media,
      items.map((record, i) => ({
        record,
        name: `${String(i + 1).padStart(width, '0')} - ${safeFileName(record.title)} - ${record.id}.mp4`,
      })),
      [
        { name: 'credits.json', content: JSON.stringify(roll, null, 2) },
        { name: 'credits.csv', content: spreadsheetCsv(csv) },
        { name: 'credits.html', content: creditsPage(roll) },
      ],
    );
  });

  router.post('/api/collections/:id/statements', async (req, res) => {
    const collection = await collectionFor(req);
    const input = statementInputSchema.parse(req.body);
    const { statement, created } = await proposeStatement(
      deps,
      collection,
      input,
      callerOf(req).name,
    );
    res.status(created ? 201 : 200).json(statement);
  });

  router.get('/api/collections/:id/statements', async (req, res) => {
    const collection = await collectionFor(req);
    res.json({ statements: await deps.collections.statements(collection.id) });
  });

  router.post('/api/collections/:id/statements/:statementId/final', async (req, res) => {
    const collection = await collectionFor(req);
    const statementId = statementIdSchema.parse(req.params.statementId);
    res.json(await deps.collections.finalize(collection.id, statementId, callerOf(req).name));
  });

  /** Every final statement's lines, or one person's (`?person=`): for the accounts. */
  router.get('/api/collections/:id/statements.csv', async (req, res) => {
    const collection = await collectionFor(req, true);
    const person = z.string().max(200).optional().parse(req.query.person);
    const finals = (await deps.collections.statements(collection.id)).filter(
      (s) => s.state === 'final',
    );
    res
      .type('text/csv; charset=utf-8')
      .attachment(`${safeFileName(collection.title)} statements.csv`)
      .send(statementsCsv(finals, person));
  });

  return router;
}
