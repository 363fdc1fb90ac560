import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import {
  socketAuthSchema,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@showrec/protocol';
import type { Logger } from '../logger.js';
import { CaptureError, type CaptureService } from '../capture/capture-service.js';
import type { Peer } from '../capture/peer.js';
import { roleFor } from '../http/auth.js';
import type { ShowStore } from '../shows/show-store.js';
import { routeEvents } from './event-router.js';

interface SocketData {
  role: 'audience' | 'host';
  showId: string | null;
}

const participantRoom = (participantId: string) => `participant:${participantId}`;

/** Socket.io signalling: who a socket is is settled at connect time; events are routed by role. */
export function attachSocketServer(
  httpServer: HttpServer,
  deps: { capture: CaptureService; shows: ShowStore; adminToken: string; logger: Logger },
): Server {
  const log = deps.logger.child({ component: 'socket' });
  const io = new Server<
    ClientToServerEvents,
    ServerToClientEvents,
    Record<string, never>,
    SocketData
  >(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    // Phones on venue Wi-Fi: notice a dead connection within ~10 s, so its take ends promptly.
    pingInterval: 5000,
    pingTimeout: 5000,
  });

  io.use(async (socket, next) => {
    const auth = socketAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success)
      return next(
        new Error('invalid auth: expected { role: "audience" } or { role: "host", showId, key }'),
      );
    if (auth.data.role === 'audience') {
      socket.data = { role: 'audience', showId: null };
      return next();
    }
    const show = await deps.shows.get(auth.data.showId).catch(() => null);
    if (!show || !roleFor(auth.data.key, deps.adminToken, show)) {
      log.warn(
        { socketId: socket.id, showId: auth.data.showId },
        'refused a host connection with bad credentials',
      );
      return next(new Error('unknown show or wrong host key'));
    }
    socket.data = { role: 'host', showId: show.id };
    next();
  });

  io.on('connection', (socket) => {
    if (socket.data.role === 'host') {
      const showId = socket.data.showId!;
      routeEvents(
        socket,
        'host',
        {
          'capture:start': async () => ({
            running: true,
            takeIds: await deps.capture.startCapture(showId),
          }),
          'capture:stop': async () => ({
            running: false,
            takeIds: await deps.capture.stopCapture(showId),
          }),
        },
        log,
      );
      return;
    }
    let peer: Peer | null = null;
    const joined = (): Peer => {
      if (!peer) throw new CaptureError('join a show first');
      return peer;
    };
    routeEvents(
      socket,
      'audience',
      {
        join: async (payload) => {
          if (peer) await deps.capture.leave(peer, 'left');
          const joinedShow = await deps.capture.join(payload);
          peer = joinedShow.peer;
          await socket.join(participantRoom(peer.id));
          return joinedShow.result;
        },
        'transport:create': () => deps.capture.createSendTransport(joined()),
        'transport:connect': async ({ transportId, dtlsParameters }) => {
          await deps.capture.connectTransport(joined(), transportId, dtlsParameters);
          return {};
        },
        produce: async ({ transportId, kind, rtpParameters }) => ({
          producerId: await deps.capture.produce(joined(), transportId, kind, rtpParameters),
        }),
        'media:ready': () => deps.capture.mediaReady(joined()),
      },
      log,
    );
    socket.on('disconnect', (reason) => {
      if (!peer) return;
      const why = reason === 'client namespace disconnect' ? 'left' : 'disconnected';
      deps.capture
        .leave(peer, why)
        .catch((err: Error) => log.error({ err, participantId: peer?.id }, 'leave failed'));
    });
  });

  deps.capture.on('recording', (participantId, state) =>
    io.to(participantRoom(participantId)).emit('recording', state),
  );
  deps.capture.on('evicted', (participantId) =>
    io.in(participantRoom(participantId)).disconnectSockets(),
  );
  return io;
}
