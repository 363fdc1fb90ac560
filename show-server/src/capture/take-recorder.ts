import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import type { ChildProcesses, ProcessIdentity } from '@showrec/infra/processes';
import type { TakeManifest } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import { FfmpegRecorder, PortsTakenError } from './ffmpeg-recorder.js';
import type { PortAllocator } from './port-allocator.js';
import { recorderSdp, type SdpStream } from './recorder-sdp.js';
import { followSenderReports, rtcpSinkPort, sendRtcpBye } from './recorder-rtcp.js';
import { recorderRtpCapabilities } from '../sfu/media-codecs.js';

type Kind = 'audio' | 'video';

/** Starts on fresh ports after a bind that lost its race, this many times in all. */
const PORT_ATTEMPTS = 3;

export type RtpCounts = NonNullable<TakeManifest['rtp']['audio']>;

export interface TakeRecorderEvents {
  /** The recording ended by itself: ffmpeg died or a producer went away. */
  interrupted: [{ reason: 'recorder-died' | 'producer-closed'; failure: string | null }];
}

export interface TakeRecorderOptions {
  router: ms.Router;
  producers: ms.Producer[];
  ports: PortAllocator;
  processes: ChildProcesses;
  /** The take's folder: its SDP, its segments and their list. */
  dir: string;
  /** How long each Matroska segment is, about (it starts on a keyframe). */
  segmentSeconds: number;
  logger: Logger;
}

interface Leg {
  kind: Kind;
  port: number;
  producer: ms.Producer;
  transport: ms.PlainTransport;
  consumer: ms.Consumer;
}

/**
 * Records one phone's producers into Matroska segments: each producer is consumed into a
 * PlainTransport that sends RTP to ffmpeg on loopback. Consumers start paused and are resumed
 * only once ffmpeg listens, then a keyframe is requested so the take opens on one, and again at
 * every segment boundary (phones send keyframes only when asked) so each segment opens on one.
 */
export class TakeRecorder extends EventEmitter<TakeRecorderEvents> {
  readonly #legs: Leg[];
  readonly #ffmpeg: FfmpegRecorder;
  readonly #dir: string;
  readonly #ports: PortAllocator;
  /** Stops following the take's sender reports (see recorder-rtcp.ts). */
  readonly #forgetReports: () => void;
  readonly #log: Logger;
  readonly #counts = new Map<Kind, RtpCounts>();
  readonly #statsTimer: NodeJS.Timeout;
  readonly #keyframeTimer: NodeJS.Timeout;
  #segmentTimer: NodeJS.Timeout | null = null;
  #closed = false;

