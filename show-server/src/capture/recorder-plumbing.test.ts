import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { PortAllocator } from './port-allocator.js';
import { recorderSdp } from './recorder-sdp.js';
import { boundUdpPorts, udpBindings } from './udp-sockets.js';

/** An Opus stream on port 45000, with the codec parameters given. */
const opusStream = (parameters: Record<string, unknown>) => ({
  kind: 'audio' as const,
  port: 45000,
  codec: {
    mimeType: 'audio/opus',
    payloadType: 100,
    clockRate: 48000,
    channels: 2,
    parameters,
  } as never,
});

describe('recorder SDP', () => {
  it('describes each stream on its own loopback port, RTCP one up, with the codec as mediasoup gives it', () => {
    const sdp = recorderSdp([
      opusStream({ useinbandfec: 1 }),
      {
        kind: 'video',
        port: 45002,
        codec: { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, parameters: {} },
      },
    ]);
    const lines = sdp.trim().split(/\r?\n/);
    expect(lines).toContain('c=IN IP4 127.0.0.1');
    expect(lines).toContain('m=audio 45000 RTP/AVP 100');
    expect(lines).toContain('a=rtcp:45001');
    expect(lines).toContain('a=rtpmap:100 opus/48000/2');
    expect(lines).toContain('a=fmtp:100 useinbandfec=1');
    expect(lines).toContain('m=video 45002 RTP/AVP 101');
    expect(lines).toContain('a=rtpmap:101 VP8/90000');
    expect(lines.filter((l) => l.startsWith('m='))).toHaveLength(2);
  });

  it('refuses codec parameters that would add lines, or that are not on the allow-list', () => {
    const opus = (parameters: Record<string, unknown>) => () =>
      recorderSdp([opusStream(parameters)]);
    expect(opus({ useinbandfec: '1\r\nm=audio 9999 RTP/AVP 0' })).toThrow(ZodError);
    expect(opus({ 'useinbandfec=1;x': 1 })).toThrow(/not allowed/);
    expect(opus({ minptime: 10, useinbandfec: 1 })()).toContain(
      'a=fmtp:100 minptime=10;useinbandfec=1',
    );
  });
});

describe('UDP bindings from the kernel tables', () => {
  it('lists the address a socket is bound to, without binding the port itself', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    try {
      expect(await udpBindings(port)).toEqual(['127.0.0.1']);
      expect((await boundUdpPorts()).has(port)).toBe(true);
    } finally {
      socket.close();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect((await boundUdpPorts()).has(port)).toBe(false);
  });

  it('shares one read among callers asking at once, each seeing what was bound before it asked', async () => {
    // A capture cue starts a hundred recorders, each polling for its ffmpeg's ports.
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    const asked = await Promise.all(Array.from({ length: 200 }, () => boundUdpPorts()));
    await new Promise<void>((resolve) => socket.close(resolve));
    const askedAfterClosing = await Promise.all(Array.from({ length: 200 }, () => boundUdpPorts()));
    expect(asked.every((bound) => bound.has(port))).toBe(true);
    expect(new Set(asked).size).toBeLessThanOrEqual(2);
    expect(askedAfterClosing.some((bound) => bound.has(port))).toBe(false);
  });
});

describe('recorder port allocation (real UDP sockets)', () => {
  it('hands out even ports whose odd neighbour is free, never twice until released, skipping ports in use', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(44103, '127.0.0.1', resolve));
    try {
      const ports = new PortAllocator(44100, 44109);
      const first = await ports.reservePair();
      const rest = [
        await ports.reservePair(),
        await ports.reservePair(),
        await ports.reservePair(),
      ];
      // In turn from wherever it started; 44102 never, its neighbour 44103 being someone else's.
      expect([first, ...rest].sort()).toEqual([44100, 44104, 44106, 44108]);
      await expect(ports.reservePair()).rejects.toThrow(
        /no free UDP port pair between 44100 and 44109/,
      );
      ports.release(first);
      expect(await ports.reservePair()).toBe(first);
      expect(await udpBindings(44103)).toEqual(['127.0.0.1']);
    } finally {
      taken.close();
    }
  });

  it('starts at a random pair, so show-servers sharing a range do not all try its first pair', async () => {
    const starts = new Set<number>();
    for (let i = 0; i < 20; i++) starts.add(await new PortAllocator(46000, 49999).reservePair());
    expect(starts.size).toBeGreaterThan(1);
  });
});
