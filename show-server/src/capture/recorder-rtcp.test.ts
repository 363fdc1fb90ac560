import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { followSenderReports, rtcpSinkPort } from './recorder-rtcp.js';

const VIDEO = 0xabcdef01;
const AUDIO = 0xabcdef02;
/** An arbitrary wall-clock moment, in NTP milliseconds. */
const T0 = 3_970_000_000_000;

/** An RTCP block: version 2, `type`, the sender's SSRC, `words` 32-bit words after the header. */
function block(type: number, ssrc: number, words: number): Buffer {
  const b = Buffer.alloc(4 + words * 4);
  b.writeUInt8(0x80, 0);
  b.writeUInt8(type, 1);
  b.writeUInt16BE(words, 2);
  b.writeUInt32BE(ssrc, 4);
  return b;
}

/** A sender report saying RTP time `ts` is wall-clock `ntpMs`. */
function senderReport(ssrc: number, ntpMs: number, ts: number): Buffer {
  const report = block(200, ssrc, 6);
  const seconds = Math.floor(ntpMs / 1000);
  report.writeUInt32BE(seconds, 8);
  report.writeUInt32BE(Math.round(((ntpMs - seconds * 1000) / 1000) * 2 ** 32), 12);
  report.writeUInt32BE(ts >>> 0, 16);
  return report;
}

const reportNtpMs = (r: Buffer) => r.readUInt32BE(8) * 1000 + (r.readUInt32BE(12) / 2 ** 32) * 1000;

/**
 * A phone whose audio and video are in sync: RTP time `phoneMs` after the start is sent at the
 * same moment on both. A report made when the SFU lags `lagMs` says that moment is later.
 */
const video = (phoneMs: number, lagMs: number, base = 1000) =>
  senderReport(VIDEO, T0 + phoneMs + lagMs, base + phoneMs * 90);
const audio = (phoneMs: number, lagMs: number) =>
  senderReport(AUDIO, T0 + phoneMs + lagMs, 5000 + phoneMs * 48);

