import type { types as ms } from 'mediasoup';
import { unreadUdpBytes } from './udp-sockets.js';

/** What LoadWatch measures; the same figures, as limits, say when to refuse phones. */
export interface LoadSample {
  /** The busiest mediasoup worker's CPU, as a share of one core. */
  sfuCpu: number;
  /**
   * How far the recorders are behind what arrives, in ms of the phones' media, counted from
   * the kernel's buffers: an upper bound (up to about twice the payload's own length).
   */
  recorderLagMs: number;
  /** Packets the median phone lost at the SFU over the last sample, in %. */
  lossPercent: number;
}

export type LoadLimits = LoadSample;

/** What one sample is taken from: this process's recordings and its phones' counters. */
export interface LoadInputs {
  workers: ms.Worker[];
  /** The loopback ports the recorders read. */
  recorderPorts: number[];
  /** What the phones send in all, in bits per second. */
  bps: number;
  /** Each phone's packets received and lost by the SFU so far (they only grow). */
  phones: Array<{ id: string; packets: number; lost: number }>;
}

/**
 * The show-server's own measure of how loaded it is, taken every couple of seconds. A configured
 * capacity is a guess about the machine; this sees what the machine does: a mediasoup worker
 * near a full core, recorders falling behind (bytes waiting unread in their sockets), phones
 * losing packets — the median phone, since one phone on bad Wi-Fi says nothing of the server,
 * while an overloaded server makes them all lose. While any is past its limit, new phones are
 * refused.
 */
export class LoadWatch {
  readonly #limits: LoadLimits;
  #last: {
    at: number;
    cpuMs: Map<number, number>;
    phones: Map<string, { packets: number; lost: number }>;
  } | null = null;
  #sample: LoadSample = { sfuCpu: 0, recorderLagMs: 0, lossPercent: 0 };

  constructor(limits: LoadLimits) {
    this.#limits = limits;
  }

  get sample(): LoadSample {
    return this.#sample;
  }

  async measure(inputs: LoadInputs): Promise<LoadSample> {
    const at = Date.now();
    const cpuMs = new Map<number, number>();
    for (const worker of inputs.workers) {
      const usage = await worker.getResourceUsage().catch(() => null);
      if (usage) cpuMs.set(worker.pid, usage.ru_utime + usage.ru_stime);
    }
    const unread = inputs.recorderPorts.length ? await unreadUdpBytes(inputs.recorderPorts) : 0;
    const last = this.#last;
    // CPU time is counted in milliseconds: over a shorter window than this a single tick reads
    // as tens of percent, so a sample taken soon after another keeps the figure it had.
    const cpuFresh = !last || at - last.at >= MIN_CPU_WINDOW_MS;
    const busiest = !last
      ? 0
      : !cpuFresh
        ? this.#sample.sfuCpu
        : Math.max(
            0,
            ...[...cpuMs].map(([pid, ms]) =>
              last.cpuMs.has(pid) ? (ms - last.cpuMs.get(pid)!) / (at - last.at) : 0,
            ),
          );
    const losses = inputs.phones.flatMap(({ id, packets, lost }) => {
      const before = last?.phones.get(id);
      if (!before) return [];
      const [got, missed] = [packets - before.packets, Math.max(0, lost - before.lost)];
      return got + missed > 0 ? [(missed / (got + missed)) * 100] : [];
    });
    losses.sort((a, b) => a - b);
    const phones = new Map(inputs.phones.map((p) => [p.id, p]));
    this.#last = cpuFresh ? { at, cpuMs, phones } : { ...last!, phones };
    this.#sample = {
      sfuCpu: busiest,
      recorderLagMs: inputs.bps > 0 ? ((unread * 8) / inputs.bps) * 1000 : 0,
      lossPercent: losses.length ? losses[Math.floor(losses.length / 2)]! : 0,
    };
    return this.#sample;
  }

  /** Why this process can take no more phones now, or null while it can. */
  overloaded(): string | null {
    const { sfuCpu, recorderLagMs, lossPercent } = this.#sample;
    const limits = this.#limits;
    if (sfuCpu > limits.sfuCpu)
      return `a media worker is at ${Math.round(sfuCpu * 100)} % of a core (limit ${Math.round(limits.sfuCpu * 100)} %)`;
    if (recorderLagMs > limits.recorderLagMs)
      return `the recorders are ${Math.round(recorderLagMs)} ms behind (limit ${limits.recorderLagMs} ms)`;
    if (lossPercent > limits.lossPercent)
      return `phones are losing ${lossPercent.toFixed(1)} % of their packets (limit ${limits.lossPercent} %)`;
    return null;
  }
}

const MIN_CPU_WINDOW_MS = 500;
