import type { Job } from 'bullmq';
import {
  DomainError,
  fileTakeJobSchema,
  onScreenMs,
  recordIdForTake,
  type FileTakeJob,
  type RECord,
} from '@showrec/protocol';
import { recordMediaUrls, transcodeRecordMedia, withScratch } from './record-media.js';
import { chooseCopy } from './take-copies.js';
import type { JobDeps } from './job-deps.js';
import { withRecordLock } from './record-lock.js';

export interface FileTakeResult {
  recordId: string;
  alreadyFiled: boolean;
}

/**
 * Turns one recorded take into a RECord: a web-playable MP4, a poster, its duration, and the
 * credit to the phone's owner. Of the copies there are — the server's recording, and the phone's
 * own when it uploaded one — the most complete is filed, and the RECord says which. Idempotent:
 * the RECord id derives from the take id, outputs are written under temporary names and renamed,
 * and a take already filed from its best copy is left alone.
 */
export function fileTakeProcessor(deps: JobDeps) {
  return async (job: Job<FileTakeJob>, token?: string): Promise<FileTakeResult> => {
    const { takeId } = fileTakeJobSchema.parse(job.data);
    const recordId = recordIdForTake(takeId);
    return withRecordLock(deps, job, token, recordId, () => fileTake(deps, job, takeId, recordId));
  };
}

async function fileTake(
  deps: JobDeps,
  job: Job<FileTakeJob>,
  takeId: string,
  recordId: string,
): Promise<FileTakeResult> {
  const log = deps.logger.child({
    jobId: job.id,
    takeId,
    recordId,
    attempt: job.attemptsMade + 1,
  });
  const take = await deps.store.take(takeId);
  if (!take) throw new DomainError('not-found', `no manifest for take ${takeId}`);
  if (take.status === 'recording') throw new Error(`take ${takeId} is still recording`);
  const existing = await deps.store.get(recordId);
  const filed = await withScratch(deps, recordId, log, async (dir) => {
    const copy = await chooseCopy(deps, take, dir, log);
    if (existing?.source === copy.source) return null;
    // A take is already H.264 when the phone sent H.264: copy it rather than encode it again.
    const video = copy.probed.video === 'h264' ? 'copy' : 'encode';
    log.info({ key: copy.key, source: copy.source, probed: copy.probed, video }, 'filing');
    const input = { file: copy.file, durationMs: copy.probed.durationMs };
    const output = await transcodeRecordMedia(deps, dir, recordId, input, job, video);
    return { ...output, source: copy.source, original: copy.key };
  });
  if (!filed) {
    log.info({ source: existing?.source }, 'already filed');
    await deps.requestAlignment(take.showId);
    return { recordId, alreadyFiled: true };
  }
  const { source, durationMs } = filed;
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
    media: recordMediaUrls(recordId, durationMs),
    createdAt: existing?.createdAt ?? new Date().toISOString(),
    status: 'filed',
    source,
    parents: [],
    original: filed.original,
    continues: take.continues ? recordIdForTake(take.continues) : null,
    onScreenMs: onScreenMs(take.onScreen),
  };
  await deps.store.file(record);
  await deps.requestAlignment(take.showId);
  await job.updateProgress(100);
  log.info({ durationMs, source }, 'RECord filed');
  return { recordId, alreadyFiled: false };
}
