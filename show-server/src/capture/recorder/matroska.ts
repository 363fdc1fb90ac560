/**
 * The few Matroska elements a recording needs (RFC 9559), written as the take goes: a head (EBML
 * header, a Segment of unknown size, Info, Tracks) and then whole Clusters, each one write. A file
 * cut off after any cluster is a playable Matroska file; `finalDuration` fills in the Duration
 * the head reserves once the segment is closed.
 */

const ID = {
  ebml: 0x1a45dfa3,
  ebmlVersion: 0x4286,
  ebmlReadVersion: 0x42f7,
  ebmlMaxIdLength: 0x42f2,
  ebmlMaxSizeLength: 0x42f3,
  docType: 0x4282,
  docTypeVersion: 0x4287,
  docTypeReadVersion: 0x4285,
  segment: 0x18538067,
  info: 0x1549a966,
  timestampScale: 0x2ad7b1,
  duration: 0x4489,
  muxingApp: 0x4d80,
  writingApp: 0x5741,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackUid: 0x73c5,
  trackType: 0x83,
  flagLacing: 0x9c,
  codecId: 0x86,
  codecPrivate: 0x63a2,
  codecDelay: 0x56aa,
  seekPreRoll: 0x56bb,
  video: 0xe0,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  audio: 0xe1,
  samplingFrequency: 0xb5,
  channels: 0x9f,
  cluster: 0x1f43b675,
  timestamp: 0xe7,
  simpleBlock: 0xa3,
} as const;

export type MatroskaTrack =
  | {
      kind: 'video';
      codecId: 'V_VP8' | 'V_MPEG4/ISO/AVC';
      width: number;
      height: number;
      codecPrivate?: Buffer;
    }
  | { kind: 'audio'; codecId: 'A_OPUS'; channels: number; sampleRate: number };

export interface Block {
  /** 1-based, in the order the head lists the tracks. */
  track: number;
  timeMs: number;
  keyframe: boolean;
  /** The frame's bytes, in pieces. */
  data: Buffer[];
}

function idBytes(id: number): Buffer {
  const bytes = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;
  const out = Buffer.alloc(bytes);
  out.writeUIntBE(id, 0, bytes);
  return out;
}

/** An element size as an EBML variable-length integer (8 bytes at most, as the header allows). */
function sizeBytes(size: number): Buffer {
  for (let length = 1; length <= 8; length++) {
    if (size < 2 ** (7 * length) - 1) {
      const out = Buffer.alloc(length);
      let rest = size;
      for (let i = length - 1; i >= 0; i--) {
        out[i] = rest % 256;
        rest = Math.floor(rest / 256);
      }
      out[0]! |= 0x80 >> (length - 1);
      return out;
    }
  }
  throw new RangeError(`an element of ${size} bytes is too large`);
}

const element = (id: number, body: Buffer | Buffer[]): Buffer => {
  const data = Array.isArray(body) ? Buffer.concat(body) : body;
  return Buffer.concat([idBytes(id), sizeBytes(data.length), data]);
};

function uint(id: number, value: number): Buffer {
  const bytes = value > 0xffffffff ? 8 : value > 0xffff ? 4 : value > 0xff ? 2 : 1;
  const out = Buffer.alloc(bytes);
  if (bytes === 8) out.writeBigUInt64BE(BigInt(value));
  else out.writeUIntBE(value, 0, bytes);
  return element(id, out);
}

function float(id: number, value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeDoubleBE(value);
  return element(id, out);
}

const text = (id: number, value: string) => element(id, Buffer.from(value, 'utf8'));

/** Opus's identification header (RFC 7845 5.1), as Matroska's A_OPUS CodecPrivate. */
function opusHead(channels: number, sampleRate: number): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head.writeUInt8(1, 8);
  head.writeUInt8(channels, 9);
  head.writeUInt16LE(0, 10);
  head.writeUInt32LE(sampleRate, 12);
  head.writeInt16LE(0, 16);
  head.writeUInt8(0, 18);
  return head;
}

