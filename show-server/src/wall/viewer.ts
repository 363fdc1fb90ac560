import type { types as ms } from 'mediasoup';
import type { ViewerConsumer, ViewerState, ViewerWatch } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import type { TilePlan } from './viewer-budget.js';

/** How the server reaches one viewer's browser. */
export interface ViewerChannel {
  /** Asks the browser to make this consumer; resolves false if it could not. */
  consume(consumer: ViewerConsumer): Promise<boolean>;
  closed(consumerId: string): void;
  state(state: ViewerState): void;
}

/** The phones' video producers a viewer may receive, by participant, on this node. */
export type VideoSources = ReadonlyMap<string, ms.Producer>;

/**
 * One screen watching the phones (the stage, or a control panel): its receive transport and one
 * consumer per phone it shows. What it gets is the server's plan, never the browser's wish:
 * consumers are made paused, resumed only for tiles the plan shows, at the plan's layer.
 */
export class Viewer {
  transport: ms.WebRtcTransport | null = null;
  rtpCapabilities: ms.RtpCapabilities | null = null;
  /** What it looks at (its screen size; for a control panel, its page). */
  watch: ViewerWatch | null = null;
  /** The last state sent, so an unchanged one is not sent again. */
  lastState = '';
  readonly #consumers = new Map<string, ms.Consumer>();
  #serial: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    readonly id: string,
    readonly role: 'stage' | 'host',
    readonly showId: string,
    readonly router: ms.Router,
    readonly channel: ViewerChannel,
    private readonly log: Logger,
  ) {}

  /** Phones whose video flows to this viewer now. */
  live(): string[] {
    return [...this.#consumers].filter(([, c]) => !c.paused).map(([id]) => id);
  }

  /**
   * Brings the consumers in line with a plan, one plan after another: phones not in it lose their
   * consumer, paused tiles keep theirs paused, shown ones get theirs at the planned layer (a
   * keyframe asked for when it goes up, so the bigger picture is sharp at once).
   */
  apply(
    plan: TilePlan,
    sources: VideoSources,
    producerOn: (producer: ms.Producer) => Promise<string>,
  ): Promise<void> {
    const applied = this.#serial.then(() => this.#apply(plan, sources, producerOn));
    this.#serial = applied.catch((err: Error) =>
      this.log.warn({ err: err.message, viewer: this.id }, 'could not update a viewer'),
    );
    return this.#serial as Promise<void>;
  }

  async #apply(
    plan: TilePlan,
    sources: VideoSources,
    producerOn: (producer: ms.Producer) => Promise<string>,
  ): Promise<void> {
    for (const [participantId, consumer] of this.#consumers) {
      if (!plan.has(participantId) || !sources.has(participantId))
        this.#drop(participantId, consumer);
    }
    for (const [participantId, layer] of plan) {
      if (this.#closed) return;
      const producer = sources.get(participantId);
      if (!producer) continue;
      let consumer = this.#consumers.get(participantId);
      if (layer === null) {
        if (consumer && !consumer.paused) await consumer.pause();
        continue;
      }
      consumer ??= await this.#consume(participantId, producer, layer, producerOn);
      if (!consumer) continue;
      const before = consumer.preferredLayers?.spatialLayer ?? -1;
      if (consumer.type === 'simulcast' && before !== layer)
        await consumer.setPreferredLayers({ spatialLayer: layer, temporalLayer: 2 });
      if (consumer.paused) await consumer.resume();
      if (consumer.type === 'simulcast' && layer > before) await consumer.requestKeyFrame();
    }
  }

  async #consume(
    participantId: string,
    producer: ms.Producer,
    layer: number,
    producerOn: (producer: ms.Producer) => Promise<string>,
  ): Promise<ms.Consumer | undefined> {
    const transport = this.transport;
    const rtpCapabilities = this.rtpCapabilities;
    if (!transport || !rtpCapabilities || transport.closed) return undefined;
    const producerId = await producerOn(producer);
    if (!this.router.canConsume({ producerId, rtpCapabilities })) return undefined;
    const consumer = await transport.consume({
      producerId,
      rtpCapabilities,
      paused: true,
      preferredLayers: { spatialLayer: layer, temporalLayer: 2 },
    });
    const forget = () => {
      if (this.#consumers.get(participantId) !== consumer) return;
      this.#consumers.delete(participantId);
      if (!this.#closed) this.channel.closed(consumer.id);
    };
    consumer.on('layerschange', (layers) =>
      this.log.debug({ viewer: this.id, participantId, layers }, 'viewer layers changed'),
    );
    consumer.on('producerclose', forget);
    consumer.on('transportclose', forget);
    this.#consumers.set(participantId, consumer);
    const made = await this.channel
      .consume({
        id: consumer.id,
        producerId,
        participantId,
        kind: 'video',
        rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
      })
      .catch(() => false);
    if (!made) {
      this.#drop(participantId, consumer);
      return undefined;
    }
    return consumer;
  }

  #drop(participantId: string, consumer: ms.Consumer): void {
    this.#consumers.delete(participantId);
    consumer.close();
    if (!this.#closed) this.channel.closed(consumer.id);
  }

  close(): void {
    this.#closed = true;
    this.#consumers.clear();
    this.transport?.close();
    this.transport = null;
  }
}
