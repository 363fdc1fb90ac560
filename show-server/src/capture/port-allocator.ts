import { randomInt } from 'node:crypto';
import { boundUdpPorts } from './udp-sockets.js';

/**
 * Hands out even UDP ports whose odd neighbour is also free: ffmpeg listens for RTP on the even
 * port and RTCP on the next one. Ports stay reserved here until released, so two recorders
 * starting at once never race for the same pair. Another process may still bind a pair between
 * this check and ffmpeg's bind (see TakeRecorder.start); starting at a random pair keeps
 * processes sharing a range from all trying its first pair together.
 */
export class PortAllocator {
  readonly #reserved = new Set<number>();
  #cursor: number;

  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {
    const first = min + (min % 2);
    const pairs = Math.max(1, Math.floor((max - 1 - first) / 2) + 1);
    this.#cursor = first + 2 * randomInt(pairs);
  }

  async reservePair(): Promise<number> {
    const span = this.max - this.min;
    const bound = await boundUdpPorts();
    for (let tried = 0; tried < span; tried += 2) {
      const port = this.#cursor;
      this.#cursor = port + 2 > this.max - 1 ? this.min + (this.min % 2) : port + 2;
      if (this.#reserved.has(port)) continue;
      if (!bound.has(port) && !bound.has(port + 1)) {
        this.#reserved.add(port);
        return port;
      }
    }
    throw new Error(`no free UDP port pair between ${this.min} and ${this.max} for a recorder`);
  }

  release(port: number): void {
    this.#reserved.delete(port);
  }
}
