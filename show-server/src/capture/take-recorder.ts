import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import type { ProcessIdentity } from '@showrec/infra/processes';
import type { TakeManifest } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import type { RecordedCodec } from './recorder/depacketizers.js';
import type { Recording, RecorderPool } from './recorder/recorder-pool.js';
import { recorderRtpCapabilities } from '../sfu/media-codecs.js';

type Kind = 'audio' | 'video';

export type RtpCounts = NonNullable<TakeManifest['rtp']['audio']>;

export interface TakeRecorderEvents {
  /** The recording ended by itself: its recorder process died or a producer went away. */
  interrupted: [{ reason: 'recorder-died' | 'producer-closed'; failure: string | null }];
}

export interface TakeRecorderOptions {
  router: ms.Router;
  producers: ms.Producer[];
  recorders: RecorderPool;
  /** The take's id, which names it to its recorder process. */
  takeId: string;
  /** The take's folder: its segments and their list. */
  dir: string;
  /** How long each Matroska segment is, about (it starts on a keyframe). */
  segmentSeconds: number;
  logger: Logger;
}

interface Leg {
  kind: Kind;
  producer: ms.Producer;
  consumer: ms.Consumer;
}

const RECORDED: Record<string, RecordedCodec> = {
  'video/vp8': 'VP8',
  'video/h264': 'H264',
  'audio/opus': 'opus',
};

/**
 * Records one phone's producers into Matroska segments: each producer is consumed into one
 * loopback PlainTransport that sends RTP to the take's socket in a recorder process
 * (recorder/recorder-pool.ts). Consumers start paused and are resumed only once that socket
 * listens, then a keyframe is requested so the take opens on one, and again at every segment
 * boundary (phones send keyframes only when asked) so each segment opens on one, and whenever the
 * recorder lost a frame.
 */
export class TakeRecorder extends EventEmitter<TakeRecorderEvents> {
  readonly #legs: Leg[];
  readonly #transport: ms.PlainTransport;
  readonly #recording: Recording;
  readonly #dir: string;
  readonly #log: Logger;
  readonly #counts = new Map<Kind, RtpCounts>();
  readonly #statsTimer: NodeJS.Timeout;
  readonly #keyframeTimer: NodeJS.Timeout;
  #segmentTimer: NodeJS.Timeout | null = null;
  #closed = false;

  private constructor(
    legs: Leg[],
    transport: ms.PlainTransport,
    recording: Recording,
    dir: string,
    log: Logger,
  ) {
    super();
    this.#legs = legs;
    this.#transport = transport;
    this.#recording = recording;
    this.#dir = dir;
    this.#log = log;
    recording.on('died', (failure) => {
      if (this.#closed) return;
      this.#log.error({ dir }, failure);
      this.emit('interrupted', { reason: 'recorder-died', failure });
    });
    recording.on('keyframe', () => void this.#requestKeyFrame());
    for (const leg of legs) {
      leg.consumer.on('producerclose', () => {
        if (!this.#closed) this.emit('interrupted', { reason: 'producer-closed', failure: null });
      });
    }
    this.#statsTimer = setInterval(() => void this.#sampleStats(), 2000);
    // A second request covers a keyframe lost on its way.
    this.#keyframeTimer = setTimeout(() => void this.#requestKeyFrame(), 1000);
  }

  static async start(options: TakeRecorderOptions): Promise<TakeRecorder> {
    const log = options.logger.child({ component: 'take-recorder' });
    const transport = await options.router.createPlainTransport({
      listenIp: { ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
    });
    let recording: Recording | null = null;
    try {
      const legs: Leg[] = [];
      for (const producer of options.producers) {
        const consumer = await transport.consume({
          producerId: producer.id,
          rtpCapabilities: recorderRtpCapabilities(options.router),
          paused: true,
        });
        legs.push({ kind: producer.kind, producer, consumer });
      }
      recording = await options.recorders.open(options.takeId, {
        dir: options.dir,
        segmentSeconds: options.segmentSeconds,
        streams: legs.map(({ kind, consumer }) => {
          const codec = consumer.rtpParameters.codecs[0]!;
          const recorded = RECORDED[codec.mimeType.toLowerCase()];
          const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
          if (!recorded || ssrc === undefined)
            throw new Error(`cannot record ${codec.mimeType} (ssrc ${ssrc})`);
          return {
            kind,
            codec: recorded,
            clockRate: codec.clockRate,
            ...(codec.channels ? { channels: codec.channels } : {}),
            ssrc,
          };
        }),
      });
      await transport.connect({ ip: '127.0.0.1', port: recording.port });
      const recorder = new TakeRecorder(legs, transport, recording, options.dir, log);
      await recorder.#resume();
      recorder.#segmentTimer = setInterval(
        () => void recorder.#requestKeyFrame(),
        options.segmentSeconds * 1000,
      );
      log.info({ dir: options.dir, recorder: recording.process }, 'recording');
      return recorder;
    } catch (err) {
      transport.close();
      await recording?.stop();
      throw err;
    }
  }

  /** The loopback port the take's RTP goes to, in its recorder process. */
  get port(): number {
    return this.#recording.port;
  }

  /** The recorder process writing the file. */
  get process(): ProcessIdentity | null {
    return this.#recording.process;
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

  /** Ends the recording: the recorder writes all the SFU sent and closes the file. Idempotent. */
  async stop(): Promise<void> {
    if (this.#closed) return;
    await this.#sampleStats();
    this.#closed = true;
    clearInterval(this.#statsTimer);
    clearTimeout(this.#keyframeTimer);
    if (this.#segmentTimer) clearInterval(this.#segmentTimer);
    // Once the SFU has acknowledged the pause, every packet it sent is in the take's socket ahead
    // of the BYE that ends it.
    await Promise.all(this.#legs.map((l) => l.consumer.pause().catch(() => undefined)));
    const failure = await this.#recording.stop();
    if (failure) this.#log.warn({ dir: this.#dir, failure }, 'the take ended short');
    this.#transport.close();
  }

  /**
   * The take opens on the phone's first keyframe (see TakeWriter), which a simulcast consumer may
   * take a second or more to pass on: the take is reported recording only once it has (or after
   * `timeoutMs`), so the phone does not say it records while nothing is written yet. Audio is
   * resumed then, the file opening with both.
   */
  async #resume(timeoutMs = 3000): Promise<void> {
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