  private constructor(
    legs: Leg[],
    ffmpeg: FfmpegRecorder,
    dir: string,
    ports: PortAllocator,
    forgetReports: () => void,
    log: Logger,
  ) {
    super();
    this.#forgetReports = forgetReports;
    this.#legs = legs;
    this.#ffmpeg = ffmpeg;
    this.#dir = dir;
    this.#ports = ports;
    this.#log = log;
    ffmpeg.on('exit', ({ expected, code, signal, stderrTail }) => {
      if (expected) return;
      const failure = `ffmpeg exited unexpectedly (code ${code}, signal ${signal}): ${stderrTail || 'no output'}`;
      this.#log.error({ code, signal }, failure);
      this.emit('interrupted', { reason: 'recorder-died', failure });
    });
    for (const leg of legs) {
      leg.consumer.on('producerclose', () => {
        if (!this.#closed) this.emit('interrupted', { reason: 'producer-closed', failure: null });
      });
    }
    this.#statsTimer = setInterval(() => void this.#sampleStats(), 2000);
    // A second request covers a keyframe lost while ffmpeg was still probing the streams.
    this.#keyframeTimer = setTimeout(() => void this.#requestKeyFrame(), 1000);
  }

  /**
   * Another process may bind a pair between the allocator's check and ffmpeg's own bind (the SFU
   * of a second show-server on this machine, any program): the take then starts on fresh ports.
   */
  static async start(options: TakeRecorderOptions): Promise<TakeRecorder> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await TakeRecorder.#startOnce(options);
      } catch (err) {
        if (!(err instanceof PortsTakenError) || attempt === PORT_ATTEMPTS) throw err;
        options.logger.warn(
          { component: 'take-recorder', attempt, err: err.message },
          'recorder ports taken; trying others',
        );
      }
    }
  }

  static async #startOnce(options: TakeRecorderOptions): Promise<TakeRecorder> {
    const log = options.logger.child({ component: 'take-recorder' });
    const legs: Leg[] = [];
    let forgetReports: () => void = () => undefined;
    try {
      for (const producer of options.producers) {
        const port = await options.ports.reservePair();
        const transport = await options.router.createPlainTransport({
          listenIp: { ip: '127.0.0.1' },
          rtcpMux: false,
          comedia: false,
        });
        await transport.connect({ ip: '127.0.0.1', port, rtcpPort: await rtcpSinkPort() });
        const consumer = await transport.consume({
          producerId: producer.id,
          rtpCapabilities: recorderRtpCapabilities(options.router),
          paused: true,
        });
        legs.push({ kind: producer.kind, port, producer, transport, consumer });
      }
      forgetReports = followSenderReports(
        legs.flatMap(({ kind, port, consumer }) => {
          const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
          const clockRate = consumer.rtpParameters.codecs[0]?.clockRate;
          return ssrc === undefined || clockRate === undefined
            ? []
            : [{ kind, ssrc, clockRate, rtcpPort: port + 1 }];
        }),
      );
      const streams: SdpStream[] = legs.map((l) => ({
        kind: l.kind,
        port: l.port,
        codec: l.consumer.rtpParameters.codecs[0]!,
      }));
      const sdpFile = path.join(options.dir, 'take.sdp');
      await writeFile(sdpFile, recorderSdp(streams));
      const ffmpeg = await FfmpegRecorder.start(
        options.processes,
        sdpFile,
        { dir: options.dir, segmentSeconds: options.segmentSeconds },
        legs.map((l) => l.port),
      );
      const recorder = new TakeRecorder(
        legs,
        ffmpeg,
        options.dir,
        options.ports,
        forgetReports,
        log,
      );
      await recorder.#resumeTogether();
      recorder.#segmentTimer = setInterval(
        () => void recorder.#requestKeyFrame(),
        options.segmentSeconds * 1000,
      );
      log.info({ dir: options.dir, ffmpeg: ffmpeg.identity }, 'recording');
      return recorder;
    } catch (err) {
      forgetReports();
      for (const leg of legs) {
        leg.transport.close();
        options.ports.release(leg.port);
      }
      throw err;
    }
  }

  /** The loopback ports ffmpeg reads the phone's RTP from. */
  get ports(): number[] {
    return this.#legs.map((l) => l.port);
  }

  /** The ffmpeg writing the file. */
  get process(): ProcessIdentity | null {
    return this.#ffmpeg.identity;
  }

  /** Codec names as recorded, e.g. "opus", "VP8". */
  codecs(): TakeManifest['codecs'] {
    const name = (kind: Kind) =>
      this.#legs
        .find((l) => l.kind === kind)
        ?.consumer.rtpParameters.codecs[0]?.mimeType.split('/')[1] ?? null;
    return { audio: name('audio'), video: name('video') };
  }

  /** Live counts from the phone's producers (arrivals at the SFU). */
  rtpCounts(): TakeManifest['rtp'] {
    return { audio: this.#counts.get('audio') ?? null, video: this.#counts.get('video') ?? null };
  }

  /** Ends the recording: ffmpeg closes the file, transports and ports are released. Idempotent. */
  async stop(): Promise<void> {
    if (this.#closed) return;
    await this.#sampleStats();
    this.#closed = true;
    clearInterval(this.#statsTimer);
    clearTimeout(this.#keyframeTimer);
    if (this.#segmentTimer) clearInterval(this.#segmentTimer);
    // Once the SFU has acknowledged the pause, every packet it sent is in ffmpeg's sockets
    // ahead of the BYEs.
    await Promise.all(this.#legs.map((l) => l.consumer.pause().catch(() => undefined)));
    const unreadBytes = await this.#ffmpeg.stop(() =>
      Promise.all(this.#legs.map((l) => sendRtcpBye(l.port).catch(() => undefined))),
    );
    if (unreadBytes > 0)
      this.#log.warn(
        { unreadBytes, dir: this.#dir },
        'recorder stopped reading; its take ends without what it had not read',
      );
    this.#forgetReports();
    for (const leg of this.#legs) {
      leg.transport.close();
      this.#ports.release(leg.port);
    }
  }

  /**
   * ffmpeg starts each stream's clock at its first packet, until sender reports put audio on
   * video's clock (recorder-rtcp.ts). Audio waits until the first keyframe has gone to ffmpeg, not
   * the second or so video may take, so that the file opens with both and the first correction
   * is small.
   */
  async #resumeTogether(timeoutMs = 3000): Promise<void> {
    const video = this.#legs.find((l) => l.kind === 'video');
    if (video) {
      const firstKeyframe = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        video.consumer.on('trace', (trace) => {
          if (trace.type !== 'keyframe') return;
          clearTimeout(timer);
          resolve();
        });
      });
      await video.consumer.enableTraceEvent(['keyframe']);
      await video.consumer.resume();
      await this.#requestKeyFrame();
      await firstKeyframe;
      await video.consumer.enableTraceEvent([]).catch(() => undefined);
    }
    for (const leg of this.#legs) if (leg !== video) await leg.consumer.resume();
  }

  async #requestKeyFrame(): Promise<void> {
    for (const leg of this.#legs) {
      if (leg.kind === 'video' && !leg.consumer.closed)
        await leg.consumer.requestKeyFrame().catch(() => undefined);
    }
  }

  async #sampleStats(): Promise<void> {
    if (this.#closed) return;
    for (const leg of this.#legs) {
      if (leg.producer.closed) continue;
      const stats = await leg.producer.getStats().catch(() => []);
      const packets = stats.reduce((sum, s) => sum + (s.packetCount ?? 0), 0);
      const lost = stats.reduce((sum, s) => sum + Math.max(0, s.packetsLost ?? 0), 0);
      this.#counts.set(leg.kind, { packets, lost });
    }
  }
}
