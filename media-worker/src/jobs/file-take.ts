import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import {
  fileTakeJobSchema,
  recordIdForTake,
  type FileTakeJob,
  type RECord,
} from '@showrec/protocol';
import type { Logger } from '../logger.js';
import {
  extractPoster,
  probe,
  stopProcessesWriting,
  transcodeToMp4,
  type MediaTools,
} from '../ffmpeg/media-tools.js';
import type { RecordStore } from '../records/record-store.js';

export interface FileTakeDeps {
  store: RecordStore;
  tools: MediaTools;
  dataDir: string;
  recordsDir: string;
  logger: Logger;
}

export interface FileTakeResult {
  recordId: string;
  alreadyFiled: boolean;
}

/**
 * Turns one recorded take into a RECord: a web-playable MP4, a poster, its duration, and the
 * credit to the phone's owner. Idempotent: the RECord id derives from the take id, outputs are
 * written under temporary names and renamed, and a take already filed is left alone.
 */
export function fileTakeProcessor(deps: FileTakeDeps) {
  return async (job: Job<FileTakeJob>): Promise<FileTakeResult> => {
    const { takeId } = fileTakeJobSchema.parse(job.data);
    const recordId = recordIdForTake(takeId);
    const log = deps.logger.child({
      jobId: job.id,
      takeId,
      recordId,
      attempt: job.attemptsMade + 1,
    });
    if (await deps.store.hasRecord(recordId)) {
      log.info('already filed');
      return { recordId, alreadyFiled: true };
    }
    const take = await deps.store.take(takeId);
    if (!take) throw new UnrecoverableError(`no manifest for take ${takeId}`);
    if (take.status === 'recording') throw new Error(`take ${takeId} is still recording`);
    const input = path.join(deps.dataDir, take.file);
    if (!existsSync(input))
      throw new UnrecoverableError(`the take's recording ${input} does not exist`);
    const source = await probe(deps.tools, input);
    if (!source.video) throw new UnrecoverableError(`the take's recording ${input} holds no video`);

    const outDir = path.join(deps.recordsDir, recordId);
    await mkdir(outDir, { recursive: true });
    // A worker killed mid-job leaves its ffmpeg running and its partial files behind.
    const stray = await stopProcessesWriting(outDir);
    if (stray > 0) log.warn({ stray }, 'stopped the transcode of a worker that died on this take');
    for (const file of await readdir(outDir)) {
      if (file.includes('.partial.')) await rm(path.join(outDir, file), { force: true });
    }
    const video = path.join(outDir, 'video.mp4');
    const poster = path.join(outDir, 'poster.jpg');
    const partial = (file: string) => `${file}.${process.pid}.partial${path.extname(file)}`;

    log.info({ input, source }, 'transcoding');
    await transcodeToMp4(deps.tools, input, partial(video), (percent) => {
      void job.updateProgress(Math.round(percent * 0.85));
    });
    await rename(partial(video), video);
    const output = await probe(deps.tools, video);
    await job.updateProgress(90);

    await extractPoster(deps.tools, video, partial(poster), Math.min(1, output.durationMs / 2000));
    await rename(partial(poster), poster);
    await job.updateProgress(95);

    const show = await deps.store.show(take.showId);
    const record: RECord = {
      id: recordId,
      showId: take.showId,
      cueId: take.cueId,
      takeId,
      title: `${show?.title ?? 'Untitled show'} · ${take.participant.name}`,
      contributors: [
        { participantId: take.participant.id, name: take.participant.name, role: 'recorded' },
      ],
      media: {
        video: `/media/records/${recordId}/video.mp4`,
        poster: `/media/records/${recordId}/poster.jpg`,
        durationMs: output.durationMs,
      },
      createdAt: new Date().toISOString(),
      status: 'filed',
      continues: take.continues ? recordIdForTake(take.continues) : null,
    };
    await deps.store.file(record);
    await job.updateProgress(100);
    log.info({ durationMs: output.durationMs }, 'RECord filed');
    return { recordId, alreadyFiled: false };
  };
}
