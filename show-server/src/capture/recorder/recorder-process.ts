/**
 * A recorder process: writes the takes the show-server hands it (see recorder-pool.ts), each from
 * its own loopback UDP socket (read in batches, udp-receiver.ts) into Matroska segments
 * (take-writer.ts). One Node process reading 150 phones' packets cost 0.23–0.26 % of a core per
 * phone where an ffmpeg per take cost 0.60 (bench:capture), and it starts a take without loading
 * a program.
 *
 * A take ends at the RTCP BYE the show-server sends down its socket once the SFU has paused its
 * consumers: it queues behind every packet still unread, so the take keeps everything the SFU
 * sent. Should it not come (a full socket drops it), the take ends STOP_WAIT_MS after the stop.
 * The process ends every take and exits when the show-server goes away (its IPC channel closes) or
 * on SIGINT/SIGTERM (a recovering show-server stopping an orphan); a crash leaves each take's
 * segment playable to its last cluster.
 */
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../logger.js';
import { UDP_RECEIVE_BUFFER_BYTES } from '../udp-sockets.js';
import type { FromRecorder, ToRecorder } from './recorder-messages.js';
import { isRtcp, isRtcpBye, parseRtp } from './rtp-packet.js';
import { TakeWriter } from './take-writer.js';
import { openSocket, type ReceivingSocket } from './udp-receiver.js';

const STOP_WAIT_MS = 5000;
const TICK_MS = 100;
/** A keyframe is asked for at most this often per take (each loss asks again). */
const KEYFRAME_ASK_MS = 1000;

const log = createLogger(process.env.LOG_LEVEL ?? 'info').child({ component: 'recorder-process' });

interface Take {
  socket: ReceivingSocket;
  writer: TakeWriter;
  stopTimer: NodeJS.Timeout | null;
  keyframeAskedAt: number;
}

const takes = new Map<string, Take>();

function send(message: FromRecorder): void {
  if (process.connected) process.send!(message);
}

function end(takeId: string, failure: string | null = null): void {
  const take = takes.get(takeId);
  if (!take) return;
  takes.delete(takeId);
  if (take.stopTimer) clearTimeout(take.stopTimer);
  take.socket.close();
  let why = failure;
  try {
    take.writer.end(performance.now());
  } catch (err) {
    why ??= `could not finish the take's file: ${(err as Error).message}`;
  }
  send({ type: 'ended', takeId, failure: why });
}

function start(message: Extract<ToRecorder, { type: 'start' }>): void {
  const { takeId } = message;
  const writer = new TakeWriter(
    message.dir,
    message.streams,
    message.segmentSeconds,
    performance.now(),
    () => {
      const now = performance.now();
      if (now - take.keyframeAskedAt < KEYFRAME_ASK_MS) return;
      take.keyframeAskedAt = now;
      send({ type: 'keyframe', takeId });
    },
  );
  let socket: ReceivingSocket;
  try {
    socket = openSocket(UDP_RECEIVE_BUFFER_BYTES, {
      datagram(packet, fromPort, receivedMs) {
        try {
          if (isRtcp(packet)) {
            if (fromPort === message.byePort && isRtcpBye(packet)) end(takeId);
            return;
          }
          const rtp = parseRtp(packet);
          if (rtp) writer.packet(rtp, receivedMs);
        } catch (err) {
          // The disk refused a write (full, gone): what is written stays, the take ends here.
          log.error({ err, takeId }, 'could not write the take');
          end(takeId, `could not write the take: ${(err as Error).message}`);
        }
      },
      error: (why) => end(takeId, `the take's socket failed: ${why}`),
    });
  } catch (err) {
    // Only this take is refused (no socket, no native receiver); the others go on.
    send({
      type: 'ended',
      takeId,
      failure: `could not open the take's socket: ${(err as Error).message}`,
    });
    return;
  }
  const take: Take = { socket, writer, stopTimer: null, keyframeAskedAt: -Infinity };
  takes.set(takeId, take);
  send({ type: 'listening', takeId, port: socket.port });
}

process.on('message', (message: ToRecorder) => {
  if (message.type === 'start') start(message);
  else {
    const take = takes.get(message.takeId);
    if (take) take.stopTimer ??= setTimeout(() => end(message.takeId), STOP_WAIT_MS);
  }
});

setInterval(() => {
  const now = performance.now();
  for (const [takeId, take] of takes) {
    try {
      take.writer.tick(now);
    } catch (err) {
      end(takeId, `could not write the take: ${(err as Error).message}`);
    }
  }
}, TICK_MS);

function endAll(): never {
  for (const takeId of [...takes.keys()]) end(takeId);
  process.exit(0);
}

process.on('disconnect', endAll);
process.on('SIGINT', endAll);
process.on('SIGTERM', endAll);
