import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { Job } from 'bullmq';
import { DomainError, type RECord } from '@showrec/protocol';
import { extractPoster, probe, transcodeToMp4, type MediaTools } from '../ffmpeg/media-tools.js';

/**
 * Writes a RECord's video and poster into its folder, safely for retries and takeovers: a dead
 * attempt's partial files are removed (its ffmpeg was stopped by the job's owner, see
 * job-processes.ts), each attempt writes under its own temporary names, and only finished files
 * are renamed into place.
 */
export async function writeRecordMedia(
  tools: MediaTools,
  outDir: string,
  makeVideo: (partialVideo: string) => Promise<void>,
  log: Logger,
): Promise<{ video: string; poster: string; durationMs: number }> {
  await mkdir(outDir, { recursive: true });
  for (const file of await readdir(outDir)) {
    if (file.includes('.partial.')) {
      log.warn({ file }, 'removed what an earlier attempt left half-written');
      await rm(path.join(outDir, file), { force: true });
    }
  }
  const video = path.join(outDir, 'video.mp4');
  const poster = path.join(outDir, 'poster.jpg');
  const partial = (file: string) => `${file}.${process.pid}.partial${path.extname(file)}`;

  await makeVideo(partial(video));
  await rename(partial(video), video);
  const { durationMs } = await probe(tools, video);
  await writePoster(tools, video, partial(poster), durationMs);
  await rename(partial(poster), poster);
  return { video, poster, durationMs };
}

/**
 * A frame a second in (or halfway through a shorter clip); a clip cut after a frame or two has
 * nothing there, and gets its first frame.
 */
async function writePoster(
  tools: MediaTools,
  video: string,
  output: string,
  durationMs: number,
): Promise<void> {
  for (const atSeconds of [Math.min(1, durationMs / 2000), 0]) {
    await extractPoster(tools, video, output, atSeconds);
    if (existsSync(output)) return;
  }
  throw new DomainError('unprocessable', 'the video has no frame to make a poster from');
}

/**
 * A take's or an upload's media, made web-playable, the job's progress following ffmpeg's (to
 * 90%); `video: 'copy'` keeps H.264 video as it is.
 */
export function transcodeRecordMedia(
  tools: MediaTools,
  outDir: string,
  input: string,
  job: Job,
  log: Logger,
  video: 'encode' | 'copy' = 'encode',
): Promise<{ video: string; poster: string; durationMs: number }> {
  return writeRecordMedia(
    tools,
    outDir,
    (partialVideo) =>
      transcodeToMp4(
        tools,
        input,
        partialVideo,
        (percent) => void job.updateProgress(Math.round(percent * 0.9)),
        video,
      ),
    log,
  );
}

/** Where a filed RECord's media are served. */
export function recordMediaUrls(recordId: string, durationMs: number): RECord['media'] {
  return {
    video: `/media/records/${recordId}/video.mp4`,
    poster: `/media/records/${recordId}/poster.jpg`,
    durationMs,
  };
}
