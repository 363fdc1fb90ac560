import { z } from 'zod';
import { idSchema } from './ids.js';

/** A show-server node as a phone reaches it: its id and public URL (where its socket.io is). */
export const nodeRefSchema = z.strictObject({ id: idSchema, url: z.string().url() });
export type NodeRef = z.infer<typeof nodeRefSchema>;

/**
 * What a show-server node tells the others through Redis, refreshed by heartbeat: where it is,
 * what it can hold and what it holds now. Placement reads it; a node missing it is taken for dead.
 */
export const nodeInfoSchema = z.strictObject({
  id: idSchema,
  url: z.string().url(),
  /** The address its WebRTC transports announce to phones. */
  rtcAddress: z.string(),
  capacity: z.strictObject({ streams: z.number().int(), mbps: z.number() }),
  load: z.strictObject({
    phones: z.number().int().min(0),
    streams: z.number().int().min(0),
    bps: z.number().min(0),
    /** The busiest mediasoup worker's share of a core, 0–1. */
    sfuCpu: z.number().min(0),
  }),
  /** Why it takes no more phones (at capacity, overloaded), or null. */
  full: z.string().nullable(),
  /** Draining: it takes no new phones and moves its own elsewhere. */
  draining: z.boolean(),
  startedAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type NodeInfo = z.infer<typeof nodeInfoSchema>;
