import { createSocket, type Socket } from 'node:dgram';

let shared: Promise<Socket> | null = null;

/**
 * One loopback socket per process stands between mediasoup's RTCP and the recorders.
 *
 * Inbound it drops what mediasoup sends: ffmpeg re-maps a stream's timestamps at every sender
 * report, and mediasoup's reports follow its own send times, so under load a take's timeline
 * would jump by the SFU's lag; without them each stream keeps its phone's RTP clock (the streams
 * start together: TakeRecorder resumes them so).
 *
 * Outbound it ends a recording: ffmpeg ignores a first SIGINT while no packet arrives, and a
 * second one fails its own trailer writes, but an RTCP BYE on every stream ends its input cleanly.
 */
function socket(): Promise<Socket> {
  shared ??= new Promise((resolve, reject) => {
    const udp = createSocket('udp4');
    udp.once('error', reject);
    udp.on('message', () => undefined);
    udp.bind(0, '127.0.0.1', () => {
      udp.unref();
      resolve(udp);
    });
  });
  return shared;
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
