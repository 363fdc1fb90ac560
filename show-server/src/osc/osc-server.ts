import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { fromBuffer, type OscMessageOutput, type OscPacketOutput } from 'osc-min';
import { idSchema } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import type { GoFrom, ShowControl } from '../shows/show-control.js';
import type { ShowStore } from '../shows/show-store.js';
import { secretMatches } from '../shows/secrets.js';
import { isLoopback } from '../http/client-address.js';
import { EventBudget } from '../socket/event-budget.js';

/** /show/<showId>[/<oscKey>]/<action> */
const ADDRESS =
  /^\/show\/([A-Za-z0-9_-]{6,64})(?:\/([A-Za-z0-9_-]{16,64}))?\/(go|back|cue|capture\/start|capture\/stop)$/;

/** Senders remembered for rate limiting; beyond this many the oldest are forgotten. */
const MAX_SENDERS = 1024;

export interface OscServerOptions {
  host: string;
  port: number;
  /** Messages per second one sender address may send (bursts of twice that). */
  messagesPerSecond: number;
}

/**
 * Remote control over OSC/UDP, so QLab, Bitfocus Companion or a Stream Deck can drive a show:
 * /show/<showId>/go <from>, /back, /cue <int>, /capture/start, /capture/stop. OSC carries no
 * credentials of its own and UDP senders are easy to fake, so only senders on this machine may
 * use the bare address; anyone else must put the show's OSC key in it (/show/<id>/<oscKey>/go).
 * GO names the cue it moves from (an integer index, -1 before the first cue, or a cue id), so a
 * bundle of GOs moves one cue. Anything malformed, unknown, unkeyed or too fast is logged and
 * ignored.
 */
export class OscServer {
  readonly #socket: dgram.Socket;
  readonly #log: Logger;
  /** Each sender's rate budget, and when it was last warned of going over it. */
  readonly #senders = new Map<string, { budget: EventBudget; warnedAt: number }>();
  /** Messages are handled one at a time, in arrival order: a cue list driven by OSC is a sequence. */
  #inOrder: Promise<void> = Promise.resolve();

  private constructor(
    private readonly control: ShowControl,
    private readonly shows: ShowStore,
    private readonly options: OscServerOptions,
    logger: Logger,
  ) {
    this.#socket = dgram.createSocket(isIP(options.host) === 6 ? 'udp6' : 'udp4');
    this.#log = logger.child({ component: 'osc' });
    this.#socket.on('message', (buffer, remote) => this.#receive(buffer, remote.address));
  }

  static async start(
    control: ShowControl,
    shows: ShowStore,
    options: OscServerOptions,
    logger: Logger,
  ): Promise<OscServer> {
    const server = new OscServer(control, shows, options, logger);
    const { host, port } = options;
    await new Promise<void>((resolve, reject) => {
      server.#socket.once('error', (err) =>
        reject(
          new Error(
            `cannot listen for OSC on ${host}:${port} (${err.message}): set SHOWREC_OSC_PORT to a free port, or to off`,
          ),
        ),
      );
      server.#socket.bind(port, host, () => resolve());
    });
    server.#log.info({ host, port: server.port }, 'OSC remote control listening');
    return server;
  }

  get port(): number {
    return this.#socket.address().port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  /**
   * Every message costs one token, alone or in a bundle; so does a malformed packet. What is within
   * the budget is handled in arrival order; the rest is dropped on arrival, with one warning a
   * second per sender, so a flood costs neither memory nor log lines.
   */
  #receive(buffer: Buffer, from: string): void {
    const sender = this.#senderOf(from);
    const { budget } = sender;
    let messages: OscMessageOutput[];
    try {
      messages = messagesOf(fromBuffer(buffer));
    } catch (err) {
      if (budget.take())
        this.#log.warn(
          { from, bytes: buffer.length, err: (err as Error).message },
          'ignored a malformed OSC packet',
        );
      return;
    }
    const admitted = messages.filter(() => budget.take());
    const dropped = messages.length - admitted.length;
    if (dropped > 0 && Date.now() - sender.warnedAt >= 1000) {
      sender.warnedAt = Date.now();
      this.#log.warn({ from, dropped }, 'ignored OSC messages over the rate limit');
    }
    for (const message of admitted) {
      this.#inOrder = this.#inOrder.then(() => this.#handle(message, from));
    }
  }

  #senderOf(address: string): { budget: EventBudget; warnedAt: number } {
    let sender = this.#senders.get(address);
    if (!sender) {
      if (this.#senders.size >= MAX_SENDERS)
        this.#senders.delete(this.#senders.keys().next().value!);
      sender = { budget: new EventBudget(this.options.messagesPerSecond), warnedAt: 0 };
      this.#senders.set(address, sender);
    }
    return sender;
  }

  /** Never rejects (a refusal is logged): the queue of messages goes on after it. */
  async #handle(message: OscMessageOutput, from: string): Promise<void> {
    const match = ADDRESS.exec(message.address);
    if (!match) {
      this.#log.warn(
        { from, address: message.address.slice(0, 100) },
        'ignored an OSC message with an unknown address',
      );
      return;
    }
    const [, showId, key, action] = match as unknown as [
      string,
      string,
      string | undefined,
      string,
    ];
    // The key is never logged.
    const logged = { from, showId, action };
    try {
      if (!(await this.#allowed(showId, key, from))) {
        this.#log.warn(logged, 'ignored an OSC message without this show’s OSC key');
        return;
      }
      switch (action) {
        case 'go': {
          const moveFrom = goFrom(message.args[0]);
          if (!moveFrom) {
            this.#log.warn(
              logged,
              'ignored /go without the cue it moves from (an integer index, -1 before the first cue, or a cue id)',
            );
            return;
          }
          await this.control.go(showId, moveFrom);
          break;
        }
        case 'back':
          await this.control.back(showId);
          break;
        case 'cue': {
          const index = integerOf(message.args[0]);
          if (index === null) {
            this.#log.warn(logged, 'ignored /cue without an integer cue index');
            return;
          }
          await this.control.jump(showId, index);
          break;
        }
        case 'capture/start':
          await this.control.setCapture(showId, true);
          break;
        case 'capture/stop':
          await this.control.setCapture(showId, false);
          break;
      }
      this.#log.info(logged, 'OSC command');
    } catch (err) {
      this.#log.warn({ ...logged, err: (err as Error).message }, 'OSC command refused');
    }
  }

  async #allowed(showId: string, key: string | undefined, from: string): Promise<boolean> {
    if (key === undefined) return isLoopback(from);
    const show = await this.shows.get(showId);
    return show?.oscKeyHash != null && secretMatches(key, show.oscKeyHash);
  }
}

function messagesOf(packet: OscPacketOutput): OscMessageOutput[] {
  return packet.oscType === 'message' ? [packet] : packet.elements.flatMap(messagesOf);
}

function integerOf(arg: OscMessageOutput['args'][number] | undefined): number | null {
  const value = arg && (arg.type === 'integer' || arg.type === 'float') ? arg.value : NaN;
  return Number.isInteger(value) ? value : null;
}

function goFrom(arg: OscMessageOutput['args'][number] | undefined): GoFrom | null {
  const index = integerOf(arg);
  if (index !== null) return { cueIndex: index };
  if (arg?.type === 'string' && idSchema.safeParse(arg.value).success) return { cueId: arg.value };
  return null;
}
