import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { PortAllocator, udpPortFree } from './port-allocator.js';
import { recorderSdp } from './recorder-sdp.js';

describe('recorder SDP', () => {
  it('describes each stream on its own loopback port, RTCP one up, with the codec as mediasoup gives it', () => {
    const sdp = recorderSdp([
      {
        kind: 'audio',
        port: 45000,
        codec: {
          mimeType: 'audio/opus',
          payloadType: 100,
          clockRate: 48000,
          channels: 2,
          parameters: { useinbandfec: 1 },
        },
      },
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
});

describe('recorder port allocation (real UDP sockets)', () => {
  it('hands out even ports whose odd neighbour is free, never twice until released, skipping ports in use', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(44103, '127.0.0.1', resolve));
    try {
      const ports = new PortAllocator(44100, 44109);
      const first = await ports.reservePair();
      const second = await ports.reservePair();
      expect(first).toBe(44100);
      // 44102's neighbour 44103 is bound by someone else.
      expect(second).toBe(44104);
      const rest = [await ports.reservePair(), await ports.reservePair()];
      expect(rest).toEqual([44106, 44108]);
      await expect(ports.reservePair()).rejects.toThrow(
        /no free UDP port pair between 44100 and 44109/,
      );
      ports.release(first);
      expect(await ports.reservePair()).toBe(first);
      expect(await udpPortFree(44103)).toBe(false);
    } finally {
      taken.close();
    }
  });
});
