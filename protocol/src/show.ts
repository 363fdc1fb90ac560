import { z } from 'zod';
import { cueSchema } from './cue.js';
import { idSchema, joinCodeSchema } from './ids.js';
import { defaultWallState, wallStateSchema } from './wall.js';

const showDetails = {
  title: z.string().trim().min(1, 'title is required').max(200),
  venue: z.string().trim().max(200),
  /** The show's date, YYYY-MM-DD. */
  date: z.iso.date().nullable(),
  /** Every phone uploads its own copy of every take, not only when the server's copy was cut. */
  alwaysUploadPhoneCopy: z.boolean(),
};

export const createShowBodySchema = z.strictObject({
  title: showDetails.title,
  venue: showDetails.venue.default(''),
  date: showDetails.date.default(null),
  alwaysUploadPhoneCopy: showDetails.alwaysUploadPhoneCopy.default(false),
});

export const updateShowBodySchema = z
  .strictObject(showDetails)
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export type ShowDetailsPatch = z.infer<typeof updateShowBodySchema>;
export type CreateShowBody = z.infer<typeof createShowBodySchema>;

export const showCreatedSchema = z.object({
  id: idSchema,
  joinCode: joinCodeSchema,
  joinUrl: z.string(),
  hostKey: z.string(),
  crewKey: z.string(),
  /**
   * For OSC senders off the show-server's own machine: /show/<id>/<oscKey>/go… (see the README's
   * OSC section). Shown once, like the other keys.
   */
  oscKey: z.string(),
  /** The control panel, with the host key in the fragment (never sent to a server). */
  controlUrl: z.string(),
  stageUrl: z.string(),
  /** The crew's review of the takes, with the crew key in the fragment. */
  reviewUrl: z.string(),
});
export type ShowCreated = z.infer<typeof showCreatedSchema>;

export const hostMessageSchema = z.object({ text: z.string(), at: z.number() });
export type HostMessage = z.infer<typeof hostMessageSchema>;

/** A crew member the host invited by name: their own key, so what they do is credited to them. */
export const crewMemberSchema = z.object({
  id: idSchema,
  name: z.string(),
  keyHash: z.string(),
  invitedAt: z.string(),
});
export type CrewMember = z.infer<typeof crewMemberSchema>;

export const crewInviteBodySchema = z.strictObject({
  name: z.string().trim().min(1, 'the crew member’s name is required').max(60),
});

/** An invite, with its key in the clear this once. */
export const crewInviteSchema = z.object({
  id: idSchema,
  name: z.string(),
  key: z.string(),
  reviewUrl: z.string(),
});
export type CrewInvite = z.infer<typeof crewInviteSchema>;

/** A show in the admin's list: enough to find yesterday's show. */
export const showSummarySchema = z.object({
  id: idSchema,
  title: z.string(),
  venue: z.string(),
  date: z.string().nullable(),
  createdAt: z.string(),
  state: z.enum(['not started', 'running', 'ended']),
  cues: z.number().int(),
  takes: z.number().int(),
  records: z.number().int(),
});
export type ShowSummary = z.infer<typeof showSummarySchema>;
export const showListSchema = z.object({ shows: z.array(showSummarySchema) });

