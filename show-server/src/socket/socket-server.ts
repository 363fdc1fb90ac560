import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  socketAuthSchema,
  type ClientToServerEvents,
  type JoinPayload,
  type ServerToClientEvents,
  type SocketRole,
  DomainError,
} from '@showrec/protocol';
import type { Logger } from '../logger.js';
import type { CaptureService } from '../capture/capture-service.js';
import type { Peer } from '../capture/peer.js';
import type { UploadService } from '../capture/upload-service.js';
import { roleFor } from '../http/auth.js';
import { clientAddress } from '../http/client-address.js';
import type { JoinAttempts } from '../http/join-attempts.js';
import type { Placement } from '../nodes/placement.js';
import type { ShowControl } from '../shows/show-control.js';
import type { ShowStore } from '../shows/show-store.js';
import type { ShowViews } from '../shows/show-views.js';
import { routeEvents } from './event-router.js';
import { fullRoom, publicRoom, ShowBroadcaster } from './show-broadcaster.js';
import { viewerHandlers } from './viewer-events.js';
import type { WallService } from '../wall/wall-service.js';

interface SocketData {
  role: SocketRole;
  showId: string | null;
}

/** Show-server processes tell each other nothing directly: they share the stored shows. */
type InterServerEvents = Record<string, never>;

export type ShowrecIo = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
type ShowrecSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

const participantRoom = (participantId: string) => `participant:${participantId}`;

export interface SocketDeps {
  capture: CaptureService;
  /** Whether a joining phone stays on this node or is sent to another. */
  placement: Placement;
  joinAttempts: JoinAttempts;
  control: ShowControl;
  shows: ShowStore;
  views: ShowViews;
  adminToken: string;
  corsOrigins: string[];
  eventsPerSecond: number;
  uploads: UploadService;
  wall: WallService;
  logger: Logger;
}

/**
 * Socket.io signalling. Who a socket is is settled when it connects (audience, stage, host,
 * crew); its events are routed by that role, validated, and refused otherwise.
 */
