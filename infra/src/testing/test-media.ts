import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClipOptions {
  seconds: number;
  /** Default "vp8-opus-mkv": what a phone's take looks like on disk. */
  format?: 'vp8-opus-mkv' | 'vp8-opus-webm' | 'h264-opus-mkv';
  width?: number;
  height?: number;
  /** Audio tone frequency, so clips made for alignment tests differ. */
  toneHz?: number;
  /** False for a clip with no audio stream at all (default true). */
  audio?: boolean;
  /** Frames per second (default 30). */
  fps?: number;
  /** Seconds [from, to) with no video frame at all: a phone whose camera stalled. */
  videoGap?: [number, number];
  /** Video bitrate (default 800). */
  kbps?: number;
  /** Film grain, so the picture costs what a real camera's does to encode (a test pattern is almost free). */
  grain?: boolean;
  /**
   * Seconds between keyframes (default 1). A phone's take has one wherever the recorder asked for
   * it: at the start and at each segment boundary.
   */
  keyframeSeconds?: number;
}

/** A generated clip: a moving test pattern with a timecode and a sine tone. */
export async function makeClip(file: string, options: ClipOptions): Promise<void> {
  const {
    seconds,
    width = 640,
    height = 360,
    toneHz = 440,
    fps = 30,
    videoGap,
    kbps = 800,
    keyframeSeconds = 1,
    audio = true,
  } = options;
  const filters = [
    ...(options.grain ? ['noise=alls=18:allf=t+u'] : []),
    ...(videoGap ? [`select='not(between(t,${videoGap[0]},${videoGap[1]}))'`] : []),
  ];
  const container = options.format === 'vp8-opus-webm' ? 'webm' : 'matroska';
  // prettier-ignore
  const video = options.format === 'h264-opus-mkv'
    ? ['-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'veryfast', '-pix_fmt', 'yuv420p']
    : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8'];
  // prettier-ignore
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
    ...(audio ? ['-f', 'lavfi', '-i', `sine=frequency=${toneHz}:sample_rate=48000:duration=${seconds}`] : []),
    ...(filters.length > 0 ? ['-vf', filters.join(','), '-fps_mode', 'vfr'] : []),
    ...video, '-b:v', `${kbps}k`, '-g', String(Math.round(fps * keyframeSeconds)),
    ...(audio ? ['-c:a', 'libopus', '-b:a', '64k', '-ac', '2'] : []),
    '-f', container, file,
  ]);
}

/**
 * Raw frames for Chromium's fake camera (`--use-file-for-fake-video-capture`, which loops them):
 * a test pattern under heavy grain, so a phone's encoder spends all it may on it, as on a real
 * camera's picture, where Chromium's own fake camera is almost free to encode.
 */
export async function makeCameraFeed(
  file: string,
  options: { seconds: number; fps: number; width?: number; height?: number },
): Promise<void> {
  const { seconds, fps, width = 1280, height = 720 } = options;
  // prettier-ignore
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
    '-vf', 'noise=alls=60:allf=t+u', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', file,
  ]);
}

/** Each video frame's width and size in bytes, as stored in a file, in order. */
export async function videoFrameSizes(
  file: string,
): Promise<Array<{ width: number; bytes: number }>> {
  // prettier-ignore
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=width,pkt_size',
    '-of', 'json', file,
  ], { maxBuffer: 64 * 1024 * 1024 });
  const { frames } = JSON.parse(stdout) as { frames: Array<{ width: number; pkt_size: string }> };
  return frames.map((f) => ({ width: f.width, bytes: Number(f.pkt_size) }));
}

export interface ProbedMedia {
  durationSeconds: number;
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }>;
}

export async function ffprobe(file: string): Promise<ProbedMedia> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_format',
    '-show_streams',
    '-of',
    'json',
    file,
  ]);
  const data = JSON.parse(stdout) as {
    format: { duration?: string };
    streams: ProbedMedia['streams'];
  };
  return { durationSeconds: Number(data.format.duration ?? 0), streams: data.streams };
}

