import { z } from 'zod';
import { alignmentSchema, recordReviewSchema } from './review.js';
import { contributorSchema, recordSchema } from './record.js';

/** `waiting`: queued, but no media-worker is running to file it. */
export const reviewItemStatuses = [
  'recording',
  'waiting',
  'processing',
  'filed',
  'failed',
] as const;
export type ReviewItemStatus = (typeof reviewItemStatuses)[number];

/**
 * One thing the crew reviews: a phone's take (from the moment it starts recording), or a RECord
 * made from others (a trim, a remix upload), from the moment it is asked for.
 */
export const reviewItemSchema = z.object({
  /** The RECord's id, known before it is filed. */
  id: z.string(),
  kind: z.enum(['take', 'trim', 'remix']),
  takeId: z.string().nullable(),
  cueId: z.string().nullable(),
  title: z.string(),
  contributors: z.array(contributorSchema),
  /** Server-clock ms: when a take started recording, or when an edit was asked for. */
  startedAt: z.number(),
  status: z.enum(reviewItemStatuses),
  /** 0–100 while processing. */
  progress: z.number().nullable(),
  /** Why it could not be filed. */
  failure: z.string().nullable(),
  record: recordSchema.nullable(),
  review: recordReviewSchema,
  alignment: alignmentSchema.nullable(),
});
export type ReviewItem = z.infer<typeof reviewItemSchema>;

export const reviewBoardSchema = z.object({
  show: z.object({
    id: z.string(),
    title: z.string(),
    cues: z.array(z.object({ id: z.string(), title: z.string() })),
  }),
  items: z.array(reviewItemSchema),
});
export type ReviewBoard = z.infer<typeof reviewBoardSchema>;

/** Where a RECord comes from and what was made of it, with everyone credited along the way. */
export const lineageSchema = z.object({
  record: recordSchema,
  ancestors: z.array(recordSchema),
  descendants: z.array(recordSchema),
  /** Its own contributors and everyone credited on the RECords it was made from, once each. */
  credits: z.array(contributorSchema),
});
export type Lineage = z.infer<typeof lineageSchema>;

/** What the review page hears live, in the show's host-and-crew room. */
export interface ReviewProgress {
  id: string;
  progress: number;
}