describe('the recorders RTCP sink (real loopback sockets)', () => {
  let videoPort: Socket;
  let audioPort: Socket;
  const received: Array<{ port: 'video' | 'audio'; report: Buffer }> = [];
  let sink: number;
  let forget: () => void = () => undefined;
  const send = (packet: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const udp = createSocket('udp4');
      udp.send(packet, sink, '127.0.0.1', (err) => {
        udp.close();
        if (err) reject(err);
        else resolve();
      });
    });
  const settle = () => new Promise((r) => setTimeout(r, 150));
  const listen = async (port: 'video' | 'audio') => {
    const udp = createSocket('udp4');
    udp.on('message', (report) => received.push({ port, report }));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    return udp;
  };
  const follow = (kinds: Array<'video' | 'audio'>) => {
    forget = followSenderReports(
      kinds.map((kind) =>
        kind === 'video'
          ? { kind, ssrc: VIDEO, clockRate: 90000, rtcpPort: videoPort.address().port }
          : { kind, ssrc: AUDIO, clockRate: 48000, rtcpPort: audioPort.address().port },
      ),
    );
  };
  /** Where the recorder was told a report's RTP time is, against where the report said. */
  const movedMs = (report: Buffer, original: Buffer) => reportNtpMs(report) - reportNtpMs(original);

  beforeAll(async () => {
    sink = await rtcpSinkPort();
    videoPort = await listen('video');
    audioPort = await listen('audio');
  });
  beforeEach(() => {
    forget();
    received.length = 0;
  });
  afterAll(() => {
    forget();
    videoPort.close();
    audioPort.close();
  });

  it('passes video its first sender report only, and survives garbage', async () => {
    follow(['video', 'audio']);
    // What anyone on this machine might send: noise, a header alone, a length past the end, a
    // sender report too short to hold its timestamps.
    for (const junk of [
      randomBytes(3),
      randomBytes(200),
      block(200, VIDEO, 6).subarray(0, 8),
      Buffer.from([0x80, 200, 0xff, 0xff, 0xab, 0xcd, 0xef, 0x01]),
      block(200, VIDEO, 1),
    ])
      await send(junk);
    // A compound packet as mediasoup sends it: a receiver report, then the sender report.
    const first = video(0, 300);
    await send(Buffer.concat([block(201, VIDEO, 1), first]));
    await send(video(1000, 100));
    await send(video(2000, 0));
    await send(senderReport(0x11111111, T0, 0));
    await settle();
    expect(received).toEqual([{ port: 'video', report: first }]);
  });

  it('places audio by the lag video had at the same moment, read between the video reports around it', async () => {
    follow(['video', 'audio']);
    // Audio's report waits for video's first: until then there is no clock to place it on.
    const audioEarly = audio(-500, 300);
    await send(audioEarly);
    await settle();
    expect(received).toEqual([]);
    await send(video(0, 0));
    await settle();
    // Nothing to read video's lag between yet: audio as its own report says.
    expect(received.map((r) => r.port)).toEqual(['video', 'audio']);
    expect(movedMs(received[1]!.report, audioEarly)).toBeCloseTo(0, 0);
    // The SFU falls behind, audio and video alike: 500 ms at phone time 500, 1000 at 1000. Audio's
    // report waits for video's next, and is moved back by what video lagged at that moment over
    // its first report, read between the two (500 ms).
    const audioLagging = audio(500, 500);
    await send(audioLagging);
    await settle();
    expect(received).toHaveLength(2);
    await send(video(1000, 1000));
    await settle();
    expect(received).toHaveLength(3);
    expect(received[2]!.report.readUInt32BE(16)).toBe(audioLagging.readUInt32BE(16));
    expect(movedMs(received[2]!.report, audioLagging)).toBeCloseTo(-500, 0);
    // In sync: RTP time t of either stream lands at T0 + t (video's first report).
    const placed = (r: Buffer, clock: number, base: number) =>
      reportNtpMs(r) - (r.readUInt32BE(16) - base) / clock;
    expect(placed(received[2]!.report, 48, 5000)).toBeCloseTo(
      placed(received[0]!.report, 90, 1000),
      0,
    );
    // Read between video reports whose lag moved more (1000 → 3000), a report is less sure and
    // moves nothing; read where the lag held still, it is surer but moves audio only by 10 ms or
    // more (here 5); a time that is no lag at all (an hour off: a stream whose RTP time jumped,
    // or a stranger's packet) is not read.
    await send(audio(1500, 1700));
    await send(video(2000, 3000));
    await send(video(3000, 3000));
    await send(audio(3500, 3005));
    await send(video(4000, 3000));
    await send(video(4500, -3_600_000));
    await send(audio(5000, -3_600_000));
    await send(video(5000, 3000));
    // A video report made before an audio report that came first (or a stranger's with an early
    // time) leaves it waiting for one made after it.
    await send(audio(7000, 3000));
    await send(video(6500, 3000));
    await send(video(7500, 3000));
    await settle();
    expect(received).toHaveLength(3);
  });

  it('reads an RTP timestamp that wrapped as time going on', async () => {
    follow(['video', 'audio']);
    const base = 2 ** 32 - 45_000;
    await send(video(0, 0, base));
    // Video's RTP time wraps before its next report: read as 1 s on, it lagged 200 ms more.
    await send(video(1000, 200, base));
    const audioFirst = audio(1500, 250);
    await send(audioFirst);
    await send(video(2000, 300, base));
    await settle();
    expect(received.map((r) => r.port)).toEqual(['video', 'audio']);
    expect(movedMs(received[1]!.report, audioFirst)).toBeCloseTo(-250, 0);
  });

  it('passes a lone stream its first report, and nothing once forgotten', async () => {
    follow(['audio']);
    const first = audio(0, 40);
    await send(first);
    await send(audio(1000, 0));
    await settle();
    expect(received).toEqual([{ port: 'audio', report: first }]);
    forget();
    follow(['video', 'audio']);
    forget();
    await send(video(0, 0));
    await send(audio(0, 0));
    await settle();
    expect(received).toHaveLength(1);
  });
});
