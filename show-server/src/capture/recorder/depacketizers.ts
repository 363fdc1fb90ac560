/**
 * How each codec's frames are carried in RTP, as far as a recorder needs it: where a frame
 * starts, what of a packet is the frame's bytes, whether a frame is a keyframe, and what the
 * container needs to describe the track. Everything here reads bytes a phone chose, so every
 * read is bounds-checked: a malformed payload yields nothing rather than throwing.
 */
export interface Depacketizer {
  /** Whether this packet's payload opens a frame (its first packet). */
  startsFrame(payload: Buffer): boolean;
  /**
   * The frame's bytes from its packets' payloads, in order, as the pieces they are (copied once,
   * into the cluster that holds the frame); null if they do not make a frame.
   */
  frame(payloads: Buffer[]): { data: Buffer[]; keyframe: boolean } | null;
}

export type RecordedCodec = 'VP8' | 'H264' | 'opus';

/** The VP8 payload descriptor's length (RFC 7741 4.2), or -1 if the payload is too short for it. */
function vp8DescriptorLength(payload: Buffer): number {
  if (payload.length < 1) return -1;
  let at = 1;
  if (payload[0]! & 0x80) {
    if (payload.length < 2) return -1;
    const x = payload[1]!;
    at = 2;
    if (x & 0x80) at += payload.length > at && payload[at]! & 0x80 ? 2 : 1;
    if (x & 0x40) at += 1;
    if (x & 0x30) at += 1;
  }
  return at < payload.length ? at : -1;
}

export const vp8: Depacketizer = {
  // S set and partition index 0.
  startsFrame: (payload) => payload.length > 0 && (payload[0]! & 0x17) === 0x10,
  frame(payloads) {
    const data: Buffer[] = [];
    for (const payload of payloads) {
      const at = vp8DescriptorLength(payload);
      if (at < 0) return null;
      data.push(payload.subarray(at));
    }
    // The frame tag's first bit is 0 on a keyframe (RFC 6386 9.1).
    return { data, keyframe: (data[0]![0]! & 0x01) === 0 };
  },
};

/** A VP8 keyframe's size, from its uncompressed header (RFC 6386 9.1) in its first piece. */
export function vp8Dimensions([frame]: Buffer[]): { width: number; height: number } | null {
  if (!frame || frame.length < 10 || frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a)
    return null;
  return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}

const NAL = { idr: 5, sps: 7, pps: 8, stapA: 24, fuA: 28 } as const;

/** The NAL units a packet carries (RFC 6184, packetization modes 0 and 1), or null. */
function h264Units(payload: Buffer, units: Buffer[], fragment: Buffer[]): boolean {
  if (payload.length < 1) return false;
  const type = payload[0]! & 0x1f;
  if (type >= 1 && type <= 23) {
    units.push(payload);
    return true;
  }
  if (type === NAL.stapA) {
    for (let at = 1; at + 2 <= payload.length;) {
      const size = payload.readUInt16BE(at);
      if (size === 0 || at + 2 + size > payload.length) return false;
      units.push(payload.subarray(at + 2, at + 2 + size));
      at += 2 + size;
    }
    return true;
  }
  if (type === NAL.fuA) {
    if (payload.length < 3) return false;
    const header = payload[1]!;
    if (header & 0x80) {
      if (fragment.length > 0) return false;
      fragment.push(Buffer.from([(payload[0]! & 0xe0) | (header & 0x1f)]));
    } else if (fragment.length === 0) return false;
    fragment.push(payload.subarray(2));
    if (header & 0x40) units.push(Buffer.concat(fragment.splice(0)));
    return true;
  }
  return false;
}

export const h264: Depacketizer = {
  startsFrame: (payload) =>
    payload.length > 1 && ((payload[0]! & 0x1f) !== NAL.fuA || (payload[1]! & 0x80) !== 0),
  frame(payloads) {
    const units: Buffer[] = [];
    const fragment: Buffer[] = [];
    for (const payload of payloads) if (!h264Units(payload, units, fragment)) return null;
    if (units.length === 0 || fragment.length > 0) return null;
    // Matroska's AVC samples are length-prefixed (four bytes), as the track's avcC says.
    const data: Buffer[] = [];
    for (const unit of units) {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(unit.length);
      data.push(length, unit);
    }
    return {
      data,
      keyframe: units.some((u) => (u[0]! & 0x1f) === NAL.idr),
    };
  },
};

