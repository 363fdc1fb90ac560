import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitSenderReport, rtcpSinkPort } from './recorder-rtcp.js';

/** An RTCP block: version 2, `type`, the sender's SSRC, `words` 32-bit words after the header. */
function block(type: number, ssrc: number, words: number): Buffer {
  const b = Buffer.alloc(4 + words * 4);
  b.writeUInt8(0x80, 0);
  b.writeUInt8(type, 1);
  b.writeUInt16BE(words, 2);
  b.writeUInt32BE(ssrc, 4);
  return b;
}

describe('the recorders RTCP sink (real loopback sockets)', () => {
  let recorder: Socket;
  const received: Buffer[] = [];
  let sink: number;
  const send = (packet: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const udp = createSocket('udp4');
      udp.send(packet, sink, '127.0.0.1', (err) => {
        udp.close();
        if (err) reject(err);
        else resolve();
      });
    });

  beforeAll(async () => {
    sink = await rtcpSinkPort();
    recorder = createSocket('udp4');
    recorder.on('message', (m) => received.push(m));
    await new Promise<void>((resolve) => recorder.bind(0, '127.0.0.1', resolve));
  });
  afterAll(() => recorder.close());

  it('passes on only the first sender report of an awaited stream, and survives garbage', async () => {
    const forget = awaitSenderReport(0xabcdef01, recorder.address().port);
    // What anyone on this machine might send: noise, a header alone, a length past the end.
    for (const junk of [
      randomBytes(3),
      randomBytes(200),
      block(200, 0xabcdef01, 6).subarray(0, 8),
      Buffer.from([0x80, 200, 0xff, 0xff, 0xab, 0xcd, 0xef, 0x01]),
    ])
      await send(junk);
    // A compound packet as mediasoup sends it: a receiver report, then the sender report.
    const report = block(200, 0xabcdef01, 6);
    report.writeUInt32BE(0x12345678, 16);
    await send(Buffer.concat([block(201, 0xabcdef01, 1), report]));
    await send(block(200, 0xabcdef01, 6));
    await send(block(200, 0x11111111, 6));
    await new Promise((r) => setTimeout(r, 200));
    forget();
    expect(received).toHaveLength(1);
    expect(received[0]).toEqual(report);
  });
});
