import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { ChildProcesses, OwnedChild, ProcessIdentity } from '@showrec/infra/processes';
import { DomainError } from '@showrec/protocol';
import ffmpeg from 'fluent-ffmpeg';
import { z } from 'zod';

export interface MediaTools {
  ffmpegPath: string;
  ffprobePath: string;
  /** Every ffmpeg and ffprobe runs as one of these children. */
  processes: ChildProcesses;
  /** The job's: aborting it (a cancelled job, a closing worker) stops its children. */
  signal?: AbortSignal;
  /** Told of each child the job starts, so a later attempt can stop it if this worker dies. */
  onChild?: (identity: ProcessIdentity) => void;
  /** Encoder threads per ffmpeg: the cores shared out between the jobs running at once. */
  threads?: number;
  /** x264's speed/size trade-off for video that is encoded (not copied). */
  preset: X264Preset;
  /**
   * Every conversion (encode, remux, trim) runs through this: it holds them to the configured
   * number at once, while other jobs fetch, probe and store beside them.
   */
  conversions: <T>(work: () => Promise<T>) => Promise<T>;
}

/** x264's presets, fastest first: each slower one spends more CPU for a smaller file. */
export const x264Presets = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
] as const;
export type X264Preset = (typeof x264Presets)[number];

function owned(tools: MediaTools): (child: OwnedChild) => void {
  return (child) => {
    if (child.identity) tools.onChild?.(child.identity);
  };
}

