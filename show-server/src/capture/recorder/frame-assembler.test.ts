import { describe, expect, it } from 'vitest';
import { vp8 } from './depacketizers.js';
import { FrameAssembler } from './frame-assembler.js';
import type { RtpPacket } from './rtp-packet.js';

/**
 * A VP8 frame of `count` packets, numbered from `seq`: descriptor byte (S on the first), then the
 * frame's bytes (its first byte says keyframe or not).
 */
function vp8Frame(seq: number, timestamp: number, count: number, keyframe: boolean): RtpPacket[] {
  return Array.from({ length: count }, (_, i) => ({
    payloadType: 101,
    marker: i === count - 1,
    sequenceNumber: (seq + i) & 0xffff,
    timestamp,
    ssrc: 1,
    payload: Buffer.from([i === 0 ? 0x10 : 0x00, i === 0 ? (keyframe ? 0x00 : 0x01) : 0xaa, i]),
  }));
}

describe('FrameAssembler', () => {
  it('puts late packets back in order and passes each frame on whole, across the sequence wrap', () => {
    const asked: number[] = [];
    const assembler = new FrameAssembler(vp8, true, () => asked.push(1));
    const packets = [...vp8Frame(65534, 1000, 3, true), ...vp8Frame(1, 4000, 3, false)];
    // A retransmitted packet arrives after the ones behind it.
    const order = [0, 2, 3, 1, 4, 5];
    const frames = order.flatMap((i) => assembler.push(packets[i]!, i * 10));
    const bytes = (f: (typeof frames)[number]) => Buffer.concat(f.data).length;
    expect(frames.map((f) => [f.rtpTime, f.keyframe, bytes(f)])).toEqual([
      [1000, true, 6],
      [4000, false, 6],
    ]);
    expect(asked).toEqual([]);
  });

  it('gives up on a missing packet after waiting, drops frames until the next keyframe and asks for one', () => {
    const asked: number[] = [];
    const assembler = new FrameAssembler(vp8, true, () => asked.push(1));
    const packets = [
      ...vp8Frame(10, 1000, 2, true),
      ...vp8Frame(12, 4000, 2, false),
      ...vp8Frame(14, 7000, 2, false),
      ...vp8Frame(16, 10000, 2, true),
    ];
    const sent = packets.filter((p) => p.sequenceNumber !== 12);
    const frames = sent.flatMap((p, i) => assembler.push(p, i));
    // Waiting for 12: only the first frame is out.
    expect(frames.map((f) => f.rtpTime)).toEqual([1000]);
    const later = assembler.drain(1000);
    expect(later.map((f) => [f.rtpTime, f.keyframe])).toEqual([[10000, true]]);
    expect(asked.length).toBe(1);
    expect(assembler.lostFrames).toBe(1);
  });

  it('gives up a frame that never ends rather than gathering it without bound', () => {
    const asked: number[] = [];
    const assembler = new FrameAssembler(vp8, true, () => asked.push(1));
    // 10,000 packets of 1 kB, one timestamp, no marker: 10 MB that is never a frame.
    const endless = Array.from({ length: 10_000 }, (_, i) => ({
      payloadType: 101,
      marker: false,
      sequenceNumber: i,
      timestamp: 1000,
      ssrc: 1,
      payload: Buffer.alloc(1000, i === 0 ? 0x10 : 0x00),
    }));
    expect(endless.flatMap((p) => assembler.push(p, 0))).toEqual([]);
    expect(assembler.lostFrames).toBe(1);
    expect(asked).toEqual([1]);
    expect(vp8Frame(10_000, 4000, 2, true).flatMap((p) => assembler.push(p, 0))).toHaveLength(1);
  });

  it('passes every audio packet on as a frame, skipping a gap without asking for anything', () => {
    const asked: number[] = [];
    const assembler = new FrameAssembler(
      { startsFrame: () => true, frame: (p) => ({ data: p, keyframe: true }) },
      false,
      () => asked.push(1),
    );
    const audio = (seq: number): RtpPacket => ({
      payloadType: 100,
      marker: false,
      sequenceNumber: seq,
      timestamp: seq * 960,
      ssrc: 2,
      payload: Buffer.from([seq]),
    });
    const frames = [1, 2, 4, 5].flatMap((s) => assembler.push(audio(s), 0));
    expect(frames.map((f) => f.data[0]![0])).toEqual([1, 2]);
    expect(assembler.drain(0, true).map((f) => f.data[0]![0])).toEqual([4, 5]);
    expect(asked).toEqual([]);
  });
});
