import { z } from 'zod';
import { idSchema, joinCodeSchema } from './ids.js';
import {
  dtlsParametersSchema,
  rtpCapabilitiesSchema,
  rtpParametersSchema,
} from './rtp-parameters.js';
import {
  captureChangedSchema,
  goBodySchema,
  publicShowSchema,
  type HostMessage,
  type PhoneStatus,
  type ShowView,
} from './show.js';
import type { ErrorCode } from './errors.js';
import type { NodeRef } from './node.js';
import type { ReviewProgress } from './review-board.js';
import {
  viewerWatchSchema,
  wallPatchSchema,
  type ViewerConsumer,
  type ViewerState,
} from './wall.js';

/**
 * Socket.io signalling. Every client event carries one payload object and an ack callback;
 * the ack answers `{ ok: true, data }` or `{ ok: false, error }`.
 */
export type Ack<T> =
  { ok: true; data: T } | { ok: false; error: string; code: ErrorCode | 'internal' };

/** Who a socket is, declared in socket.io's `auth` when it connects. */
export const socketAuthSchema = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('audience') }),
  /** The stage display: read-only, sees the public view of one show. */
  z.strictObject({ role: z.literal('stage'), showId: idSchema }),
  z.strictObject({ role: z.literal('host'), showId: idSchema, key: z.string().min(1).max(200) }),
  z.strictObject({ role: z.literal('crew'), showId: idSchema, key: z.string().min(1).max(200) }),
]);
export type SocketAuth = z.infer<typeof socketAuthSchema>;
export type SocketRole = SocketAuth['role'];

export const joinPayloadSchema = z.strictObject({
  joinCode: joinCodeSchema,
  name: z.string().trim().min(1, 'your name is required').max(60),
  deviceToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,64}$/)
    .optional(),
  /** The node that placed this phone here: join here or say why not, never send it on again. */
  node: idSchema.optional(),
  /** Nodes this phone could not reach just now: not to be placed on again. */
  unreachable: z.array(idSchema).max(16).optional(),
  /** False: never put this phone on the big screen (default: it may be). */
  showOnStage: z.boolean().optional(),
});
export type JoinPayload = z.infer<typeof joinPayloadSchema>;

export const connectTransportPayloadSchema = z.strictObject({
  transportId: z.string().uuid(),
  dtlsParameters: dtlsParametersSchema,
});

export const producePayloadSchema = z.strictObject({
  transportId: z.string().uuid(),
  kind: z.enum(['audio', 'video']),
  rtpParameters: rtpParametersSchema,
});

const emptyPayload = z.strictObject({});

/** Watching the phones live (stage wall, control panel tiles): a receive transport and what it shows. */
const viewerEvents = {
  'viewer:join': emptyPayload,
  'viewer:transport': z.strictObject({ rtpCapabilities: rtpCapabilitiesSchema }),
  'viewer:connect': z.strictObject({
    transportId: z.string().uuid(),
    dtlsParameters: dtlsParametersSchema,
  }),
  'viewer:watch': viewerWatchSchema,
};

/** Events each role may send, with the schema of their payload. */
export const clientEventSchemas = {
  audience: {
    join: joinPayloadSchema,
    'transport:create': emptyPayload,
    'transport:connect': connectTransportPayloadSchema,
    produce: producePayloadSchema,
    'media:ready': emptyPayload,
    consent: z.strictObject({ showOnStage: z.boolean() }),
  },
  host: {
    go: goBodySchema,
    back: emptyPayload,
    'cue:jump': z.strictObject({ index: z.number().int().min(-1) }),
    standby: z.strictObject({ on: z.boolean() }),
    'show:end': emptyPayload,
    'message:send': z.strictObject({
      text: z.string().trim().min(1, 'the message is empty').max(280),
    }),
    'capture:start': emptyPayload,
    'capture:stop': emptyPayload,
    'wall:set': wallPatchSchema,
    ...viewerEvents,
  },
  stage: viewerEvents,
  crew: {},
} as const;

export type AudienceEvent = keyof (typeof clientEventSchemas)['audience'];
export type HostEvent = keyof (typeof clientEventSchemas)['host'];

export type RecordingState =
  { state: 'standby' } | { state: 'recording'; takeId: string; startedAt: number };

export interface JoinResult {
  participantId: string;
  deviceToken: string;
  show: z.infer<typeof publicShowSchema>;
  view: ShowView;
  routerRtpCapabilities: Record<string, unknown>;
  recording: RecordingState;
  /** The node this phone is on, and the others it may fall back on if it loses this one. */
  node: NodeRef;
  nodes: NodeRef[];
}

/** The join answer of a node that placed the phone on another: connect there and join again. */
export interface JoinElsewhere {
  moveTo: NodeRef;
}

export interface TransportCreated {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
}

/** What each client event answers with. */
export interface ClientEventResults {
  join: JoinResult | JoinElsewhere;
  'transport:create': TransportCreated;
  'transport:connect': Record<string, never>;
  produce: { producerId: string };
  'media:ready': RecordingState;
  go: ShowView;
  back: ShowView;
  'cue:jump': ShowView;
  standby: ShowView;
  'show:end': ShowView;
  'message:send': ShowView;
  'capture:start': z.infer<typeof captureChangedSchema>;
  'capture:stop': z.infer<typeof captureChangedSchema>;
  consent: { showOnStage: boolean };
  'wall:set': ShowView;
  'viewer:join': { routerRtpCapabilities: Record<string, unknown>; state: ViewerState };
  'viewer:transport': TransportCreated;
  'viewer:connect': Record<string, never>;
  'viewer:watch': ViewerState;
}

export type ClientEvent = keyof ClientEventResults;

export interface ServerToClientEvents {
  recording: (state: RecordingState) => void;
  /** Sent on every change of the show, to everyone in it (public or full view by role). */
  'show:state': (view: ShowView) => void;
  'show:message': (message: HostMessage) => void;
  /**
   * Host and crew: what arrives from the phones one show-server process holds, every few seconds
   * while it changes; merged by participant into the view's list.
   */
  'phones:status': (statuses: PhoneStatus[]) => void;
  /** This node is draining: join again through any node (the phone's take carries on there). */
  'node:move': () => void;
  /** Please upload your own recording of this take, from `offset` on. */
  'upload:request': (progress: { takeId: string; offset: number }) => void;
  /** Host and crew: an item of the review board is being processed. */
  'review:progress': (progress: ReviewProgress) => void;
  /** Host and crew: the review board changed (an item filed, failed, rated…); fetch it again. */
  'review:changed': (change: { id: string | null }) => void;
  /** This phone is on the stage now, or no longer. */
  screen: (on: { onScreen: boolean }) => void;
  /** Viewers: the stage program or the tiles changed. */
  'viewer:state': (state: ViewerState) => void;
  /** Viewers: receive this phone's video (answer once the consumer exists on your side). */
  'viewer:consume': (consumer: ViewerConsumer, ack: (ok: boolean) => void) => void;
  /** Viewers: this consumer is gone (its phone left, or its tile is no longer on the screen). */
  'viewer:close': (closed: { consumerId: string }) => void;
}

export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: unknown, ack: (answer: Ack<ClientEventResults[E]>) => void) => void;
};
