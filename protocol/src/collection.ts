import { z } from 'zod';
import { idSchema } from './ids.js';
import { contributorSchema } from './record.js';

/** An anthology: RECords from one or more shows, in the order the crew put them. */
export const collectionInputSchema = z.strictObject({
  title: z.string().trim().min(1, 'a title is required').max(200),
  records: z
    .array(idSchema)
    .min(1, 'a collection holds at least one RECord')
    .max(500)
    .refine((ids) => new Set(ids).size === ids.length, 'a RECord is in a collection once'),
});
export type CollectionInput = z.infer<typeof collectionInputSchema>;

export const collectionSchema = z.object({
  id: idSchema,
  title: z.string(),
  records: z.array(idSchema),
  /** The shows its RECords come from: who may see or change it is decided show by show. */
  showIds: z.array(idSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Who assembled it (a named crew member, or "admin"/"host"/"crew" for a shared key). */
  createdBy: z.string(),
});
export type Collection = z.infer<typeof collectionSchema>;

/** Everyone credited along a collection's lineage, once each, grouped by role. */
export const creditsRollSchema = z.object({
  collectionId: idSchema,
  title: z.string(),
  roles: z.array(
    z.object({
      role: contributorSchema.shape.role,
      people: z.array(z.object({ name: z.string(), records: z.array(idSchema) })),
    }),
  ),
});
export type CreditsRoll = z.infer<typeof creditsRollSchema>;

const minorUnits = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const basisPoints = z.number().int().min(0).max(10_000);
export const statementIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'not a statement id');

/**
 * What a split statement is made from. Money is in integer minor units (cents, pence…) of one
 * currency; shares and weights are basis points (1/100 of a percent).
 */
export const statementInputSchema = z
  .strictObject({
    currency: z.string().regex(/^[A-Z]{3}$/, 'a currency is a 3-letter ISO 4217 code, e.g. USD'),
    revenue: minorUnits,
    costs: z
      .array(z.strictObject({ label: z.string().trim().min(1).max(120), amount: minorUnits }))
      .max(200)
      .default([]),
    /** The contributors' part of the profit: hitRECord shares 50 %. */
    contributorShareBp: basisPoints.default(5000),
    /** The crew's weight for each RECord of the collection, and the line that says why. */
    weights: z
      .array(
        z.strictObject({
          recordId: idSchema,
          weightBp: basisPoints,
          creditLine: z.string().trim().min(1, 'each weight needs a credit line').max(300),
        }),
      )
      .min(1)
      .refine(
        (ws) => new Set(ws.map((w) => w.recordId)).size === ws.length,
        'a RECord is weighted once',
      )
      .refine(
        (ws) => ws.reduce((sum, w) => sum + w.weightBp, 0) === 10_000,
        'the weights are basis points of the pool: they add up to 10000',
      ),
    /** What each RECord passes on to the RECords it was made from, split by their weights. */
    parentShareBp: basisPoints.default(2000),
    /** How many generations of parents share in a RECord's part. */
    maxDepth: z.number().int().min(0).max(10).default(5),
    /** Amounts below this are held for the person until they reach it. */
    payoutThreshold: minorUnits.default(0),
    /** The statement this one corrects: it stays as it was, this one follows the last final one. */
    corrects: statementIdSchema.nullable().default(null),
  })
  .refine((s) => s.costs.reduce((sum, c) => sum + c.amount, 0) <= Number.MAX_SAFE_INTEGER, {
    message: 'the costs add up to more than can be counted exactly',
    path: ['costs'],
  });
export type StatementInput = z.infer<typeof statementInputSchema>;

/** An exact amount of minor units as "numerator/denominator". */
export const exactAmountSchema = z.string().regex(/^-?\d+\/\d+$/);

export const statementLineSchema = z.object({
  /** A stable key for the person: their participant id, or their name for crew. */
  person: z.string(),
  name: z.string(),
  /** Their exact part of this statement's pool, before rounding. */
  exact: exactAmountSchema,
  /** What rounding left them owed (positive) or ahead (negative) from earlier statements. */
  roundingIn: exactAmountSchema,
  /**
   * Their part in whole minor units: the pool's parts add up to the pool exactly. −1 at worst,
   * when rounding had them ahead and this pool cannot cover it: held against later earnings.
   */
  earned: z.number().int(),
  roundingOut: exactAmountSchema,
  /** Held from earlier statements (under the payout threshold). */
  heldIn: z.number().int(),
  /** Paid out with this statement. */
  payable: z.number().int(),
  /** Held for the next statement (below zero: a rounding correction still to be recouped). */
  heldOut: z.number().int(),
  /** Their exact part by RECord of the collection it came through. */
  by: z.array(z.object({ recordId: idSchema, exact: exactAmountSchema })),
});
export type StatementLine = z.infer<typeof statementLineSchema>;

export const statementSchema = z.object({
  /** The SHA-256 of everything it was computed from: the same inputs are the same statement. */
  id: statementIdSchema,
  collectionId: idSchema,
  state: z.enum(['proposed', 'final']),
  /** The final statement whose carries this one takes on; null for the first. */
  previous: statementIdSchema.nullable(),
  input: statementInputSchema,
  net: z.number().int(),
  pool: z.number().int(),
  lines: z.array(statementLineSchema),
  createdAt: z.string(),
  createdBy: z.string(),
  finalizedAt: z.string().nullable(),
  finalizedBy: z.string().nullable(),
});
export type Statement = z.infer<typeof statementSchema>;
