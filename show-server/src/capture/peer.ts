import type { types as ms } from 'mediasoup';
import type { TakeManifest } from '@showrec/protocol';
import type { SegmentUploader } from './segment-uploader.js';
import type { TakeRecorder } from './take-recorder.js';

export interface ActiveTake {
  manifest: TakeManifest;
  recorder: TakeRecorder;
  /** Stores each segment as the recorder closes it. */
  uploader: SegmentUploader;
}

/** A phone in a show: its send transport, its producers, and the take it is recording, if any. */
export class Peer {
  transport: ms.WebRtcTransport | null = null;
  readonly producers = new Map<'audio' | 'video', ms.Producer>();
  mediaReady = false;
  /** RTP has arrived from this phone: only then is it worth a recorder (a silent one costs nothing). */
  mediaFlowing = false;
  take: ActiveTake | null = null;
  /** Set while a take is being started, so a second trigger doesn't start another. */
  startingTake = false;
  /** Asked to move to another node (this one drains): it gets no new take here. */
  moving = false;
  /** Since when it is on the stage (null: it is not), and its earlier times there (see wall/screen-time.ts). */
  onScreenSince: number | null = null;
  screenSpans: Array<{ from: number; to: number }> = [];

  constructor(
    readonly id: string,
    readonly name: string,
    readonly showId: string,
    /** Where it joined from, for the per-address cap. */
    readonly address: string,
    /** It may be put on the big screen; the phone can change its mind. */
    public showOnStage = true,
  ) {}

  /** Closing the transport closes its producers, and with them the recorder's consumers. */
  closeMedia(): void {
    this.transport?.close();
    this.transport = null;
    this.producers.clear();
    this.mediaReady = false;
    this.mediaFlowing = false;
  }
}
