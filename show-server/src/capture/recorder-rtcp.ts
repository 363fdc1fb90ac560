import { createSocket, type Socket } from 'node:dgram';

let shared: Promise<Socket> | null = null;
/** Streams waiting for their first sender report: SSRC → the recorder's RTCP port. */
const awaitingReport = new Map<number, number>();
const SENDER_REPORT = 200;

/**
 * One loopback socket per process stands between mediasoup's RTCP and the recorders.
 *
 * Inbound it passes each stream's first sender report on to its recorder and drops the rest.
 * ffmpeg maps a stream's timestamps onto the wall clock at every report, and mediasoup's reports
 * follow the times it forwards packets, so under load a take's timeline would jump by the SFU's
 * lag at each one; one report per stream is enough to put audio and video on one clock, and the
 * streams then keep their phones' RTP clocks. TakeRecorder starts audio when the first keyframe has
 * gone out, so the one correction, early in the take, is small.
 *
 * Outbound it ends a recording: ffmpeg ignores a first SIGINT while no packet arrives, and a
 * second one fails its own trailer writes, but an RTCP BYE on every stream ends its input cleanly.
 */
function socket(): Promise<Socket> {
  shared ??= new Promise((resolve, reject) => {
    const udp = createSocket('udp4');
    udp.once('error', reject);
    udp.on('message', (packet) => passFirstReports(udp, packet));
    udp.bind(0, '127.0.0.1', () => {
      udp.unref();
      resolve(udp);
    });
  });
  return shared;
}

/** Forwards the first sender report of each awaited stream found in a compound RTCP packet. */
function passFirstReports(udp: Socket, packet: Buffer): void {
  for (let at = 0; at + 8 <= packet.length;) {
    const length = (packet.readUInt16BE(at + 2) + 1) * 4;
    if (at + length > packet.length) return;
    const ssrc = packet.readUInt32BE(at + 4);
    const port = awaitingReport.get(ssrc);
    if (packet[at + 1] === SENDER_REPORT && port !== undefined) {
      awaitingReport.delete(ssrc);
      udp.send(packet.subarray(at, at + length), port, '127.0.0.1');
    }
    at += length;
  }
}

/** The first sender report for `ssrc` goes to `rtcpPort`; returns what forgets it. */
export function awaitSenderReport(ssrc: number, rtcpPort: number): () => void {
  awaitingReport.set(ssrc, rtcpPort);
  return () => {
    if (awaitingReport.get(ssrc) === rtcpPort) awaitingReport.delete(ssrc);
  };
}

/** Where mediasoup sends the recorders' RTCP. */
export async function rtcpSinkPort(): Promise<number> {
  return (await socket()).address().port;
}

/**
 * An RTCP BYE to the recorder's RTCP port. ffmpeg's RTP demuxer drops anything shorter than an
 * RTP header (12 bytes), so the BYE names two sources rather than one.
 */
export async function sendRtcpBye(rtcpPort: number): Promise<void> {
  const bye = Buffer.alloc(12);
  bye.writeUInt8(0x82, 0); // version 2, two sources
  bye.writeUInt8(203, 1);
  bye.writeUInt16BE(2, 2); // length in 32-bit words, minus one
  const udp = await socket();
  await new Promise<void>((resolve, reject) =>
    udp.send(bye, rtcpPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
  );
}
