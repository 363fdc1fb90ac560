import dgram from 'node:dgram';
import { fromBuffer, type OscMessageOutput, type OscPacketOutput } from 'osc-min';
import type { Logger } from '../logger.js';
import type { ShowControl } from '../shows/show-control.js';

const ADDRESS = /^\/show\/([A-Za-z0-9_-]{6,64})\/(go|back|cue|capture\/start|capture\/stop)$/;

/**
 * Remote control over OSC/UDP, so QLab, Bitfocus Companion or a Stream Deck can drive a show:
 * /show/<showId>/go, /back, /cue <int>, /capture/start, /capture/stop. OSC carries no
 * credentials: bind it to a trusted interface (SHOWREC_OSC_HOST) or turn it off (port 0).
 * Anything malformed or unknown is logged and ignored.
 */
export class OscServer {
  readonly #socket = dgram.createSocket('udp4');
  readonly #log: Logger;

  private constructor(
    private readonly control: ShowControl,
    logger: Logger,
  ) {
    this.#log = logger.child({ component: 'osc' });
    this.#socket.on(
      'message',
      (buffer, remote) => void this.#receive(buffer, `${remote.address}:${remote.port}`),
    );
  }

  static async start(
    control: ShowControl,
    host: string,
    port: number,
    logger: Logger,
  ): Promise<OscServer> {
    const server = new OscServer(control, logger);
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

  async #receive(buffer: Buffer, from: string): Promise<void> {
    let packet: OscPacketOutput;
    try {
      packet = fromBuffer(buffer);
    } catch (err) {
      this.#log.warn(
        { from, bytes: buffer.length, err: (err as Error).message },
        'ignored a malformed OSC packet',
      );
      return;
    }
    for (const message of messagesOf(packet)) await this.#handle(message, from);
  }

  async #handle(message: OscMessageOutput, from: string): Promise<void> {
    const match = ADDRESS.exec(message.address);
    if (!match) {
      this.#log.warn(
        { from, address: message.address.slice(0, 100) },
        'ignored an OSC message with an unknown address',
      );
      return;
    }
    const [, showId, action] = match as unknown as [string, string, string];
    try {
      switch (action) {
        case 'go':
          await this.control.go(showId);
          break;
        case 'back':
          await this.control.back(showId);
          break;
        case 'cue': {
          const arg = message.args[0];
          const index = arg && (arg.type === 'integer' || arg.type === 'float') ? arg.value : NaN;
          if (!Number.isInteger(index)) {
            this.#log.warn(
              { from, address: message.address },
              'ignored /cue without an integer cue index',
            );
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
      this.#log.info({ from, address: message.address }, 'OSC command');
    } catch (err) {
      this.#log.warn(
        { from, address: message.address, err: (err as Error).message },
        'OSC command refused',
      );
    }
  }
}

function messagesOf(packet: OscPacketOutput): OscMessageOutput[] {
  return packet.oscType === 'message' ? [packet] : packet.elements.flatMap(messagesOf);
}
