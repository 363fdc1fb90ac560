import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { Job } from 'bullmq';
import { DomainError, type RECord } from '@showrec/protocol';
import type { MediaStore } from '@showrec/media-store';
import {
  extractPoster,
  largestFrame,
  probe,
  transcodeToMp4,
  type MediaTools,
} from '../ffmpeg/media-tools.js';
import type { JobDeps } from './job-deps.js';

/** The keys of a RECord's media in the store. */
export function recordMediaKeys(recordId: string): { video: string; poster: string } {
  return { video: `records/${recordId}/video.mp4`, poster: `records/${recordId}/poster.jpg` };
}

/**
 * Runs a job on one RECord in a scratch folder of this attempt's own, removed afterwards. What
 * a dead attempt left there is removed first: its ffmpeg was stopped by the job's owner (see
 * job-processes.ts), and the record lock lets one attempt at a time work on a RECord.
 */
export async function withScratch<R>(
  deps: Pick<JobDeps, 'scratchDir'>,
  recordId: string,
  log: Logger,
  work: (dir: string) => Promise<R>,
): Promise<R> {
  await mkdir(deps.scratchDir, { recursive: true });
  for (const entry of await readdir(deps.scratchDir)) {
    if (entry.startsWith(`${recordId}.`)) {
      log.warn({ entry }, 'removed what an earlier attempt left half-written');
      await rm(path.join(deps.scratchDir, entry), { recursive: true, force: true });
    }
  }
  const dir = path.join(deps.scratchDir, `${recordId}.${process.pid}`);
  await mkdir(dir, { recursive: true });
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Makes a RECord's video and poster in the job's scratch folder and puts them in the store: the
 * store only ever receives finished files.
 */
export async function writeRecordMedia(
  deps: Pick<JobDeps, 'tools' | 'media'>,
  dir: string,
  recordId: string,
  makeVideo: (video: string) => Promise<void>,
): Promise<{ durationMs: number }> {
  const video = path.join(dir, 'video.mp4');
  const poster = path.join(dir, 'poster.jpg');
  await makeVideo(video);
  // Each is a process that mostly waits on its own start: side by side they cost the crew one.
  const [{ durationMs }] = await Promise.all([
    probe(deps.tools, video),
    writePoster(deps.tools, video, poster),
  ]);
  const keys = recordMediaKeys(recordId);
  await Promise.all([
    deps.media.putFile(keys.video, video),
    deps.media.putFile(keys.poster, poster),
  ]);
  return { durationMs };
}

/** A frame a second in; a clip shorter than that has nothing there, and gets its first frame. */
async function writePoster(tools: MediaTools, video: string, output: string): Promise<void> {
  for (const atSeconds of [1, 0]) {
    await extractPoster(tools, video, output, atSeconds);
    if (existsSync(output)) return;
  }
  throw new DomainError('unprocessable', 'the video has no frame to make a poster from');
}

/**
 * A take's or an upload's media, made web-playable, the job's progress following ffmpeg's (to
 * 90%); `video: 'copy'` keeps H.264 video as it is. `durationMs` is the input's, as probed.
 */
export function transcodeRecordMedia(
  deps: Pick<JobDeps, 'tools' | 'media'>,
  dir: string,
  recordId: string,
  input: { file: string; durationMs: number },
  job: Job,
  video: 'encode' | 'copy' = 'encode',
): Promise<{ durationMs: number }> {
  return writeRecordMedia(deps, dir, recordId, async (output) =>
    transcodeToMp4(deps.tools, input.file, output, {
      video,
      size: video === 'encode' ? await largestFrame(deps.tools, input.file) : null,
      durationMs: input.durationMs,
      onPercent: (percent) => void job.updateProgress(Math.round(percent * 0.9)),
    }),
  );
}

/**
 * A stored object as a local file in `dir` (the object itself for the local backend); a missing
 * object is the domain's not-found, `what` saying which.
 */
export async function fetchStored(
  media: MediaStore,
  key: string,
  dir: string,
  what: string,
): Promise<string> {
  const copy = await media.checkout(key, dir).catch((err: Error) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new DomainError('not-found', `${what} does not exist`);
    throw err;
  });
  return copy.path;
}

/** Where a filed RECord's media are served. */
export function recordMediaUrls(recordId: string, durationMs: number): RECord['media'] {
  return {
    video: `/media/records/${recordId}/video.mp4`,
    poster: `/media/records/${recordId}/poster.jpg`,
    durationMs,
  };
}