/** Video packets (frames) in a file, counted by reading it; 0 when it cannot be read. */
export async function videoFrames(file: string): Promise<number> {
  // prettier-ignore
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_packets',
    '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file,
  ]).catch(() => ({ stdout: '0' }));
  return Number(stdout.trim()) || 0;
}

export interface StreamTimeline {
  /** The first and last packet's presentation time, in seconds. */
  start: number;
  end: number;
  /** The largest step between consecutive packets, in seconds: a jump or hole in the timeline. */
  largestStep: number;
  firstIsKeyframe: boolean;
}

/** Where a file's audio and video packets start and end, read packet by packet. */
export async function packetTimelines(
  file: string,
): Promise<{ audio: StreamTimeline | null; video: StreamTimeline | null }> {
  // prettier-ignore
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-show_entries', 'packet=codec_type,pts_time,flags', '-of', 'csv=p=0', file,
  ]).catch(() => ({ stdout: '' }));
  const packets = stdout
    .split('\n')
    .map((line) => line.split(','))
    .filter(([kind, pts]) => (kind === 'audio' || kind === 'video') && pts !== 'N/A')
    .map(([kind, pts, flags]) => ({ kind, pts: Number(pts), key: flags?.includes('K') ?? false }));
  const timeline = (kind: string): StreamTimeline | null => {
    const own = packets.filter((p) => p.kind === kind).sort((a, b) => a.pts - b.pts);
    if (own.length === 0) return null;
    const steps = own.slice(1).map((p, i) => p.pts - own[i]!.pts);
    return {
      start: own[0]!.pts,
      end: own.at(-1)!.pts,
      largestStep: Math.max(0, ...steps),
      firstIsKeyframe: packets.find((p) => p.kind === kind)!.key,
    };
  };
  return { audio: timeline('audio'), video: timeline('video') };
}

/**
 * Decodes every packet of a file: a file that decodes without error to its end is complete.
 * Returns ffmpeg's error output (empty when clean) and the decoded duration.
 */
export async function decodeFully(file: string): Promise<{ errors: string; seconds: number }> {
  const { stderr } = await run('ffmpeg', [
    '-hide_banner',
    '-v',
    'error',
    '-stats',
    '-i',
    file,
    '-f',
    'null',
    '-',
  ]).catch((err: { stderr?: string }) => ({ stderr: err.stderr ?? String(err) }));
  const times = [...stderr.matchAll(/time=(\d+):(\d+):(\d+\.\d+)/g)];
  const last = times.at(-1);
  const seconds = last ? Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3]) : 0;
  const errors = stderr
    .split(/\r|\n/)
    .filter((l) => l.trim() && !l.includes('time='))
    .join('\n');
  return { errors, seconds };
}

export interface RtpTarget {
  ip: string;
  port: number;
  rtcpPort?: number;
  payloadType: number;
  ssrc: number;
  h264?: boolean;
}

/**
 * A simulated phone: ffmpeg reads a VP8+Opus clip in real time and sends each stream, copied
 * without re-encoding (so a hundred of them stay cheap), as RTP to a mediasoup PlainTransport.
 */
export function sendClipAsRtp(
  clip: string,
  video: RtpTarget,
  audio: RtpTarget,
  loop = true,
): ChildProcess {
  const target = (t: RtpTarget) =>
    `rtp://${t.ip}:${t.port}?rtcpport=${t.rtcpPort ?? t.port}&pkt_size=1200`;
  const stream = (t: RtpTarget) => [
    '-payload_type',
    String(t.payloadType),
    '-ssrc',
    String(t.ssrc),
    '-f',
    'rtp',
    target(t),
  ];
  // prettier-ignore
  return spawn(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      '-re', ...(loop ? ['-stream_loop', '-1'] : []), '-i', clip,
      // H.264 parameter sets go in-band before each keyframe, as a phone's encoder sends them.
      '-map', '0:v:0', '-c:v', 'copy', ...(video.h264 ? ['-bsf:v', 'h264_mp4toannexb'] : []), ...stream(video),
      '-map', '0:a:0', '-c:a', 'copy', ...stream(audio),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}
