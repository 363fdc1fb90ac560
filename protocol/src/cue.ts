import { z } from 'zod';
import { idSchema } from './ids.js';

export const cueKinds = [
  'title',
  'join',
  'capture',
  'message',
  'countdown',
  'credits',
  /** The audience's phones live on the stage (see wall.ts). */
  'wall',
] as const;
export type CueKind = (typeof cueKinds)[number];

/** A cue's editable fields, none required: the shape of a PATCH. */
const cueFields = {
  kind: z.enum(cueKinds),
  /** What the stage shows. */
  text: z.string().trim().max(500),
  performer: z.string().trim().max(120),
  /** What phones show while the cue is live, e.g. "Film the stage now". */
  prompt: z.string().trim().max(200),
  plannedDurationSec: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .nullable(),
  /** For the host only; never sent to the stage or to phones. */
  notes: z.string().max(2000),
  /** A capture cue stops capture on the next GO unless this is false. */
  captureStopsOnNextGo: z.boolean(),
};

export const cueInputSchema = z.strictObject({
  kind: cueFields.kind,
  text: cueFields.text.default(''),
  performer: cueFields.performer.default(''),
  prompt: cueFields.prompt.default(''),
  plannedDurationSec: cueFields.plannedDurationSec.default(null),
  notes: cueFields.notes.default(''),
  captureStopsOnNextGo: cueFields.captureStopsOnNextGo.default(true),
});
export type CueInput = z.input<typeof cueInputSchema>;

export const cuePatchSchema = z
  .strictObject(cueFields)
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');

export const cueSchema = cueInputSchema.extend({ id: idSchema });
export type Cue = z.infer<typeof cueSchema>;

export const cueOrderSchema = z.strictObject({ ids: z.array(idSchema).max(500) });
export type CuePatch = z.infer<typeof cuePatchSchema>;

/** How a cue is named outside the run of show (review, credits, export folders): its place and words. */
export function cueLabel(cue: Cue, index: number): string {
  const words = [cue.text, cue.performer].filter(Boolean).join(' · ');
  return `${index + 1}. ${words || cue.kind}`;
}
