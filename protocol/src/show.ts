import { z } from 'zod';
import { idSchema, joinCodeSchema } from './ids.js';

export const createShowBodySchema = z.strictObject({
  title: z.string().trim().min(1, 'title is required').max(200),
});
export type CreateShowBody = z.infer<typeof createShowBodySchema>;

export const showCreatedSchema = z.object({
  id: idSchema,
  joinCode: joinCodeSchema,
  joinUrl: z.string(),
  hostKey: z.string(),
});
export type ShowCreated = z.infer<typeof showCreatedSchema>;

/** A show as stored. Only a hash of the host key is kept. */
export const storedShowSchema = z.object({
  id: idSchema,
  title: z.string(),
  joinCode: joinCodeSchema,
  hostKeyHash: z.string(),
  createdAt: z.string(),
  capture: z.object({
    running: z.boolean(),
    startedAt: z.number().nullable(),
  }),
});
export type StoredShow = z.infer<typeof storedShowSchema>;

/** What anyone holding the join code may see. */
export const publicShowSchema = z.object({
  id: idSchema,
  title: z.string(),
  joinCode: joinCodeSchema,
});
export type PublicShow = z.infer<typeof publicShowSchema>;

export const captureChangedSchema = z.object({
  running: z.boolean(),
  takeIds: z.array(idSchema),
});
export type CaptureChanged = z.infer<typeof captureChangedSchema>;
