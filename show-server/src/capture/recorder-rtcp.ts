import { createSocket, type Socket } from 'node:dgram';

let shared: Promise<Socket> | null = null;
const SENDER_REPORT = 200;
/** Audio is moved again only when its placement changes by this much: less is inaudible. */
const STEER_MS = 10;
/**
 * A report further from its stream's first than this is not the SFU's lag (a stream whose RTP
 * time jumped, or a packet from someone else on this machine): it moves nothing.
 */
const MAX_LAG_MS = 10_000;
/** Video's reports kept to read its lag between: audio reports come every 5 s, video's every 1. */
const VIDEO_LAGS_KEPT = 12;
/** Audio reports kept waiting for video's next (only a stream that lost its video waits long). */
const AUDIO_WAITING_KEPT = 4;

export interface ReportedStream {
  kind: 'audio' | 'video';
  ssrc: number;
  clockRate: number;
  /** The recorder's RTCP port for this stream. */
  rtcpPort: number;
}

interface StreamReports extends ReportedStream {
  /** The stream's first report: its lag is measured from it. */
  first: { ntpMs: number; ts: number } | null;
}

/** A report's wall-clock time, and how much more its stream lagged then than at its first. */
interface Lag {
  ntpMs: number;
  lagMs: number;
}

interface TakeReports {
  video: StreamReports | null;
  audio: StreamReports | null;
  /** Video's latest reports, oldest first. */
  videoLags: Lag[];
  /** Audio reports waiting for the video report after them. */
  waiting: Array<Lag & { report: Buffer }>;
  /**
   * Audio's placement as last given to the recorder (its lag against video's first report), and
   * how unsure it is: how much video's lag changed between the two reports it was read between.
   */
  placed: { offsetMs: number; unsureMs: number } | null;
}

const streams = new Map<number, { take: TakeReports; stream: StreamReports }>();

/**
 * One loopback socket per process stands between mediasoup's RTCP and the recorders.
 *
 * Inbound it keeps audio and video of a take on one clock. ffmpeg maps a stream's RTP timestamps
 * onto the wall clock at every sender report it gets, and mediasoup's reports follow the times it
 * forwards packets: each says the SFU's lag at that moment, which under load grows and shrinks by
 * seconds within a take. Passing every report would make each stream's timeline jump by that lag;
 * passing only the first of each leaves the take out of sync by however much the lag moved
 * between the two (audio reports every 5 s, video every second). So video gets its first report
 * and no other (its timeline never jumps), and each audio report is placed by video's lag at the
 * same moment: a phone's audio and video reach the SFU through one transport, so at any moment
 * they lag alike. A stream's lag relative to its first report is read off every report
 * (wall-clock time passed minus RTP time passed); video's at an audio report's time is read
 * between the video reports before and after it, and the audio report passed on is moved back by
 * it. Audio is moved only by a placement read between reports whose lag moved less than the last
 * one's did, and that differs from it by STEER_MS or more.
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
  const { video, audio } = take;
  if (!video || !audio) {
    if (isFirst) udp.send(report, stream.rtcpPort, '127.0.0.1');
    return;
  }
  if (Math.abs(lagMs) > MAX_LAG_MS) return;
  if (stream === audio) {
    take.waiting.push({ ntpMs: at, lagMs, report });
    if (take.waiting.length > AUDIO_WAITING_KEPT) take.waiting.shift();
    return;
  }
  if (isFirst) udp.send(report, video.rtcpPort, '127.0.0.1');
  const now = { ntpMs: at, lagMs };
  take.videoLags.push(now);
  if (take.videoLags.length > VIDEO_LAGS_KEPT) take.videoLags.shift();
  const ready = take.waiting.filter((w) => w.ntpMs <= at);
  take.waiting = take.waiting.filter((w) => w.ntpMs > at);
  for (const waiting of ready) placeAudio(udp, take, waiting, now, audio.rtcpPort);
}

/**
 * Places an audio report by video's lag when it was made, read between video's reports before it
 * and `after` it, if that is surer than the last placement.
 */
function placeAudio(
  udp: Socket,
  take: TakeReports,
  waiting: TakeReports['waiting'][number],
  after: Lag,
  audioPort: number,
): void {
  const before = take.videoLags.findLast((v) => v.ntpMs <= waiting.ntpMs);
  const videoLagMs = before
    ? before.lagMs +
      ((after.lagMs - before.lagMs) * (waiting.ntpMs - before.ntpMs)) /
        Math.max(1, after.ntpMs - before.ntpMs)
    : after.lagMs;
  const unsureMs = before ? Math.abs(after.lagMs - before.lagMs) : Infinity;
  const offsetMs = waiting.lagMs - videoLagMs;
  const placed = take.placed;
  if (placed && !(unsureMs < placed.unsureMs)) return;
  if (placed && Math.abs(offsetMs - placed.offsetMs) < STEER_MS) {
    placed.unsureMs = unsureMs;
    return;
  }
  take.placed = { offsetMs, unsureMs };
  // Moved back by what video lagged then over its first report, audio's report says where its RTP
  // time stood as video's first report places video.
  udp.send(withNtpMs(waiting.report, waiting.ntpMs - videoLagMs), audioPort, '127.0.0.1');
}

/** Follows the sender reports of a take's streams from now; returns what forgets them. */
export function followSenderReports(takeStreams: ReportedStream[]): () => void {
  const state = (kind: ReportedStream['kind']): StreamReports | null => {
    const found = takeStreams.find((s) => s.kind === kind);
    return found ? { ...found, first: null } : null;
  };
  const take: TakeReports = {
    video: state('video'),
    audio: state('audio'),
    videoLags: [],
    waiting: [],
    placed: null,
  };
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