function trackEntry(track: MatroskaTrack, number: number): Buffer {
  const common = [
    uint(ID.trackNumber, number),
    uint(ID.trackUid, number),
    uint(ID.flagLacing, 0),
    text(ID.codecId, track.codecId),
  ];
  if (track.kind === 'video') {
    return element(ID.trackEntry, [
      ...common,
      uint(ID.trackType, 1),
      ...(track.codecPrivate ? [element(ID.codecPrivate, track.codecPrivate)] : []),
      element(ID.video, [uint(ID.pixelWidth, track.width), uint(ID.pixelHeight, track.height)]),
    ]);
  }
  return element(ID.trackEntry, [
    ...common,
    uint(ID.trackType, 2),
    element(ID.codecPrivate, opusHead(track.channels, track.sampleRate)),
    uint(ID.seekPreRoll, 80_000_000),
    element(ID.audio, [
      float(ID.samplingFrequency, track.sampleRate),
      uint(ID.channels, track.channels),
    ]),
  ]);
}

/**
 * The file's head, and where in it the 8-byte Duration value sits (milliseconds, as the
 * timestamp scale makes every time in the file).
 */
export function matroskaHead(tracks: MatroskaTrack[]): { bytes: Buffer; durationAt: number } {
  const header = element(ID.ebml, [
    uint(ID.ebmlVersion, 1),
    uint(ID.ebmlReadVersion, 1),
    uint(ID.ebmlMaxIdLength, 4),
    uint(ID.ebmlMaxSizeLength, 8),
    text(ID.docType, 'matroska'),
    uint(ID.docTypeVersion, 4),
    uint(ID.docTypeReadVersion, 2),
  ]);
  const infoHead = [
    uint(ID.timestampScale, 1_000_000),
    text(ID.muxingApp, 'showrec'),
    text(ID.writingApp, 'showrec'),
  ];
  const duration = float(ID.duration, 0);
  const info = element(ID.info, [...infoHead, duration]);
  const segmentStart = Buffer.concat([
    idBytes(ID.segment),
    // Unknown size: the segment runs to the end of the file, wherever a crash leaves it.
    Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  ]);
  const bytes = Buffer.concat([
    header,
    segmentStart,
    info,
    element(
      ID.tracks,
      tracks.map((t, i) => trackEntry(t, i + 1)),
    ),
  ]);
  const durationAt = header.length + segmentStart.length + info.length - 8;
  return { bytes, durationAt };
}

/** Duration's value, to be written at `durationAt`. */
export function finalDuration(ms: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeDoubleBE(ms);
  return out;
}

/** The largest offset of a block from its cluster's timestamp (a signed 16-bit field). */
export const MAX_BLOCK_OFFSET_MS = 32_767;

/**
 * A cluster holding `blocks`, timed from the first; each block within MAX_BLOCK_OFFSET_MS of it.
 * Built in one buffer, each frame's pieces copied once: this runs for every second of every take.
 */
export function matroskaCluster(blocks: Block[]): Buffer {
  const clusterMs = blocks[0]!.timeMs;
  const timestamp = uint(ID.timestamp, clusterMs);
  const simpleBlock = idBytes(ID.simpleBlock);
  const sizes = blocks.map((b) => b.data.reduce((sum, piece) => sum + piece.length, 4));
  const blockSizes = sizes.map((size) => sizeBytes(size));
  const body = sizes.reduce(
    (sum, size, i) => sum + simpleBlock.length + blockSizes[i]!.length + size,
    timestamp.length,
  );
  const head = Buffer.concat([idBytes(ID.cluster), sizeBytes(body)]);
  const out = Buffer.allocUnsafe(head.length + body);
  let at = head.copy(out, 0);
  at += timestamp.copy(out, at);
  blocks.forEach((block, i) => {
    at += simpleBlock.copy(out, at);
    at += blockSizes[i]!.copy(out, at);
    out[at] = 0x80 | block.track;
    out.writeInt16BE(block.timeMs - clusterMs, at + 1);
    out[at + 3] = block.keyframe ? 0x80 : 0;
    at += 4;
    for (const piece of block.data) at += piece.copy(out, at);
  });
  return out;
}
