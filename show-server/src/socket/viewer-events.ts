import type { Socket } from 'socket.io';
import {
  DomainError,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@showrec/protocol';
import type { Logger } from '../logger.js';
import type { Viewer } from '../wall/viewer.js';
import type { WallService } from '../wall/wall-service.js';
import type { RoleHandlers } from './event-router.js';

type ViewerEvent = 'viewer:join' | 'viewer:transport' | 'viewer:connect' | 'viewer:watch';

/** How long a browser has to make a consumer before the server gives up on it. */
const CONSUME_TIMEOUT_MS = 5000;

/**
 * A stage's or control panel's live video: the viewer events of one socket, and the viewer they
 * make, closed when the socket goes.
 */
export function viewerHandlers(
  socket: Socket<ClientToServerEvents, ServerToClientEvents>,
  role: 'stage' | 'host',
  showId: string,
  wall: WallService,
  log: Logger,
): Pick<RoleHandlers<'host'>, ViewerEvent> {
  let viewer: Viewer | null = null;
  const current = (): Viewer => {
    if (!viewer) throw new DomainError('conflict', 'watch the show first: viewer:join');
    return viewer;
  };
  socket.on('disconnect', () => {
    if (viewer) wall.leave(viewer);
    viewer = null;
  });
  return {
    'viewer:join': async () => {
      if (viewer) wall.leave(viewer);
      const joined = await wall.join(showId, role, {
        consume: async (consumer) =>
          (await socket
            .timeout(CONSUME_TIMEOUT_MS)
            .emitWithAck('viewer:consume', consumer)
            .catch((err: Error) => {
              log.warn(
                { err: err.message, socketId: socket.id },
                'a viewer did not take a consumer',
              );
              return false;
            })) === true,
        closed: (consumerId) => socket.emit('viewer:close', { consumerId }),
        state: (state) => socket.emit('viewer:state', state),
      });
      if (socket.disconnected) {
        wall.leave(joined.viewer);
        throw new DomainError('conflict', 'disconnected while joining');
      }
      viewer = joined.viewer;
      return {
        routerRtpCapabilities: joined.routerRtpCapabilities as unknown as Record<string, unknown>,
        state: joined.state,
      };
    },
    'viewer:transport': ({ rtpCapabilities }) => wall.createTransport(current(), rtpCapabilities),
    'viewer:connect': async ({ transportId, dtlsParameters }) => {
      await wall.connect(current(), transportId, dtlsParameters);
      return {};
    },
    'viewer:watch': (watch) => wall.watch(current(), watch),
  };
}
