import { z } from 'zod';
import { idSchema } from './ids.js';

export const reviewStates = ['pending', 'selected', 'rejected'] as const;
export type ReviewState = (typeof reviewStates)[number];

export const reviewPatchSchema = z
  .strictObject({
    rating: z.number().int().min(1).max(5).nullable(),
    review: z.enum(reviewStates),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');

/** A note pinned to a moment of a RECord. */
export const noteInputSchema = z.strictObject({
  atMs: z.number().int().min(0),
  text: z.string().trim().min(1, 'the note is empty').max(500),
});
export interface ReviewNote {
  atMs: number;
  text: string;
  at: number;
}

/** The crew's view of a RECord, kept apart from it: the worker owns the media, the crew the verdict. */
export interface RecordReview {
  rating: number | null;
  review: ReviewState;
  notes: ReviewNote[];
}

export const trimBodySchema = z
  .strictObject({
    inMs: z.number().int().min(0),
    outMs: z.number().int().min(1),
    /** Who made the cut, credited on the new RECord. */
    editor: z.string().trim().min(1, 'the editor’s name is required').max(60),
  })
  .refine((t) => t.outMs > t.inMs, { message: 'outMs must be after inMs', path: ['outMs'] });

/** Edits that make new RECords from old ones, one processor per job name. */
export const EDIT_RECORD_QUEUE = 'edit-record';
export const TRIM_JOB = 'trim';
export const trimJobSchema = z.object({
  sourceId: idSchema,
  recordId: idSchema,
  inMs: z.number().int().min(0),
  outMs: z.number().int().min(1),
  editor: z.string(),
});
export type TrimJob = z.infer<typeof trimJobSchema>;
