import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import type { Logger } from '../logger.js';
import { mediaCodecs } from '../sfu/media-codecs.js';
import type { Peer } from './peer.js';

export interface RoomEvents {
  closed: [];
}

export interface RtcSettings {
  listenIp: string;
  announcedIp: string;
}

/** One show's live media: a mediasoup router and the phones connected to it. */
export class Room extends EventEmitter<RoomEvents> {
  readonly peers = new Map<string, Peer>();
  captureRunning: boolean;
  /** The capture cue the running capture belongs to; its takes are tagged with it. */
  captureCueId: string | null;
  #closed = false;

  private constructor(
    readonly showId: string,
    readonly router: ms.Router,
    private readonly rtc: RtcSettings,
    capture: { running: boolean; cueId: string | null },
    private readonly log: Logger,
  ) {
    super();
    this.captureRunning = capture.running;
    this.captureCueId = capture.cueId;
    router.on('workerclose', () => {
      this.log.error('the mediasoup worker of this room died');
      this.close();
    });
  }

  static async create(
    showId: string,
    worker: ms.Worker,
    rtc: RtcSettings,
    capture: { running: boolean; cueId: string | null },
    logger: Logger,
  ): Promise<Room> {
    const router = await worker.createRouter({ mediaCodecs });
    return new Room(showId, router, rtc, capture, logger.child({ showId }));
  }

  get closed(): boolean {
    return this.#closed;
  }

  async createSendTransport(): Promise<ms.WebRtcTransport> {
    return this.router.createWebRtcTransport({
      listenIps: [{ ip: this.rtc.listenIp, announcedIp: this.rtc.announcedIp }],
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.router.close();
    this.emit('closed');
  }
}
