import type { types as ms } from 'mediasoup';
import type { TakeManifest } from '@showrec/protocol';
import type { TakeRecorder } from './take-recorder.js';

export interface ActiveTake {
  manifest: TakeManifest;
  recorder: TakeRecorder;
}

/** A phone in a show: its send transport, its producers, and the take it is recording, if any. */
export class Peer {
  transport: ms.WebRtcTransport | null = null;
  readonly producers = new Map<'audio' | 'video', ms.Producer>();
  mediaReady = false;
  take: ActiveTake | null = null;
  /** Set while a take is being started, so a second trigger doesn't start another. */
  startingTake = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly showId: string,
  ) {}

  /** Closing the transport closes its producers, and with them the recorder's consumers. */
  closeMedia(): void {
    this.transport?.close();
    this.transport = null;
    this.producers.clear();
    this.mediaReady = false;
  }
}