export function attachSocketServer(
  httpServer: HttpServer,
  deps: SocketDeps,
): { io: ShowrecIo; broadcaster: ShowBroadcaster } {
  const log = deps.logger.child({ component: 'socket' });
  const io: ShowrecIo = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    ...(deps.corsOrigins.length > 0 ? { cors: { origin: deps.corsOrigins } } : {}),
    // Phones on venue Wi-Fi: notice a dead connection within ~10 s, so its take ends promptly.
    pingInterval: 5000,
    pingTimeout: 5000,
  });
  const broadcaster = new ShowBroadcaster(io, deps.views, log);

  io.use(async (socket, next) => {
    const auth = socketAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success) {
      return next(
        new Error(
          'invalid auth: expected { role: "audience" }, { role: "stage", showId } or { role: "host" | "crew", showId, key }',
        ),
      );
    }
    if (auth.data.role === 'audience') {
      socket.data = { role: 'audience', showId: null };
      return next();
    }
    const show = await deps.shows.get(auth.data.showId).catch(() => null);
    if (!show) return next(new Error('unknown show'));
    if (auth.data.role !== 'stage') {
      const role = roleFor(auth.data.key, deps.adminToken, show);
      // The admin may act as host or crew, the host as crew (to review); a crew key may not act as host.
      const allowed =
        role === 'admin' ||
        role === auth.data.role ||
        (role === 'host' && auth.data.role === 'crew');
      if (!allowed) {
        log.warn(
          { socketId: socket.id, showId: show.id, role: auth.data.role },
          'refused a connection with a wrong key',
        );
        return next(new Error(`wrong ${auth.data.role} key for this show`));
      }
    }
    socket.data = { role: auth.data.role, showId: show.id };
    next();
  });

  io.on('connection', (socket) => {
    const { role, showId } = socket.data;
    if (role === 'audience') return audience(socket);
    const id = showId!;
    // Handlers first: an event sent right after connecting must not find nobody listening.
    if (role === 'host') {
      routeEvents(
        socket,
        'host',
        {
          go: async ({ expectedCueId }) =>
            deps.views.full(await deps.control.go(id, { cueId: expectedCueId })),
          back: async () => deps.views.full(await deps.control.back(id)),
          'cue:jump': async ({ index }) => deps.views.full(await deps.control.jump(id, index)),
          standby: async ({ on }) => deps.views.full(await deps.control.setStandby(id, on)),
          'show:end': async () => deps.views.full(await deps.control.end(id)),
          'message:send': async ({ text }) =>
            deps.views.full(await deps.control.sendMessage(id, text)),
          'capture:start': async () => ({
            running: true,
            takeIds: await deps.control.setCapture(id, true),
          }),
          'capture:stop': async () => ({
            running: false,
            takeIds: await deps.control.setCapture(id, false),
          }),
          'wall:set': async (patch) => deps.views.full(await deps.control.setWall(id, patch)),
          ...viewerHandlers(socket, 'host', id, deps.wall, log),
        },
        log,
        deps.eventsPerSecond,
      );
    } else if (role === 'stage') {
      routeEvents(
        socket,
        'stage',
        viewerHandlers(socket, 'stage', id, deps.wall, log),
        log,
        deps.eventsPerSecond,
      );
    } else {
      routeEvents(socket, role, {}, log, deps.eventsPerSecond);
    }
    void (async () => {
      await socket.join(role === 'stage' ? publicRoom(id) : fullRoom(id));
      const views = await deps.views.of(id);
      socket.emit('show:state', role === 'stage' ? views.public : views.full);
    })().catch((err: Error) =>
      log.warn({ err: err.message, showId: id }, 'could not send a show to a new socket'),
    );
  });

  function audience(socket: ShowrecSocket): void {
    let peer: Peer | null = null;
    let joining = false;
    // Where the phone is, as the join limits see it (behind a local proxy: whom it forwarded).
    const address = clientAddress(
      socket.handshake.address,
      socket.handshake.headers['x-forwarded-for'],
    );
    /** Counts the attempt, then says whether the phone joins here or on another node. */
    const place = async (payload: JoinPayload) => {
      const attempt = await deps.joinAttempts.take(address);
      const show = await deps.shows.findByJoinCode(payload.joinCode);
      await attempt.hit(show !== null);
      if (!show)
        throw new DomainError('not-found', `no show has the join code ${payload.joinCode}`);
      return deps.placement.place(show.id, payload);
    };
    const joinHere = async (payload: JoinPayload) => {
      if (peer) await deps.capture.leave(peer, 'left');
      peer = null;
      const joined = await deps.capture.join(payload, address);
      // Gone while joining: its disconnect found no phone to remove, so remove it here.
      if (socket.disconnected) {
        await deps.capture.leave(joined.peer, 'disconnected');
        throw new DomainError('conflict', 'disconnected while joining');
      }
      return joined;
    };
    const joined = (): Peer => {
      if (!peer) throw new DomainError('conflict', 'join a show first');
      return peer;
    };
    routeEvents(
      socket,
      'audience',
      {
        join: async (payload) => {
          if (joining) throw new DomainError('conflict', 'already joining: wait for the answer');
          joining = true;
          const joined = await (async () => {
            const placed = await place(payload);
            if ('moveTo' in placed) return placed;
            return joinHere(payload).finally(() => {
              if (placed.reserved) void deps.placement.arrived().catch(() => undefined);
            });
          })().finally(() => (joining = false));
          if ('moveTo' in joined) return joined;
          peer = joined.peer;
          await socket.join([participantRoom(peer.id), publicRoom(peer.showId)]);
          // Takes this phone still owes its own copy of (it may have been offline when asked).
          const pending = await deps.uploads.pendingFor(peer.id);
          setTimeout(
            () => pending.forEach((progress) => socket.emit('upload:request', progress)),
            0,
          );
          return {
            ...joined.result,
            view: (await deps.views.of(peer.showId)).public,
            node: deps.placement.here,
            nodes: await deps.placement.fallbacks(),
          };
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
        consent: async ({ showOnStage }) => {
          await deps.capture.setConsent(joined(), showOnStage);
          return { showOnStage };
        },
      },
      log,
      deps.eventsPerSecond,
    );
    socket.on('disconnect', (reason) => {
      if (!peer) return;
      const why = reason === 'client namespace disconnect' ? 'left' : 'disconnected';
      deps.capture
        .leave(peer, why)
        .catch((err: Error) => log.error({ err, participantId: peer?.id }, 'leave failed'));
    });
  }

  deps.capture.on('recording', (showId, participantId, state) => {
    io.to(participantRoom(participantId)).emit('recording', state);
    broadcaster.soon(showId);
  });
  deps.capture.on('phones', (showId) => {
    broadcaster.soon(showId);
    void deps.wall.refresh(showId);
  });
  deps.capture.on('screen', (participantId, onScreen) =>
    io.to(participantRoom(participantId)).emit('screen', { onScreen }),
  );
  deps.capture.on('status', (showId, statuses) =>
    io.to(fullRoom(showId)).emit('phones:status', statuses),
  );
  deps.capture.on('upload', (participantId, progress) =>
    io.to(participantRoom(participantId)).emit('upload:request', progress),
  );
  deps.capture.on('move', (participantId) =>
    io.to(participantRoom(participantId)).emit('node:move'),
  );
  deps.capture.on('evicted', (participantId) =>
    io.in(participantRoom(participantId)).disconnectSockets(),
  );
  deps.control.on('changed', (showId, show) => {
    void deps.wall.refresh(showId);
    broadcaster
      .now(showId, show)
      .catch((err: Error) => log.warn({ err: err.message, showId }, 'could not broadcast a show'));
  });
  deps.control.on('message', (showId, message) => {
    io.to([publicRoom(showId), fullRoom(showId)]).emit('show:message', message);
  });
  return { io, broadcaster };
}