/** A fluent-ffmpeg command whose ffmpeg, once spawned, is one of `tools.processes`. */
function command(tools: MediaTools, input: string): ffmpeg.FfmpegCommand {
  const cmd = ffmpeg(input).setFfmpegPath(tools.ffmpegPath).setFfprobePath(tools.ffprobePath);
  cmd.on('start', () => {
    // fluent-ffmpeg keeps the process it spawned here until it exits.
    const child = (cmd as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
    if (child) tools.processes.adopt(child, tools.signal, owned(tools));
  });
  return cmd;
}

function run(tools: MediaTools, program: string, args: string[], maxBuffer?: number) {
  return tools.processes.run(program, args, {
    signal: tools.signal,
    onSpawn: owned(tools),
    ...(maxBuffer === undefined ? {} : { maxBuffer }),
  });
}

/**
 * How video is encoded for a RECord. Frames keep the timestamps they arrived with: a phone in low
 * light sends a few frames a second, with gaps, and an encoder asked for constant frame rate
 * would invent the missing ones (from a Matroska take's millisecond timestamps, 1000 a second).
 */
function x264(tools: MediaTools): string[] {
  return [
    '-c:v libx264',
    `-preset ${tools.preset}`,
    '-crf 23',
    '-pix_fmt yuv420p',
    '-fps_mode vfr',
    ...(tools.threads ? [`-threads ${tools.threads}`] : []),
  ];
}

export interface TranscodeOptions {
  /** `copy` keeps H.264 video as it is. */
  video: 'encode' | 'copy';
  /** The size of the input's largest frames, when known. */
  size: { width: number; height: number } | null;
  /** The input's, as probed: progress is ffmpeg's time over it. */
  durationMs: number;
  onPercent: (percent: number) => void;
}

/** ffmpeg's progress line: `… time=00:01:02.48 …`. */
const progressTime = /time=(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/;

/**
 * Web-playable MP4: H.264 + AAC, moov atom first so playback starts before the download ends.
 * Video that is already H.264 (iPhones send it) is copied, not encoded again: filing it costs
 * what reading it costs. Progress is read off ffmpeg's own lines (fluent-ffmpeg's would run
 * another ffprobe of the input beside every conversion).
 */
export function transcodeToMp4(
  tools: MediaTools,
  input: string,
  output: string,
  { video, size, durationMs, onPercent }: TranscodeOptions,
): Promise<void> {
  // libx264 needs even dimensions; a take whose size changed is made the size of its largest frames.
  const scale = size
    ? `scale=${even(size.width)}:${even(size.height)}`
    : 'scale=trunc(iw/2)*2:trunc(ih/2)*2';
  return tools.conversions(
    () =>
      new Promise((resolve, reject) => {
        command(tools, input)
          .audioCodec('aac')
          .audioBitrate('128k')
          .outputOptions([
            ...(video === 'copy' ? ['-c:v copy'] : [...x264(tools), `-vf ${scale}`]),
            '-movflags +faststart',
          ])
          .format('mp4')
          .on('stderr', (line: string) => {
            const time = progressTime.exec(line);
            if (!time || durationMs <= 0) return;
            const [, h, m, s] = time.map(Number) as [number, number, number, number];
            const percent = ((h * 3600 + m * 60 + s) * 100_000) / durationMs;
            onPercent(Math.min(100, Math.max(0, percent)));
          })
          .on('error', (err: Error, _stdout: string | null, stderr: string | null) =>
            reject(
              new Error(
                `transcode failed: ${err.message}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
              ),
            ),
          )
          .on('end', () => resolve())
          .save(output);
      }),
  );
}

/**
 * The part of a clip between `inMs` and `outMs`, re-encoded like a filed RECord so the cut is
 * frame-accurate (a stream copy could only cut on keyframes).
 */
export function cutClip(
  tools: MediaTools,
  input: string,
  output: string,
  inMs: number,
  outMs: number,
): Promise<void> {
  return tools.conversions(
    () =>
      new Promise((resolve, reject) => {
        command(tools, input)
          .seekInput(inMs / 1000)
          .duration((outMs - inMs) / 1000)
          .audioCodec('aac')
          .audioBitrate('128k')
          .outputOptions([...x264(tools), '-movflags +faststart'])
          .format('mp4')
          .on('error', (err: Error) => reject(new Error(`trim failed: ${err.message}`)))
          .on('end', () => resolve())
          .save(output);
      }),
  );
}

/** One JPEG frame at `atSeconds`. */
export function extractPoster(
  tools: MediaTools,
  input: string,
  output: string,
  atSeconds: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    command(tools, input)
      .seekInput(atSeconds)
      .frames(1)
      .outputOptions(['-q:v 3'])
      .on('error', (err: Error) => reject(new Error(`poster failed: ${err.message}`)))
      .on('end', () => resolve())
      .save(output);
  });
}

export interface ProbeResult {
  durationMs: number;
  video: string | null;
  audio: string | null;
  /** The video's frame size; 0 × 0 when there is no video. */
  width: number;
  height: number;
}

const probeOutputSchema = z.object({
  streams: z.array(
    z.object({
      codec_type: z.string(),
      codec_name: z.string().optional(),
      width: z.number().optional(),
      height: z.number().optional(),
    }),
  ),
  format: z.object({ duration: z.string().optional() }),
});

/**
 * What a media file holds. A file ffprobe cannot read is `unavailable`: it may be a copy still
 * settling on a network disk, so the job is tried again before it fails for good.
 */
const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/**
 * The largest picture in a video, read off its keyframes only (cheap: a phone's picture changes
 * size only at a keyframe — a simulcast layer switch, or the phone adapting to its network).
 */
export async function largestFrame(
  tools: MediaTools,
  input: string,
): Promise<{ width: number; height: number } | null> {
  // prettier-ignore
  const { stdout } = await run(tools, tools.ffprobePath, [
    '-v', 'error', '-select_streams', 'v:0', '-skip_frame', 'nokey',
    '-show_entries', 'frame=width,height', '-of', 'csv=p=0', input,
  ], 16 * 1024 * 1024);
  let largest: { width: number; height: number } | null = null;
  for (const line of stdout.toString().split('\n')) {
    const [width, height] = line.split(',').map(Number);
    if (!width || !height) continue;
    if (!largest || width * height > largest.width * largest.height) largest = { width, height };
  }
  return largest;
}

/** FFmpeg's text for AVERROR_INVALIDDATA. */
const INVALID_DATA = 'Invalid data found when processing input';
/** What ffmpeg says when asked for audio from a file that has none. */
const NO_STREAM = 'does not contain any stream';

export async function probe(tools: MediaTools, input: string): Promise<ProbeResult> {
  let stdout: Buffer;
  try {
    // prettier-ignore
    ({ stdout } = await run(tools, tools.ffprobePath, [
      '-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', input,
    ]));
  } catch (err) {
    // The reason reaches the crew's review board: it names the file, never where it lies.
    const name = path.basename(input);
    const reason = (err as Error).message.replaceAll(input, name);
    // ffprobe read the bytes and they are not media: another attempt reads the same bytes.
    // Anything else (a read that failed, a process killed) may pass when tried again.
    const notMedia = reason.includes(INVALID_DATA);
    throw new DomainError(
      notMedia ? 'unprocessable' : 'unavailable',
      `ffprobe could not read ${name}: ${reason}`,
      { cause: err },
    );
  }
  const data = probeOutputSchema.parse(JSON.parse(stdout.toString()));
  const codec = (type: string) =>
    data.streams.find((s) => s.codec_type === type)?.codec_name ?? null;
  const video = data.streams.find((s) => s.codec_type === 'video');
  const seconds = Number(data.format.duration);
  return {
    // A browser's MediaRecorder writes WebM without a duration: read it off the last packet.
    durationMs: Math.round(
      (Number.isFinite(seconds) ? seconds : await lastPacketSeconds(tools, input)) * 1000,
    ),
    video: codec('video'),
    audio: codec('audio'),
    width: video?.width ?? 0,
    height: video?.height ?? 0,
  };
}

async function lastPacketSeconds(tools: MediaTools, input: string): Promise<number> {
  const { stdout } = await run(
    tools,
    tools.ffprobePath,
    ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', input],
    64 * 1024 * 1024,
  );
  let end = 0;
  for (const line of stdout.toString().split('\n')) {
    const [pts, duration] = line.split(',').map(Number);
    if (Number.isFinite(pts))
      end = Math.max(end, pts! + (Number.isFinite(duration) ? duration! : 0));
  }
  return end;
}

/**
 * Joins a take's Matroska segments into one file without re-encoding. The segments keep the
 * recording's timestamps, and ffmpeg's concat demuxer would place each after the previous one's
 * stored duration (which, untouched timestamps, counts from zero): each is given instead the
 * distance to the next one's first packet, so every packet keeps its place, with no gap and no
 * frame twice at a join. A segment ffprobe cannot read (cut off by a crash) is left out.
 */
export async function joinSegments(
  tools: MediaTools,
  segments: string[],
  output: string,
): Promise<{ joined: number; unreadable: string[] }> {
  const starts: Array<{ file: string; start: number }> = [];
  const unreadable: string[] = [];
  for (const file of segments) {
    const start = await startSeconds(tools, file).catch(() => null);
    if (start === null) unreadable.push(path.basename(file));
    else starts.push({ file, start });
  }
  if (starts.length === 0)
    throw new DomainError(
      'unprocessable',
      `cannot be read: ffprobe could not read any of its ${segments.length} segments`,
    );
  const list = starts
    .map(({ file, start }, i) => {
      const next = starts[i + 1];
      const entry = `file '${file.replaceAll("'", "'\\''")}'`;
      return next ? `${entry}\nduration ${(next.start - start).toFixed(6)}` : entry;
    })
    .join('\n');
  const listFile = `${output}.segments.txt`;
  await writeFile(listFile, `${list}\n`);
  // prettier-ignore
  await run(tools, tools.ffmpegPath, [
    '-hide_banner', '-v', 'error', '-y',
    '-f', 'concat', '-safe', '0', '-i', listFile,
    '-map', '0', '-c', 'copy', '-f', 'matroska', output,
  ]);
  return { joined: starts.length, unreadable };
}

async function startSeconds(tools: MediaTools, file: string): Promise<number> {
  // prettier-ignore
  const { stdout } = await run(tools, tools.ffprobePath, [
    '-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', file,
  ]);
  const start = Number(stdout.toString().trim());
  if (!Number.isFinite(start)) throw new Error(`${file} has no start time`);
  return start;
}

/** The alignment works at 8 kHz: an eighth of a millisecond per sample, and cheap to correlate. */
export const ANALYSIS_SAMPLE_RATE = 8000;

/**
 * A clip's audio from `fromMs`, at most `durationMs` long, as mono float samples at
 * ANALYSIS_SAMPLE_RATE; empty when it has no audio there.
 */
export async function decodeAudio(
  tools: MediaTools,
  input: string,
  fromMs: number,
  durationMs: number,
): Promise<Float32Array> {
  let stdout: Buffer;
  try {
    // prettier-ignore
    ({ stdout } = await run(tools, tools.ffmpegPath, [
      '-hide_banner', '-v', 'error',
      '-ss', (fromMs / 1000).toFixed(3), '-t', (durationMs / 1000).toFixed(3), '-i', input,
      '-vn', '-ac', '1', '-ar', String(ANALYSIS_SAMPLE_RATE), '-f', 'f32le', 'pipe:1',
    ], (durationMs / 1000 + 1) * ANALYSIS_SAMPLE_RATE * 4 + 1024));
  } catch (err) {
    // A recording with no audio stream (a phone whose microphone gave nothing) has no samples.
    if ((err as Error).message.includes(NO_STREAM)) return new Float32Array(0);
    throw err;
  }
  const bytes = stdout.byteLength - (stdout.byteLength % 4);
  return new Float32Array(stdout.buffer.slice(stdout.byteOffset, stdout.byteOffset + bytes));
}
