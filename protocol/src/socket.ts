import { z } from 'zod';
import { idSchema, joinCodeSchema } from './ids.js';
import { captureChangedSchema, publicShowSchema } from './show.js';

/**
 * Socket.io signalling. Every client event carries one payload object and an ack callback;
 * the ack answers `{ ok: true, data }` or `{ ok: false, error }`.
 */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: string };

/** Who a socket is, declared in socket.io's `auth` when it connects. */
export const socketAuthSchema = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('audience') }),
  z.strictObject({ role: z.literal('host'), showId: idSchema, key: z.string().min(1).max(200) }),
]);
export type SocketAuth = z.infer<typeof socketAuthSchema>;
export type SocketRole = SocketAuth['role'];

/**
 * mediasoup parameter objects are checked for shape here; mediasoup itself validates their
 * contents and its errors come back in the ack.
 */
const mediasoupObject = z.record(z.string(), z.unknown());

export const joinPayloadSchema = z.strictObject({
  joinCode: joinCodeSchema,
  name: z.string().trim().min(1, 'your name is required').max(60),
  deviceToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,64}$/)
    .optional(),
});
export type JoinPayload = z.infer<typeof joinPayloadSchema>;

export const connectTransportPayloadSchema = z.strictObject({
  transportId: z.string().uuid(),
  dtlsParameters: mediasoupObject,
});

export const producePayloadSchema = z.strictObject({
  transportId: z.string().uuid(),
  kind: z.enum(['audio', 'video']),
  rtpParameters: mediasoupObject,
});

const emptyPayload = z.strictObject({});

/** Events each role may send, with the schema of their payload. */
export const clientEventSchemas = {
  audience: {
    join: joinPayloadSchema,
    'transport:create': emptyPayload,
    'transport:connect': connectTransportPayloadSchema,
    produce: producePayloadSchema,
    'media:ready': emptyPayload,
  },
  host: {
    'capture:start': emptyPayload,
    'capture:stop': emptyPayload,
  },
} as const;

export type AudienceEvent = keyof (typeof clientEventSchemas)['audience'];
export type HostEvent = keyof (typeof clientEventSchemas)['host'];

export type RecordingState =
  { state: 'standby' } | { state: 'recording'; takeId: string; startedAt: number };

export interface JoinResult {
  participantId: string;
  deviceToken: string;
  show: z.infer<typeof publicShowSchema>;
  routerRtpCapabilities: Record<string, unknown>;
  recording: RecordingState;
}

export interface TransportCreated {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
}

/** What each client event answers with. */
export interface ClientEventResults {
  join: JoinResult;
  'transport:create': TransportCreated;
  'transport:connect': Record<string, never>;
  produce: { producerId: string };
  'media:ready': RecordingState;
  'capture:start': z.infer<typeof captureChangedSchema>;
  'capture:stop': z.infer<typeof captureChangedSchema>;
}

export type ClientEvent = keyof ClientEventResults;

export interface ServerToClientEvents {
  recording: (state: RecordingState) => void;
}

export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: unknown, ack: (answer: Ack<ClientEventResults[E]>) => void) => void;
};
