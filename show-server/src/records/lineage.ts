import type { Contributor, Lineage, RECord } from '@showrec/protocol';
import type { RecordReader } from './record-reader.js';

/** Walks parents up and children down; a RECord is visited once, whatever the shape of the graph. */
export async function lineageOf(records: RecordReader, record: RECord): Promise<Lineage> {
  const walk = async (
    start: string[],
    next: (r: RECord) => Promise<string[]>,
  ): Promise<RECord[]> => {
    const seen = new Set<string>([record.id]);
    const found: RECord[] = [];
    let frontier = start;
    while (frontier.length > 0) {
      const batch = (
        await Promise.all(frontier.filter((id) => !seen.has(id)).map((id) => records.get(id)))
      ).filter((r): r is RECord => r !== null);
      for (const r of batch) seen.add(r.id);
      found.push(...batch);
      frontier = (await Promise.all(batch.map(next))).flat();
    }
    return found;
  };
  const ancestors = await walk(record.parents, async (r) => r.parents);
  const descendants = await walk(await records.children(record.id), (r) => records.children(r.id));
  return { record, ancestors, descendants, credits: mergeCredits([record, ...ancestors]) };
}

/** Everyone credited on these RECords, once each, in order of first mention. */
export function mergeCredits(records: RECord[]): Contributor[] {
  const credits: Contributor[] = [];
  for (const c of records.flatMap((r) => r.contributors)) {
    if (
      !credits.some(
        (k) => k.name === c.name && k.role === c.role && k.participantId === c.participantId,
      )
    )
      credits.push(c);
  }
  return credits;
}

/** A RECord's ancestors among RECords already in hand (a show's), nearest first. */
export function ancestorsIn(record: RECord, byId: Map<string, RECord>): RECord[] {
  const seen = new Set([record.id]);
  const found: RECord[] = [];
  let frontier = record.parents;
  while (frontier.length > 0) {
    const batch = frontier
      .filter((id) => !seen.has(id))
      .map((id) => byId.get(id))
      .filter((r): r is RECord => r !== undefined);
    for (const r of batch) seen.add(r.id);
    found.push(...batch);
    frontier = batch.flatMap((r) => r.parents);
  }
  return found;
}
