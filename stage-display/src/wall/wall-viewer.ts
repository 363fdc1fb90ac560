import { Device, type types } from 'mediasoup-client';
import type { ViewerConsumer, ViewerState, ViewerWatch } from '@showrec/protocol';
import { request, type ShowSocket } from '../show/use-show-socket.js';

export interface WallFeed {
  state: ViewerState | null;
  /** Each phone's video as this screen receives it. */
  tracks: ReadonlyMap<string, MediaStreamTrack>;
  /** What arrives of each phone's video, sampled each second (a paused tile's frames stand still). */
  received: ReadonlyMap<string, Received>;
  error: string | null;
}

export interface Received {
  framesDecoded: number;
  frameHeight: number;
}

export const emptyFeed = (): WallFeed => ({
  state: null,
  tracks: new Map(),
  received: new Map(),
  error: null,
});

/**
 * This screen's live video of the phones: a receive transport, and the consumers the server
 * hands it (it decides which phones, at which layer, and pauses what is not seen). Every
 * (re)connection of the socket sets it up again.
 */
export class WallViewer {
  #device: Device | null = null;
  #transport: types.Transport | null = null;
  readonly #consumers = new Map<string, types.Consumer>();
  #feed: WallFeed = emptyFeed();
  readonly #statsTimer: ReturnType<typeof setInterval>;
  #watch: Omit<ViewerWatch, 'width' | 'height'> | null;
  #closed = false;

  constructor(
    private readonly socket: ShowSocket,
    watch: Omit<ViewerWatch, 'width' | 'height'> | null,
    private readonly onFeed: (feed: WallFeed) => void,
  ) {
    this.#watch = watch;
    socket.on('connect', this.#setup);
    socket.on('viewer:state', this.#onState);
    socket.on('viewer:consume', this.#onConsume);
    socket.on('viewer:close', this.#onClose);
    window.addEventListener('resize', this.#sendWatch);
    this.#statsTimer = setInterval(() => void this.#sampleReceived(), 1000);
    if (socket.connected) void this.#setup();
  }

  /** What this screen looks at now (a control panel's page, the tiles in view, the preview). */
  watch(watch: Omit<ViewerWatch, 'width' | 'height'>): void {
    this.#watch = watch;
    this.#sendWatch();
  }

  close(): void {
    this.#closed = true;
    this.socket.off('connect', this.#setup);
    this.socket.off('viewer:state', this.#onState);
    this.socket.off('viewer:consume', this.#onConsume);
    this.socket.off('viewer:close', this.#onClose);
    window.removeEventListener('resize', this.#sendWatch);
    clearInterval(this.#statsTimer);
    this.#transport?.close();
  }

  async #sampleReceived(): Promise<void> {
    const received = new Map<string, Received>();
    for (const consumer of this.#consumers.values()) {
      const stats = await consumer.getStats().catch(() => null);
      stats?.forEach((report: { type: string; framesDecoded?: number; frameHeight?: number }) => {
        if (report.type !== 'inbound-rtp') return;
        received.set(consumer.appData.participantId as string, {
          framesDecoded: report.framesDecoded ?? 0,
          frameHeight: report.frameHeight ?? 0,
        });
      });
    }
    this.#publish({ received });
  }

  readonly #setup = async (): Promise<void> => {
    try {
      this.#transport?.close();
      this.#consumers.clear();
      this.#publish({ tracks: new Map() });
      const joined = await this.#ask('viewer:join', {});
      this.#publish({ state: joined.state, error: null });
      if (!this.#device) {
        const device = new Device();
        await device.load({
          routerRtpCapabilities: joined.routerRtpCapabilities as types.RtpCapabilities,
        });
        this.#device = device;
      }
      const params = await this.#ask('viewer:transport', {
        rtpCapabilities: this.#device.rtpCapabilities,
      });
      const transport = this.#device.createRecvTransport(
        params as unknown as types.TransportOptions,
      );
      transport.on('connect', ({ dtlsParameters }, callback, errback) => {
        this.#ask('viewer:connect', { transportId: transport.id, dtlsParameters })
          .then(() => callback())
          .catch(errback);
      });
      transport.on('connectionstatechange', (state) => {
        // The server's media process for this show went away: watch again from the start.
        if (state === 'failed' && this.#transport === transport && !this.#closed)
          void this.#setup();
      });
      this.#transport = transport;
      this.#sendWatch();
    } catch (err) {
      if (!this.#closed) this.#publish({ error: (err as Error).message });
    }
  };

  readonly #sendWatch = (): void => {
    if (!this.#transport || this.#closed) return;
    const watch = { ...(this.#watch ?? {}), width: window.innerWidth, height: window.innerHeight };
    this.#ask('viewer:watch', watch).then(
      (state) => this.#publish({ state }),
      (err: Error) => this.#publish({ error: err.message }),
    );
  };

  readonly #onState = (state: ViewerState): void => this.#publish({ state });

  readonly #onConsume = async (
    consumer: ViewerConsumer,
    ack: (ok: boolean) => void,
  ): Promise<void> => {
    const transport = this.#transport;
    if (!transport || this.#closed) return ack(false);
    try {
      const made = await transport.consume({
        id: consumer.id,
        producerId: consumer.producerId,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters as unknown as types.RtpParameters,
        appData: { participantId: consumer.participantId },
      });
      this.#consumers.set(made.id, made);
      this.#publishTracks();
      ack(true);
    } catch {
      ack(false);
    }
  };

  readonly #onClose = ({ consumerId }: { consumerId: string }): void => {
    this.#consumers.get(consumerId)?.close();
    this.#consumers.delete(consumerId);
    this.#publishTracks();
  };

  #publishTracks(): void {
    const tracks = new Map<string, MediaStreamTrack>();
    for (const consumer of this.#consumers.values())
      tracks.set(consumer.appData.participantId as string, consumer.track);
    this.#publish({ tracks });
  }

  #publish(change: Partial<WallFeed>): void {
    if (this.#closed) return;
    this.#feed = { ...this.#feed, ...change };
    this.onFeed(this.#feed);
  }

  async #ask<E extends 'viewer:join' | 'viewer:transport' | 'viewer:connect' | 'viewer:watch'>(
    event: E,
    payload: object,
  ) {
    const answer = await request(this.socket, event, payload);
    if (!answer.ok) throw new Error(answer.error);
    return answer.data;
  }
}
