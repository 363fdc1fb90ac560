import type { Collection, CreditsRoll, RECord } from '@showrec/protocol';
import { personKey } from './split-statement.js';

const ROLE_ORDER = ['recorded', 'remixed', 'edited'] as const;

/**
 * Everyone credited along each RECord's whole lineage, once per role, in the order the
 * collection first reaches them; each with the collection's RECords they are credited through.
 */
export function creditsRoll(
  collection: Collection,
  items: RECord[],
  ancestorsOf: (record: RECord) => RECord[],
): CreditsRoll {
  const byRole = new Map<string, Map<string, { name: string; records: string[] }>>();
  for (const item of items) {
    for (const c of [item, ...ancestorsOf(item)].flatMap((r) => r.contributors)) {
      const people = byRole.get(c.role) ?? new Map<string, { name: string; records: string[] }>();
      byRole.set(c.role, people);
      const person = people.get(personKey(c)) ?? { name: c.name, records: [] };
      people.set(personKey(c), person);
      if (!person.records.includes(item.id)) person.records.push(item.id);
    }
  }
  return {
    collectionId: collection.id,
    title: collection.title,
    roles: ROLE_ORDER.filter((role) => byRole.has(role)).map((role) => ({
      role,
      people: [...byRole.get(role)!.values()],
    })),
  };
}
