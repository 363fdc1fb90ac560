import { createSocket, type Socket } from 'node:dgram';

let shared: Promise<Socket> | null = null;
const SENDER_REPORT = 200;
/** Audio is moved again only when the best estimate has moved by this much: less is inaudible. */
const STEER_MS = 10;
/**
 * A report further from its stream's first than this is not the SFU's lag (a stream whose RTP
 * time jumped, or a packet from someone else on this machine): it moves nothing.
 */
const MAX_LAG_MS = 10_000;

export interface ReportedStream {
  kind: 'audio' | 'video';
  ssrc: number;
  clockRate: number;
  /** The recorder's RTCP port for this stream. */
  rtcpPort: number;
}

interface StreamReports extends ReportedStream {
  /** The stream's first report: the SFU's lag is measured from it. */
  first: { ntpMs: number; ts: number } | null;
  /** The report sent when the SFU lagged least, and by how much less than at the first. */
  best: { report: Buffer; ntpMs: number; lagMs: number } | null;
}

interface TakeReports {
  video: StreamReports | null;
  audio: StreamReports | null;
  /** Audio's lag minus video's, as last given to the recorder. */
  steeredMs: number | null;
}

const streams = new Map<number, { take: TakeReports; stream: StreamReports }>();

/**
 * One loopback socket per process stands between mediasoup's RTCP and the recorders.
 *
 * Inbound it keeps audio and video of a take on one clock. ffmpeg maps a stream's RTP timestamps
 * onto the wall clock at every sender report it gets, and mediasoup's reports follow the times it
 * forwards packets: under load each says the SFU's lag at that moment, which differs between
 * moments and between a take's audio and video sockets by up to a second. Passing every report
 * would make each stream's timeline jump by that lag; passing only the first of each leaves the
 * take out of sync by whatever the lags were then. So video gets its first report and no other
 * (its timeline never jumps), and audio gets reports that place it against video as they were
 * when the SFU lagged least on each: a stream's lag relative to its first report is read off
 * every report (wall-clock time passed minus RTP time passed), so the least-lagged report of each
 * is known as the take goes on, and the audio report passed on is moved by what video's first
 * report lagged over video's best. Audio is moved only when that estimate improves.
 *
 * Outbound it ends a recording: ffmpeg ignores a first SIGINT while no packet arrives, and a
 * second one fails its own trailer writes, but an RTCP BYE on every stream ends its input cleanly.
 */
function socket(): Promise<Socket> {
  shared ??= new Promise((resolve, reject) => {
    const udp = createSocket('udp4');
    udp.once('error', reject);
    udp.on('message', (packet) => readReports(udp, packet));
    udp.bind(0, '127.0.0.1', () => {
      udp.unref();
      resolve(udp);
    });
  });
  return shared;
}

/** Each sender report of a followed stream found in a compound RTCP packet. */
function readReports(udp: Socket, packet: Buffer): void {
  for (let at = 0; at + 8 <= packet.length;) {
    const length = (packet.readUInt16BE(at + 2) + 1) * 4;
    if (at + length > packet.length) return;
    const followed = streams.get(packet.readUInt32BE(at + 4));
    if (packet[at + 1] === SENDER_REPORT && length >= 28 && followed)
      senderReport(udp, followed.take, followed.stream, packet.subarray(at, at + length));
    at += length;
  }
}

const NTP_FRACTION = 2 ** 32;
const ntpMs = (report: Buffer) =>
  report.readUInt32BE(8) * 1000 + (report.readUInt32BE(12) / NTP_FRACTION) * 1000;

function withNtpMs(report: Buffer, ms: number): Buffer {
  const moved = Buffer.from(report);
  const seconds = Math.floor(ms / 1000);
  moved.writeUInt32BE(seconds >>> 0, 8);
  moved.writeUInt32BE(Math.floor(((ms - seconds * 1000) / 1000) * NTP_FRACTION) >>> 0, 12);
  return moved;
}

function senderReport(udp: Socket, take: TakeReports, stream: StreamReports, report: Buffer): void {
  const at = ntpMs(report);
  const ts = report.readUInt32BE(16);
  const isFirst = stream.first === null;
  stream.first ??= { ntpMs: at, ts };
  // RTP time passed as a signed 32-bit step, so a timestamp that wraps is still a step forward.
  const rtpMs = (((ts - stream.first.ts) | 0) / stream.clockRate) * 1000;
  const lagMs = at - stream.first.ntpMs - rtpMs;
  const improved =
    stream.best === null || (lagMs < stream.best.lagMs && Math.abs(lagMs) <= MAX_LAG_MS);
  if (improved) stream.best = { report: Buffer.from(report), ntpMs: at, lagMs };
  const { video, audio } = take;
  if (!video || !audio) {
    if (isFirst) udp.send(report, stream.rtcpPort, '127.0.0.1');
    return;
  }
  if (isFirst && stream === video) udp.send(report, video.rtcpPort, '127.0.0.1');
  if (improved && video.best && audio.best)
    steerAudio(udp, take, video.best, audio.best, audio.rtcpPort);
}

type BestReport = NonNullable<StreamReports['best']>;

function steerAudio(
  udp: Socket,
  take: TakeReports,
  video: BestReport,
  audio: BestReport,
  audioPort: number,
): void {
  const steeredMs = audio.lagMs - video.lagMs;
  if (take.steeredMs !== null && Math.abs(steeredMs - take.steeredMs) < STEER_MS) return;
  take.steeredMs = steeredMs;
  // Video's clock is its first report's: moving audio by what video lagged then over its best
  // puts both where they stood when the SFU lagged least.
  udp.send(withNtpMs(audio.report, audio.ntpMs - video.lagMs), audioPort, '127.0.0.1');
}

/** Follows the sender reports of a take's streams from now; returns what forgets them. */
export function followSenderReports(takeStreams: ReportedStream[]): () => void {
  const state = (kind: ReportedStream['kind']): StreamReports | null => {
    const found = takeStreams.find((s) => s.kind === kind);
    return found ? { ...found, first: null, best: null } : null;
  };
  const take: TakeReports = { video: state('video'), audio: state('audio'), steeredMs: null };
  const followed = [take.video, take.audio].filter((s) => s !== null);
  for (const stream of followed) streams.set(stream.ssrc, { take, stream });
  return () => {
    for (const stream of followed)
      if (streams.get(stream.ssrc)?.take === take) streams.delete(stream.ssrc);
  };
}

/** Where mediasoup sends the recorders' RTCP. */
export async function rtcpSinkPort(): Promise<number> {
  return (await socket()).address().port;
}

/**
 * An RTCP BYE to one of a recorder's ports (see FfmpegRecorder.stop for which). ffmpeg's RTP
 * demuxer drops anything shorter than an RTP header (12 bytes), so the BYE names two sources
 * rather than one.
 */
export async function sendRtcpBye(port: number): Promise<void> {
  const bye = Buffer.alloc(12);
  bye.writeUInt8(0x82, 0); // version 2, two sources
  bye.writeUInt8(203, 1);
  bye.writeUInt16BE(2, 2); // length in 32-bit words, minus one
  const udp = await socket();
  await new Promise<void>((resolve, reject) =>
    udp.send(bye, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
  );
}
