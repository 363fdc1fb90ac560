import { createHash } from 'node:crypto';
import Fraction from 'fraction.js';
import type { Contributor, StatementInput, StatementLine } from '@showrec/protocol';

/** A RECord as the split sees it: who made it and what it was made from. */
export interface LineageRecord {
  id: string;
  parents: string[];
  contributors: Contributor[];
}

/** What a person brings from the last final statement. */
export interface Carry {
  name: string;
  /** Exact minor units rounding left them owed (positive) or ahead (negative). */
  rounding: Fraction;
  /** Whole minor units held under the payout threshold. */
  held: number;
}

export interface Split {
  net: number;
  pool: number;
  lines: StatementLine[];
}

const BP = 10_000n;

/** The same person in every RECord: their participant id, or for crew their name. */
export function personKey(c: Contributor): string {
  return c.participantId ? `participant:${c.participantId}` : `name:${c.name.trim().toLowerCase()}`;
}

/** Exact amounts are written "numerator/denominator", integers too, so they read back alike. */
export function writeExact(f: Fraction): string {
  return `${f.s * f.n}/${f.d}`;
}

/** An exact amount as written in a statement, back to a rational. */
export function readExact(text: string): Fraction {
  const [n, d] = text.split('/');
  return new Fraction(BigInt(n!), BigInt(d!));
}

function bp(value: number): Fraction {
  return new Fraction(BigInt(value), BP);
}

/**
 * Splits a collection's profit among everyone credited along its RECords' lineage.
 *
 * pool = ⌊(revenue − costs) × contributor share⌋; each weighted RECord gets its basis points of
 * the pool; a RECord passes `parentShareBp` of what it gets to its parents (equally), up to
 * `maxDepth` generations, and the rest goes to its contributors equally. All of this is exact
 * (rationals). Each person's exact part plus what rounding left them from earlier statements is
 * then rounded by largest remainder, so the parts add up to the pool exactly and nobody is ever
 * more than one minor unit from their exact due, however many statements follow. Ties go by a
 * hash of the person, never by the order of the inputs.
 */
export function splitStatement(
  input: StatementInput,
  lineage: ReadonlyMap<string, LineageRecord>,
  carries: ReadonlyMap<string, Carry> = new Map(),
): Split {
  const net = input.revenue - input.costs.reduce((sum, c) => sum + c.amount, 0);
  const pool = Number((BigInt(Math.max(0, net)) * BigInt(input.contributorShareBp)) / BP);
  const parentShare = bp(input.parentShareBp);

  const people = new Map<string, { names: Set<string>; by: Map<string, Fraction> }>();
  const credit = (key: string, name: string, item: string, amount: Fraction) => {
    const person = people.get(key) ?? { names: new Set(), by: new Map() };
    people.set(key, person);
    person.names.add(name);
    person.by.set(item, (person.by.get(item) ?? new Fraction(0)).add(amount));
  };

  // Amounts flow a generation at a time, merged per (RECord, collection item), so a RECord that
  // is an ancestor along many paths is visited once per generation, not once per path.
  let generation = new Map<string, Map<string, Fraction>>();
  for (const w of input.weights) {
    if (w.weightBp === 0) continue;
    generation.set(w.recordId, new Map([[w.recordId, bp(w.weightBp).mul(pool)]]));
  }
  for (let depth = 0; generation.size > 0; depth++) {
    const next = new Map<string, Map<string, Fraction>>();
    for (const [recordId, byItem] of generation) {
      const record = lineage.get(recordId);
      if (!record) throw new Error(`the lineage does not hold RECord ${recordId}`);
      const parents = [...new Set(record.parents)].filter((id) => lineage.has(id));
      const passes = depth < input.maxDepth && parents.length > 0 && input.parentShareBp > 0;
      const makers = new Map(record.contributors.map((c) => [personKey(c), c.name]));
      for (const [item, amount] of byItem) {
        const passed = passes ? amount.mul(parentShare) : new Fraction(0);
        const kept = amount.sub(passed).div(makers.size);
        for (const [key, name] of makers) credit(key, name, item, kept);
        for (const parent of parents) {
          const toParent = next.get(parent) ?? new Map<string, Fraction>();
          next.set(parent, toParent);
          toParent.set(
            item,
            (toParent.get(item) ?? new Fraction(0)).add(passed.div(parents.length)),
          );
        }
      }
    }
    generation = next;
  }

  for (const [key, carry] of carries) {
    if (!people.has(key)) people.set(key, { names: new Set([carry.name]), by: new Map() });
  }

  const owed = [...people.entries()].map(([key, person]) => {
    const exact = [...person.by.values()].reduce((a, b) => a.add(b), new Fraction(0));
    const roundingIn = carries.get(key)?.rounding ?? new Fraction(0);
    const due = exact.add(roundingIn);
    const whole = due.floor();
    return { key, person, exact, roundingIn, due, floor: Number(whole.s * whole.n) };
  });

  // Largest remainder: everyone gets the whole part of what they are due, and the units left
  // go to the largest fractions. Someone rounding left ahead (due < 0) comes first, so they get
  // 0; only when the pool cannot cover all of them does one get −1 — a one-unit correction the
  // payout below holds against their later earnings, never paid by anyone else.
  const rank = (o: (typeof owed)[number]) => ({
    negative: o.due.compare(0) < 0,
    remainder: o.due.sub(o.floor),
    tiebreak: createHash('sha256').update(o.key).digest('hex'),
  });
  const ranked = owed.map((o) => ({ o, r: rank(o) }));
  ranked.sort(
    (a, b) =>
      Number(b.r.negative) - Number(a.r.negative) ||
      b.r.remainder.compare(a.r.remainder) ||
      (a.r.tiebreak < b.r.tiebreak ? -1 : 1),
  );
  let unitsLeft = pool - owed.reduce((sum, o) => sum + o.floor, 0);
  const earned = new Map<string, number>();
  for (const { o } of ranked) {
    const extra = unitsLeft > 0 && o.due.compare(o.floor) > 0 ? 1 : 0;
    unitsLeft -= extra;
    earned.set(o.key, o.floor + extra);
  }
  if (unitsLeft !== 0) throw new Error(`rounding left ${unitsLeft} minor units unallocated`);

  const lines = owed.map((o): StatementLine => {
    const got = earned.get(o.key)!;
    const heldIn = carries.get(o.key)?.held ?? 0;
    // Under the threshold (or a rounding correction below zero) is held for the same person.
    const total = heldIn + got;
    const paid = total > 0 && total >= input.payoutThreshold ? total : 0;
    return {
      person: o.key,
      name: [...o.person.names].sort()[0]!,
      exact: writeExact(o.exact),
      roundingIn: writeExact(o.roundingIn),
      earned: got,
      roundingOut: writeExact(o.due.sub(got)),
      heldIn,
      payable: paid,
      heldOut: total - paid,
      by: [...o.person.by.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([recordId, amount]) => ({ recordId, exact: writeExact(amount) })),
    };
  });
  lines.sort((a, b) => (a.person < b.person ? -1 : a.person > b.person ? 1 : 0));
  return { net, pool, lines };
}