/** Reads an SPS's unsigned Exp-Golomb fields and bits (ITU-T H.264 7.3.2.1). */
class BitReader {
  #bit = 0;
  constructor(private readonly bytes: Buffer) {}
  bit(): number {
    const byte = this.bytes[this.#bit >> 3];
    if (byte === undefined) throw new RangeError('SPS ends early');
    return (byte >> (7 - (this.#bit++ & 7))) & 1;
  }
  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) if (++zeros > 31) throw new RangeError('bad Exp-Golomb code');
    return 2 ** zeros - 1 + this.bits(zeros);
  }
  se(): number {
    const v = this.ue();
    return v % 2 ? (v + 1) / 2 : -v / 2;
  }
}

/** An SPS without its emulation-prevention bytes (00 00 03 → 00 00). */
function unescape(unit: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < unit.length; i++) {
    if (i >= 2 && unit[i] === 3 && unit[i - 1] === 0 && unit[i - 2] === 0) continue;
    out.push(unit[i]!);
  }
  return Buffer.from(out);
}

/** The picture size an SPS gives (cropping applied), or null if it cannot be read. */
function spsDimensions(sps: Buffer): { width: number; height: number } | null {
  try {
    const r = new BitReader(unescape(sps.subarray(1)));
    const profile = r.bits(8);
    r.bits(16);
    r.ue();
    let chroma = 1;
    if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
      chroma = r.ue();
      if (chroma === 3) r.bit();
      r.ue();
      r.ue();
      r.bit();
      if (r.bit()) {
        for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
          if (!r.bit()) continue;
          let last = 8;
          let next = 8;
          for (let j = 0; j < (i < 6 ? 16 : 64) && next !== 0; j++) {
            next = (last + r.se() + 256) % 256;
            if (next !== 0) last = next;
          }
        }
      }
    }
    r.ue();
    const pocType = r.ue();
    if (pocType === 0) r.ue();
    else if (pocType === 1) {
      r.bit();
      r.se();
      r.se();
      const cycle = r.ue();
      for (let i = 0; i < cycle; i++) r.se();
    }
    r.ue();
    r.bit();
    const widthMbs = r.ue() + 1;
    const heightMaps = r.ue() + 1;
    const frameMbsOnly = r.bit();
    if (!frameMbsOnly) r.bit();
    r.bit();
    let [left, right, top, bottom] = [0, 0, 0, 0];
    if (r.bit()) [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
    const cropX = chroma === 0 || chroma === 3 ? 1 : 2;
    const cropY = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
    return {
      width: widthMbs * 16 - cropX * (left + right),
      height: heightMaps * 16 * (2 - frameMbsOnly) - cropY * (top + bottom),
    };
  } catch {
    return null;
  }
}

/**
 * What Matroska needs of an H.264 track, from a keyframe that carries its SPS and PPS in band (as
 * WebRTC senders put them before every IDR): the avcC record (ISO 14496-15 5.3.3.1, four-byte
 * lengths) and the picture size.
 */
export function avcTrack(
  keyframe: Buffer[],
): { codecPrivate: Buffer; width: number; height: number } | null {
  // The sample's pieces alternate: a unit's four-byte length, then the unit.
  const units = keyframe.filter((_, i) => i % 2 === 1);
  const sps = units.find((u) => (u[0]! & 0x1f) === NAL.sps);
  const pps = units.find((u) => (u[0]! & 0x1f) === NAL.pps);
  if (!sps || !pps || sps.length < 4) return null;
  const size = spsDimensions(sps);
  if (!size) return null;
  const head = Buffer.from([1, sps[1]!, sps[2]!, sps[3]!, 0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(sps.length, 6);
  const ppsHead = Buffer.from([1, 0, 0]);
  ppsHead.writeUInt16BE(pps.length, 1);
  return { codecPrivate: Buffer.concat([head, sps, ppsHead, pps]), ...size };
}

export const opus: Depacketizer = {
  startsFrame: () => true,
  frame: (payloads) =>
    payloads.length === 1 && payloads[0]!.length > 0 ? { data: payloads, keyframe: true } : null,
};

export const depacketizers: Record<RecordedCodec, Depacketizer> = { VP8: vp8, H264: h264, opus };
