import type { Depacketizer } from './depacketizers.js';
import type { RtpPacket } from './rtp-packet.js';

export interface Frame {
  /** Its bytes, in pieces (see Depacketizer.frame). */
  data: Buffer[];
  keyframe: boolean;
  /** RTP timestamp, extended past its 32-bit wrap. */
  rtpTime: number;
  /** When its first packet arrived (ms, this process's monotonic clock). */
  arrivedMs: number;
}

/**
 * How long a gap in the sequence numbers is waited on: a packet the SFU had to ask the phone for
 * again arrives a round trip late, carrying its original number. Past this, the frame it belonged
 * to is given up.
 */
const GAP_WAIT_MS = 300;
/** Packets held behind a gap at most (a second of a 2.5 Mb/s stream). */
const HELD_MAX = 300;
/**
 * The largest frame gathered (a 720p keyframe is a few hundred kB): a sender that never marks a
 * frame's end must not grow one without bound.
 */
const FRAME_MAX_BYTES = 8 * 1024 * 1024;

const NONE: readonly Frame[] = Object.freeze([]);

interface Held {
  packet: RtpPacket;
  arrivedMs: number;
}

/**
 * One stream's packets in, its frames out, in order. Packets are put back in sequence order
 * (a retransmitted one arrives late with its original number); a gap is waited on for
 * GAP_WAIT_MS, then skipped. A frame is passed on only whole — from a packet that opens one to the
 * marker bit, with no number missing — and once one is lost, video frames are dropped until the
 * next keyframe (a frame decoded against a missing one shows garbage); `onLoss` asks for that
 * keyframe.
 */
export class FrameAssembler {
  readonly #held = new Map<number, Held>();
  /** The extended sequence number of the next packet to use; null before the first. */
  #next: number | null = null;
  #highest = 0;
  #lastRtpTime: number | null = null;
  #parts: Buffer[] = [];
  #partsBytes = 0;
  #partsTime = 0;
  #partsArrived = 0;
  /** Waiting for a keyframe after a loss (video only). */
  #broken = false;
  #gapSince: number | null = null;
  lostFrames = 0;

  constructor(
    private readonly depacketizer: Depacketizer,
    private readonly video: boolean,
    private readonly onLoss: () => void,
  ) {}

  push(packet: RtpPacket, nowMs: number): readonly Frame[] {
    const seq = this.#extend(packet.sequenceNumber);
    if (this.#next === null) this.#next = seq;
    // The usual case, a packet in order with nothing held: no holding, no list.
    if (seq === this.#next && this.#held.size === 0) {
      this.#next++;
      this.#gapSince = null;
      const frame = this.#use({ packet, arrivedMs: nowMs });
      return frame ? [frame] : NONE;
    }
    if (seq < this.#next || this.#held.has(seq)) return NONE;
    this.#held.set(seq, { packet, arrivedMs: nowMs });
    return this.drain(nowMs);
  }

  /** Frames that can be passed on now; with `flush`, skips every gap (the stream has ended). */
  drain(nowMs: number, flush = false): Frame[] {
    const frames: Frame[] = [];
    while (this.#next !== null && this.#held.size > 0) {
      const held = this.#held.get(this.#next);
      if (held) {
        this.#held.delete(this.#next++);
        this.#gapSince = null;
        const frame = this.#use(held);
        if (frame) frames.push(frame);
        continue;
      }
      this.#gapSince ??= nowMs;
      if (!flush && nowMs - this.#gapSince < GAP_WAIT_MS && this.#held.size < HELD_MAX) break;
      this.#next = Math.min(...this.#held.keys());
      this.#gapSince = null;
      this.#lose();
    }
    return frames;
  }

  #extend(seq: number): number {
    if (this.#next === null) {
      this.#highest = seq;
      return seq;
    }
    const base = this.#highest;
    // The nearest number to the highest seen with these low 16 bits.
    const extended = base + ((((seq - base) & 0xffff) ^ 0x8000) - 0x8000);
    if (extended > this.#highest) this.#highest = extended;
    return extended;
  }

  #rtpTime(timestamp: number): number {
    if (this.#lastRtpTime === null) return (this.#lastRtpTime = timestamp);
    this.#lastRtpTime += (timestamp - this.#lastRtpTime) | 0;
    return this.#lastRtpTime;
  }

  #lose(): void {
    this.#parts = [];
    this.#partsBytes = 0;
    this.lostFrames++;
    if (this.video) {
      this.#broken = true;
      this.onLoss();
    }
  }

  #use({ packet, arrivedMs }: Held): Frame | null {
    const rtpTime = this.#rtpTime(packet.timestamp);
    if (this.#parts.length > 0 && rtpTime !== this.#partsTime) this.#lose();
    if (this.#parts.length === 0) {
      if (!this.depacketizer.startsFrame(packet.payload)) return null;
      this.#partsTime = rtpTime;
      this.#partsArrived = arrivedMs;
    }
    this.#parts.push(packet.payload);
    this.#partsBytes += packet.payload.length;
    if (this.#partsBytes > FRAME_MAX_BYTES) {
      this.#lose();
      return null;
    }
    if (!packet.marker && this.video) return null;
    const frame = this.depacketizer.frame(this.#parts);
    this.#parts = [];
    this.#partsBytes = 0;
    if (!frame) {
      this.#lose();
      return null;
    }
    if (this.#broken && !frame.keyframe) return null;
    this.#broken = false;
    return { data: frame.data, keyframe: frame.keyframe, rtpTime, arrivedMs: this.#partsArrived };
  }
}
