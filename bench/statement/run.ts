/**
 * bench/statement: the cost of exact split statements against the same sum in floating point.
 *
 * Shaped like RECollection Vol. 1: 471 contributors, a collection of 24 RECords (weighted by the
 * crew) whose lineage reaches 5 generations back through remixes of remixes, each RECord passing
 * 20 % to its parents. Rounds alternate between `splitStatement` (rationals, largest remainder,
 * remainders carried) and a plain-float version of the same walk rounded to the nearest minor
 * unit, on the same inputs, in the same process. Also printed: how far the float version's parts
 * miss the pool, the error exact arithmetic exists to avoid.
 *
 *   npm run bench:statement -- --contributors 471 --depth 5 --rounds 30
 */
import { parseArgs } from 'node:util';
import { statementInputSchema, type StatementInput } from '@showrec/protocol';
import {
  personKey,
  splitStatement,
  type LineageRecord,
} from '@showrec/show-server/src/collections/split-statement.ts';

const { values } = parseArgs({
  options: {
    contributors: { type: 'string', default: '471' },
    depth: { type: 'string', default: '5' },
    items: { type: 'string', default: '24' },
    rounds: { type: 'string', default: '30' },
  },
});
const people = Number(values.contributors);
const depth = Number(values.depth);
const itemCount = Number(values.items);
const rounds = Number(values.rounds);

/**
 * A deterministic lineage of `people` RECords, one maker each, in depth + 1 generations: the
 * collection's items on top, every RECord below a parent of at least one in the generation above
 * (so everyone is reached), and some remixes drawing on a second parent.
 */
function lineage(): LineageRecord[] {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) >>> 0;
    return seed % n;
  };
  const below = people - itemCount;
  const sizes = [
    ...Array.from(
      { length: depth },
      (_, g) => Math.floor(below / depth) + (g < below % depth ? 1 : 0),
    ),
    itemCount,
  ];
  const generations: LineageRecord[][] = [];
  let person = 0;
  sizes.forEach((size, g) => {
    generations.push(
      Array.from({ length: size }, (_, i) => ({
        id: `rec-g${g}-${i.toString().padStart(4, '0')}`,
        parents: [],
        contributors: [
          {
            participantId: `p${(person++).toString().padStart(4, '0')}`,
            name: `Person ${person}`,
            role: g === 0 ? ('recorded' as const) : ('remixed' as const),
          },
        ],
      })),
    );
    const earlier = generations[g - 1] ?? [];
    earlier.forEach((parent, j) => generations[g]![j % size]!.parents.push(parent.id));
    for (const child of generations[g]!) {
      if (earlier.length > 0 && rand(2) === 0)
        child.parents.push(earlier[rand(earlier.length)]!.id);
      child.parents = [...new Set(child.parents)];
    }
  });
  return generations.flat();
}

const records = lineage();
const byId = new Map(records.map((r) => [r.id, r]));
const items = records.slice(-itemCount);
const raw = items.map((_, i) => 1 + (i % 7));
const total = raw.reduce((a, b) => a + b, 0);
const weights = raw.map((w) => Math.floor((w * 10_000) / total));
weights[0]! += 10_000 - weights.reduce((a, b) => a + b, 0);
const input: StatementInput = statementInputSchema.parse({
  currency: 'USD',
  revenue: 12_345_678,
  costs: [{ label: 'pressing', amount: 2_345_671 }],
  weights: items.map((r, i) => ({
    recordId: r.id,
    weightBp: weights[i],
    creditLine: `track ${i + 1}`,
  })),
  maxDepth: depth,
});

/** The same walk in doubles, each person's part rounded to the nearest unit. */
function floatSplit(): { pool: number; paid: Map<string, number> } {
  const net = input.revenue - input.costs.reduce((a, c) => a + c.amount, 0);
  const pool = Math.floor((net * input.contributorShareBp) / 10_000);
  const share = new Map<string, number>();
  let generation = new Map(input.weights.map((w) => [w.recordId, (pool * w.weightBp) / 10_000]));
  for (let d = 0; generation.size > 0; d++) {
    const next = new Map<string, number>();
    for (const [id, amount] of generation) {
      const record = byId.get(id)!;
      const passes = d < input.maxDepth && record.parents.length > 0;
      const passed = passes ? (amount * input.parentShareBp) / 10_000 : 0;
      const makers = new Set(record.contributors.map(personKey));
      for (const key of makers)
        share.set(key, (share.get(key) ?? 0) + (amount - passed) / makers.size);
      for (const p of record.parents)
        next.set(p, (next.get(p) ?? 0) + passed / record.parents.length);
    }
    generation = next;
  }
  return { pool, paid: new Map([...share].map(([k, v]) => [k, Math.round(v)])) };
}

const exactMs: number[] = [];
const floatMs: number[] = [];
let exact = splitStatement(input, byId);
let float = floatSplit();
for (let round = 0; round < rounds; round++) {
  let t = performance.now();
  exact = splitStatement(input, byId);
  exactMs.push(performance.now() - t);
  t = performance.now();
  float = floatSplit();
  floatMs.push(performance.now() - t);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const floatSum = [...float.paid.values()].reduce((a, b) => a + b, 0);
console.log(
  `statement: ${exact.lines.length} people credited, ${records.length} RECords in the lineage, depth ${depth}, ${items.length} weighted, pool ${exact.pool} minor units, ${rounds} rounds`,
);
console.log(`exact (rationals, largest remainder): median ${median(exactMs).toFixed(2)} ms`);
console.log(`plain floating point, rounded:        median ${median(floatMs).toFixed(3)} ms`);
console.log(`ratio exact / float: ${(median(exactMs) / median(floatMs)).toFixed(1)}×`);
console.log(
  `parts add up to the pool: exact ${exact.lines.reduce((a, l) => a + l.earned, 0) - exact.pool} units off, float ${floatSum - float.pool} units off`,
);
