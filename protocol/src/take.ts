import { z } from 'zod';
import { idSchema } from './ids.js';

export const takeEndReasonSchema = z.enum([
  'stopped',
  'left',
  'disconnected',
  'recorder-died',
  'shutdown',
  /** The show-server recording it died; another process finalized what it had written. */
  'server-crashed',
]);
export type TakeEndReason = z.infer<typeof takeEndReasonSchema>;

export const rtpCountsSchema = z.object({
  packets: z.number().int().nonnegative(),
  lost: z.number().int().nonnegative(),
});

/**
 * A take's manifest, stored before recording starts and completed when it ends, so a crash
 * always leaves enough to find and file the recording.
 */
export const takeManifestSchema = z.object({
  id: idSchema,
  showId: idSchema,
  cueId: idSchema.nullable(),
  participant: z.object({ id: idSchema, name: z.string() }),
  status: z.enum(['recording', 'ended', 'failed']),
  /** The show-server process recording it; its heartbeat in Redis says it is alive. */
  serverId: idSchema.nullable().default(null),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  endReason: takeEndReasonSchema.nullable(),
  /** Path of the Matroska file, relative to the data directory. */
  file: z.string(),
  codecs: z.object({ audio: z.string().nullable(), video: z.string().nullable() }),
  rtp: z.object({ audio: rtpCountsSchema.nullable(), video: rtpCountsSchema.nullable() }),
  failure: z.string().nullable(),
  /**
   * The take this one carries on: the same phone, the same capture, after its connection dropped.
   * Together they are the parts of one recording.
   */
  continues: idSchema.nullable().default(null),
});
export type TakeManifest = z.infer<typeof takeManifestSchema>;
