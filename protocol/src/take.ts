import { z } from 'zod';
import { idSchema } from './ids.js';

export const takeEndReasonSchema = z.enum([
  'stopped',
  'left',
  'disconnected',
  'recorder-died',
  'shutdown',
  /** Its node was draining and asked the phone to move; the recording carries on there. */
  'moved',
  /** The show-server recording it died; another process finalized what it had written. */
  'server-crashed',
]);
export type TakeEndReason = z.infer<typeof takeEndReasonSchema>;

/** A process named by pid and start time on its host (see infra's processes/process-identity). */
export const processIdentitySchema = z.object({
  pid: z.number().int().positive(),
  startTime: z.number().int().nonnegative(),
  host: z.string(),
});

export const rtpCountsSchema = z.object({
  packets: z.number().int().nonnegative(),
  lost: z.number().int().nonnegative(),
});

export const storedSegmentSchema = z.object({
  key: z.string(),
  bytes: z.number().int().nonnegative(),
});
export type StoredSegment = z.infer<typeof storedSegmentSchema>;

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
  /**
   * The show-server process recording it: while that very process runs, its takes are its own,
   * whatever its heartbeat says (it may only have lost Redis for a while).
   */
  serverProcess: processIdentitySchema.nullable().default(null),
  /** The recorder process writing it, so recovery after a crash stops exactly that process. */
  recorder: processIdentitySchema.nullable().default(null),
  startedAt: z.number(),
  /**
   * When its recorder was running and the phone was told it records (seconds after `startedAt`
   * on a loaded machine); null until then.
   */
  recordingAt: z.number().nullable().default(null),
  endedAt: z.number().nullable(),
  endReason: takeEndReasonSchema.nullable(),
  /**
   * The take as one Matroska file: its key in the media store (a path below the data directory).
   * A take recorded in segments gets this file when the worker joins them.
   */
  file: z.string(),
  /**
   * The recorder's Matroska segments (about 10 s each), in order, as the store confirmed them;
   * each was uploaded and checked as it closed, while the take went on.
   */
  segments: z.array(storedSegmentSchema).default([]),
  codecs: z.object({ audio: z.string().nullable(), video: z.string().nullable() }),
  rtp: z.object({ audio: rtpCountsSchema.nullable(), video: rtpCountsSchema.nullable() }),
  failure: z.string().nullable(),
  /**
   * The take this one carries on: the same phone, the same capture, after its connection dropped.
   * Together they are the parts of one recording.
   */
  continues: idSchema.nullable().default(null),
  /** The server asked the phone for its own recording of this take (the server's copy was cut or lossy). */
  uploadRequested: z.boolean().default(false),
  /** The phone's own recording, once uploaded in full. */
  phoneCopy: z
    .object({ file: z.string(), bytes: z.number().int().nonnegative() })
    .nullable()
    .default(null),
  /** When the phone was on the stage during the take (epoch ms), so its credits can say so. */
  onScreen: z.array(z.object({ from: z.number(), to: z.number() })).default([]),
});

/** How long a take's phone was on the stage, in ms. */
export function onScreenMs(spans: Array<{ from: number; to: number }>): number {
  return spans.reduce((sum, s) => sum + Math.max(0, s.to - s.from), 0);
}

/** The phone's upload of its own copy of a take: how much the server holds, to resume from. */
export const uploadProgressSchema = z.object({
  takeId: idSchema,
  offset: z.number().int().nonnegative(),
});
export type UploadProgress = z.infer<typeof uploadProgressSchema>;
export type TakeManifest = z.infer<typeof takeManifestSchema>;
