/** What the recorder reads of an RTP packet (RFC 3550); `payload` is a view, not a copy. */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

const RTP_HEADER_BYTES = 12;

/**
 * RTCP shares the recorder's port with RTP (RFC 5761): its packet types 192–223 sit where RTP's
 * marker bit and payload type do, which no RTP payload type of ours reaches.
 */
export function isRtcp(packet: Buffer): boolean {
  return packet.length >= 8 && packet[1]! >= 192 && packet[1]! <= 223;
}

/**
 * Reads an RTP packet, skipping contributing sources, header extensions and padding. A packet
 * that is not RTP version 2, or whose lengths do not add up, is null: it comes from whoever
 * reached the port, or is garbled, and is dropped.
 */
export function parseRtp(packet: Buffer): RtpPacket | null {
  if (packet.length < RTP_HEADER_BYTES || packet[0]! >> 6 !== 2) return null;
  let start = RTP_HEADER_BYTES + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10) {
    if (packet.length < start + 4) return null;
    start += 4 + 4 * packet.readUInt16BE(start + 2);
  }
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[packet.length - 1]!;
  if (start > end) return null;
  return {
    payloadType: packet[1]! & 0x7f,
    marker: (packet[1]! & 0x80) !== 0,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(start, end),
  };
}

/** An RTCP BYE (RFC 3550 6.6) naming one source. */
export function rtcpBye(ssrc: number): Buffer {
  const bye = Buffer.alloc(8);
  bye.writeUInt8(0x81, 0);
  bye.writeUInt8(203, 1);
  bye.writeUInt16BE(1, 2);
  bye.writeUInt32BE(ssrc >>> 0, 4);
  return bye;
}

/** Whether an RTCP packet is a BYE (alone or first in a compound packet). */
export function isRtcpBye(packet: Buffer): boolean {
  return isRtcp(packet) && packet[1] === 203;
}