/** A show as stored. Only hashes of its keys are kept. */
export const storedShowSchema = z.object({
  id: idSchema,
  title: z.string(),
  venue: z.string().default(''),
  date: z.string().nullable().default(null),
  alwaysUploadPhoneCopy: z.boolean().default(false),
  joinCode: joinCodeSchema,
  hostKeyHash: z.string(),
  crewKeyHash: z.string(),
  /** Null for a show made before OSC keys: only senders on the server's own machine may drive it. */
  oscKeyHash: z.string().nullable().default(null),
  createdAt: z.string(),
  cues: z.array(cueSchema).default([]),
  /** -1 before the first GO. */
  currentCueIndex: z.number().int().min(-1).default(-1),
  cueStartedAt: z.number().nullable().default(null),
  /** On hold: GO, back and jumps are refused until released. */
  standby: z.boolean().default(false),
  ended: z.boolean().default(false),
  lastMessage: hostMessageSchema.nullable().default(null),
  capture: z.object({
    running: z.boolean(),
    startedAt: z.number().nullable(),
    /** The capture cue that started it, if a cue did. */
    cueId: idSchema.nullable().default(null),
  }),
  /** Named crew, each with a key of their own (the shared crew key stays valid). */
  crew: z.array(crewMemberSchema).default([]),
  wall: wallStateSchema.default(defaultWallState),
  /** Bumped on every change, so concurrent writers detect each other. */
  version: z.number().int().default(0),
});
export type StoredShow = z.infer<typeof storedShowSchema>;

/** What anyone holding the join code may see. */
export const publicShowSchema = z.object({
  id: idSchema,
  title: z.string(),
  joinCode: joinCodeSchema,
});
export type PublicShow = z.infer<typeof publicShowSchema>;

export const phoneStatusSchema = z.object({
  participantId: z.string(),
  name: z.string(),
  state: z.enum(['standby', 'recording']),
  /** Video bitrate arriving at the SFU, bits per second. */
  bitrate: z.number(),
  packetsLost: z.number(),
  /** Recording, but nothing has arrived for a few seconds. */
  stalled: z.boolean(),
  /** The phone agrees to be shown on the big screen (it may say no when it joins, or later). */
  showOnStage: z.boolean(),
  /** Its camera is sending. */
  video: z.boolean(),
  /** It is on the stage now (see wall.ts's stageProgram). */
  onScreen: z.boolean(),
});
export type PhoneStatus = z.infer<typeof phoneStatusSchema>;

/**
 * What clients see of a show. The stage and phones get the public view: cue notes blanked and
 * no per-phone list; the host and crew get everything.
 */
export const showViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  venue: z.string(),
  date: z.string().nullable(),
  joinCode: z.string(),
  joinUrl: z.string(),
  cues: z.array(cueSchema),
  currentCueIndex: z.number().int(),
  cueStartedAt: z.number().nullable(),
  standby: z.boolean(),
  ended: z.boolean(),
  lastMessage: hostMessageSchema.nullable(),
  capture: z.object({ running: z.boolean(), takes: z.number(), recording: z.number() }),
  phones: z.object({
    joined: z.number(),
    recording: z.number(),
    list: z.array(phoneStatusSchema),
  }),
  /** Everyone who has recorded in this show so far, in order of their first take. */
  credits: z.array(z.string()),
  /** The stage wall as the host set it. */
  wall: wallStateSchema,
  /** For host and crew: what keeps the show from recording (disk below its floor…). */
  warnings: z.array(z.string()),
  /** The server's clock when this view was made, so clients can run countdowns without skew. */
  serverNow: z.number(),
});
export type ShowView = z.infer<typeof showViewSchema>;

/**
 * A GO names the cue it moves from (null: the show is before its first cue), so a GO pressed twice,
 * or at two desks at once, moves the show one cue: the second finds the show already moved and
 * changes nothing.
 */
export const goBodySchema = z.strictObject({
  expectedCueId: z.union([idSchema, z.null()], {
    error: 'name the cue this GO moves from: expectedCueId (null before the first cue)',
  }),
});
export type GoBody = z.infer<typeof goBodySchema>;

/** Asks for a short-lived signed link to a download (a RECord's video or original, credits, selects). */
export const downloadLinkBodySchema = z.strictObject({ path: z.string().max(300) });
export const downloadLinkSchema = z.object({ url: z.string(), expiresAt: z.number() });
export type DownloadLink = z.infer<typeof downloadLinkSchema>;

export const captureChangedSchema = z.object({
  running: z.boolean(),
  takeIds: z.array(idSchema),
});
export type CaptureChanged = z.infer<typeof captureChangedSchema>;
