import { createHash } from 'node:crypto';
import {
  DomainError,
  type Collection,
  type Statement,
  type StatementInput,
} from '@showrec/protocol';
import type { RecordReader } from '../records/record-reader.js';
import type { CollectionStore } from './collection-store.js';
import { readExact, splitStatement, type Carry, type LineageRecord } from './split-statement.js';

/** JSON with object keys sorted, so equal inputs hash equally whatever order they were built in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/**
 * The collection's RECords and their ancestors, as far back as a statement with `maxDepth`
 * reaches, each as the split needs it (parents and contributors sorted: order is not an input).
 */
async function lineageOf(
  records: RecordReader,
  ids: string[],
  maxDepth: number,
): Promise<Map<string, LineageRecord>> {
  const lineage = new Map<string, LineageRecord>();
  let frontier = ids;
  for (let depth = 0; frontier.length > 0 && depth <= maxDepth; depth++) {
    const found = await Promise.all(
      frontier.filter((id) => !lineage.has(id)).map((id) => records.get(id)),
    );
    const next: string[] = [];
    for (const record of found) {
      if (!record || lineage.has(record.id)) continue;
      lineage.set(record.id, {
        id: record.id,
        parents: [...record.parents].sort(),
        contributors: [...record.contributors].sort((a, b) =>
          canonicalJson(a) < canonicalJson(b) ? -1 : 1,
        ),
      });
      next.push(...record.parents);
    }
    frontier = next;
  }
  return lineage;
}

/**
 * Proposes a split statement for a collection: computed from its inputs, its RECords' lineage as
 * it stands and the remainders of the last final statement, and identified by the hash of all
 * of these. Append-only: a correction is a new statement naming the one it corrects.
 */
export async function proposeStatement(
  deps: { records: RecordReader; collections: CollectionStore },
  collection: Collection,
  input: StatementInput,
  by: string,
): Promise<{ statement: Statement; created: boolean }> {
  for (const w of input.weights) {
    if (!collection.records.includes(w.recordId))
      throw new DomainError('invalid', `RECord ${w.recordId} is not in this collection`);
  }
  const history = await deps.collections.statements(collection.id);
  if (input.corrects && !history.some((s) => s.id === input.corrects && s.state === 'final'))
    throw new DomainError(
      'invalid',
      `statement ${input.corrects} is not a final statement of this collection`,
    );
  const previous = history.findLast((s) => s.state === 'final') ?? null;
  const carries = new Map<string, Carry>(
    (previous?.lines ?? []).map((l) => [
      l.person,
      { name: l.name, rounding: readExact(l.roundingOut), held: l.heldOut },
    ]),
  );
  const lineage = await lineageOf(deps.records, collection.records, input.maxDepth);
  const split = splitStatement(input, lineage, carries);
  const id = createHash('sha256')
    .update(
      canonicalJson({
        collectionId: collection.id,
        previous: previous?.id ?? null,
        input,
        lineage: [...lineage.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
      }),
    )
    .digest('hex');
  return deps.collections.append({
    id,
    collectionId: collection.id,
    state: 'proposed',
    previous: previous?.id ?? null,
    input,
    ...split,
    createdAt: new Date().toISOString(),
    createdBy: by,
    finalizedAt: null,
    finalizedBy: null,
  });
}
