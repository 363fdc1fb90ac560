import { z } from 'zod';
import { idSchema } from './ids.js';

export const contributorSchema = z.object({
  /** The phone's participant; null for crew, who have no phone in the show. */
  participantId: idSchema.nullable(),
  name: z.string(),
  role: z.enum(['recorded', 'edited', 'remixed']),
});
export type Contributor = z.infer<typeof contributorSchema>;

/** A RECord: a filed contribution others can remix, crediting the people who made it. */
export const recordSchema = z.object({
  id: idSchema,
  showId: idSchema,
  cueId: idSchema.nullable(),
  /** The take it was filed from, or its source's take for a trim; null for an uploaded remix. */
  takeId: idSchema.nullable(),
  title: z.string(),
  contributors: z.array(contributorSchema).min(1),
  media: z.object({
    video: z.string(),
    poster: z.string(),
    durationMs: z.number().int().nonnegative(),
  }),
  createdAt: z.string(),
  status: z.literal('filed'),
  /** The RECord of the earlier part of the same recording, when its phone dropped off and came back. */
  continues: idSchema.nullable().default(null),
  /**
   * Which copy was filed: the server's recording, the phone's own (when it was more complete),
   * or a file the crew uploaded.
   */
  source: z.enum(['server', 'phone', 'upload']).default('server'),
  /** The file it was made from, relative to the data directory, offered as the original download. */
  original: z.string().nullable().default(null),
  /** The RECords this one was made from (a trim's source, a remix's material). */
  parents: z.array(idSchema).default([]),
  /** How long its phone was on the big screen while it recorded, in ms. */
  onScreenMs: z.number().int().nonnegative().default(0),
});
export type RECord = z.infer<typeof recordSchema>;

export const recordListSchema = z.object({ records: z.array(recordSchema) });

/** A take's RECord id is derived from the take id, so filing the same take twice is a no-op. */
export function recordIdForTake(takeId: string): string {
  return `rec-${takeId}`;
}

/** A phone's own RECords in a show ("Your RECords"), found by its device token. */
export const yourRecordsSchema = z.object({
  show: z.object({ id: idSchema, title: z.string(), joinCode: z.string() }),
  participant: z.object({ id: idSchema, name: z.string() }),
  records: z.array(recordSchema),
});
export type YourRecords = z.infer<typeof yourRecordsSchema>;

/** A one-time link that moves a phone's RECords to another device or browser. */
export const claimLinkSchema = z.object({ url: z.string(), expiresAt: z.number() });
export type ClaimLink = z.infer<typeof claimLinkSchema>;

/** What opening a claim link gives the new device: its own token for the show. */
export const claimedSchema = z.object({
  showId: idSchema,
  joinCode: z.string(),
  deviceToken: z.string(),
});
export type Claimed = z.infer<typeof claimedSchema>;

export const claimCodeSchema = z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'not a claim code');

/** A show's public page: its published RECords, with everyone credited along their lineage. */
export const publicRecordsSchema = z.object({
  show: z.object({
    id: idSchema,
    title: z.string(),
    venue: z.string(),
    date: z.string().nullable(),
  }),
  records: z.array(
    z.object({
      record: recordSchema,
      credits: z.array(contributorSchema),
      /** What it was made from, by title where that is published too. */
      parents: z.array(z.object({ id: idSchema, title: z.string().nullable() })),
    }),
  ),
});
export type PublicRecords = z.infer<typeof publicRecordsSchema>;
