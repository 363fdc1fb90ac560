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
export const reviewNoteSchema = z.object({
  atMs: z.number(),
  text: z.string(),
  at: z.number(),
  /** Who wrote it: a named crew member, or the role of a shared key. */
  by: z.string().default('crew'),
});
export type ReviewNote = z.infer<typeof reviewNoteSchema>;

/** The crew's view of a RECord, kept apart from it: the worker owns the media, the crew the verdict. */
export const recordReviewSchema = z.object({
  rating: z.number().nullable(),
  review: z.enum(reviewStates),
  notes: z.array(reviewNoteSchema),
  /** Who gave the last verdict or rating, and when. */
  reviewedBy: z.string().nullable().default(null),
  reviewedAt: z.number().nullable().default(null),
  /** Published: on the show's public page, its media open to anyone. */
  published: z.object({ by: z.string(), at: z.number() }).nullable().default(null),
});

export const publishBodySchema = z.strictObject({ published: z.boolean() });
export type RecordReview = z.infer<typeof recordReviewSchema>;

export const trimBodySchema = z
  .strictObject({
    inMs: z.number().int().min(0),
    outMs: z.number().int().min(1),
    /** Who made the cut, credited on the new RECord; left out, the key's holder is. */
    editor: z.string().trim().min(1, 'the editor’s name is empty').max(60).optional(),
  })
  .refine((t) => t.outMs > t.inMs, { message: 'outMs must be after inMs', path: ['outMs'] });

/** Edits that make new RECords from old ones, one processor per job name. */
/** What a trim or a remix upload answers: the RECord it will make (202), and what it is made from. */
export const editRequestedSchema = z.object({ recordId: idSchema, parents: z.array(idSchema) });
export type EditRequested = z.infer<typeof editRequestedSchema>;

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

/** Lines up every filed take of a show that overlaps another in time; one job per show at a time. */
export const ALIGN_JOB = 'align';
export const alignJobSchema = z.object({ showId: idSchema });
export type AlignJob = z.infer<typeof alignJobSchema>;

/** Files a crew member's uploaded media as a new RECord made from `parents`. */
export const FILE_UPLOAD_JOB = 'file-upload';
export const fileUploadJobSchema = z.object({
  recordId: idSchema,
  showId: idSchema,
  /** The accepted upload, relative to the data directory. */
  file: z.string(),
  title: z.string(),
  contributor: z.string(),
  /** The remixer's participant, when a contributor's phone uploaded it. */
  participantId: idSchema.nullable().default(null),
  parents: z.array(idSchema),
});
export type FileUploadJob = z.infer<typeof fileUploadJobSchema>;

export type EditJob = TrimJob | AlignJob | FileUploadJob;

/**
 * Where a RECord sits on its show's timeline. `startsAt` is the server-clock time of its first
 * frame; `offsetMs` is the same, relative to the start of the reference take (the one with the
 * best audio among those it overlaps). `method` says how it was found: the reference itself, audio
 * cross-correlation, or the server clock alone (no usable audio overlap).
 */
export const alignmentSchema = z.object({
  referenceId: idSchema,
  offsetMs: z.number().int(),
  startsAt: z.number().int(),
  method: z.enum(['reference', 'audio', 'clock']),
  /** How far the correlation peak stood out of the rest, in standard deviations; null when not measured. */
  confidence: z.number().nullable(),
});
export type Alignment = z.infer<typeof alignmentSchema>;

/**
 * The fields of a remix upload (multipart/form-data, beside the `file` part), posted to its show's
 * records: the show is named in the path so the caller's key is checked before the body is read.
 */
export const remixFieldsSchema = z.strictObject({
  title: z.string().trim().min(1, 'a title is required').max(200),
  /** Left out by a contributor's phone: the name it joined the show with. */
  contributor: z.string().trim().min(1, 'the contributor’s name is required').max(60).optional(),
  /** The RECords it builds on, comma-separated. */
  parents: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(z.array(idSchema).max(50)),
});
export const REMIX_EXTENSIONS = ['mp4', 'mov', 'm4v', 'webm', 'mkv'] as const;
