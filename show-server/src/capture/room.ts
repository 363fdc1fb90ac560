import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import type { StoredShow, TransportCreated } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import { mediaCodecs } from '../sfu/media-codecs.js';
import { captureSessionOf, type CaptureSession } from '../shows/capture-rules.js';
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
  /** The capture this room's phones follow: the stored show's, as of `appliedVersion`. */
  capture: CaptureSession | null;
  appliedVersion: number;
  /** The live cue as of `appliedVersion`: a change of it is the boundary a draining node moves phones at. */
  cueIndex: number;
  /** The takes the last reconciliation started or ended. */
  lastAffected: string[] = [];
  /** Reconciliations of this room run one after another (see CaptureService.reconcile). */
  serial: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    readonly showId: string,
    readonly router: ms.Router,
    /** The mediasoup worker recording this show: viewers go to the others (see wall/view-routers.ts). */
    readonly worker: ms.Worker,
    private readonly rtc: RtcSettings,
    show: StoredShow,
    private readonly log: Logger,
  ) {
    super();
    this.capture = captureSessionOf(show);
    this.appliedVersion = show.version;
    this.cueIndex = show.currentCueIndex;
    router.on('workerclose', () => {
      this.log.error('the mediasoup worker of this room died');
      this.close();
    });
  }

  static async create(
    show: StoredShow,
    worker: ms.Worker,
    rtc: RtcSettings,
    logger: Logger,
  ): Promise<Room> {
    const router = await worker.createRouter({ mediaCodecs });
    return new Room(show.id, router, worker, rtc, show, logger.child({ showId: show.id }));
  }

  get closed(): boolean {
    return this.#closed;
  }

  async createSendTransport(): Promise<ms.WebRtcTransport> {
    return createWebRtcTransport(this.router, this.rtc);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.router.close();
    this.emit('closed');
  }
}

/** A transport a browser reaches over UDP, or TCP where the venue blocks UDP. */
export function createWebRtcTransport(
  router: ms.Router,
  rtc: RtcSettings,
  initialAvailableOutgoingBitrate = 1_000_000,
): Promise<ms.WebRtcTransport> {
  return router.createWebRtcTransport({
    listenIps: [{ ip: rtc.listenIp, announcedIp: rtc.announcedIp }],
    enableUdp: true,
    enableTcp: true,
    preferUdp: true,
    initialAvailableOutgoingBitrate,
  });
}

/** What a browser needs of a transport to make its side of it. */
export function transportCreated(transport: ms.WebRtcTransport): TransportCreated {
  return {
    id: transport.id,
    iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
    iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
    dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
  };
}
