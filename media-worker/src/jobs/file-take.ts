import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Job } from 'bullmq';
import {
  DomainError,
  isDomainError,
  fileTakeJobSchema,
  recordIdForTake,
  type FileTakeJob,
  type RECord,
  type TakeManifest,
} from '@showrec/protocol';
import { probe, type ProbeResult } from '../ffmpeg/media-tools.js';
import { recordMediaUrls, transcodeRecordMedia } from './record-media.js';
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
    return withRecordLock(deps.redis, job, token, recordId, () =>
      fileTake(deps, job, takeId, recordId),
    );
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
  const { source, input, probed } = await chooseCopy(deps, take);
  const existing = await deps.store.get(recordId);
  if (existing?.source === source) {
    log.info({ source }, 'already filed');
    await deps.requestAlignment(take.showId);
    return { recordId, alreadyFiled: true };
  }
  // A take is already H.264 when the phone sent H.264: copy it rather than encode it again.
  const video = probed.video === 'h264' ? 'copy' : 'encode';
  log.info({ input, source, probed, video }, 'filing');
  const output = await transcodeRecordMedia(
    deps.tools,
    path.join(deps.recordsDir, recordId),
    input,
    job,
    log,
    video,
  );
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
    media: recordMediaUrls(recordId, output.durationMs),
    createdAt: existing?.createdAt ?? new Date().toISOString(),
    status: 'filed',
    source,
    parents: [],
    original: path.relative(deps.dataDir, input),
    continues: take.continues ? recordIdForTake(take.continues) : null,
  };
  await deps.store.file(record);
  await deps.requestAlignment(take.showId);
  await job.updateProgress(100);
  log.info({ durationMs: output.durationMs, source, refiled: existing !== null }, 'RECord filed');
  return { recordId, alreadyFiled: false };
}

interface Copy {
  source: RECord['source'];
  input: string;
  probed: ProbeResult;
}

/** The longest playable copy with video; the server's wins a tie within half a second. */
async function chooseCopy(deps: JobDeps, take: TakeManifest): Promise<Copy> {
  const candidates: Array<Omit<Copy, 'probed'>> = [
    { source: 'server', input: path.join(deps.dataDir, take.file) },
  ];
  if (take.phoneCopy)
    candidates.push({ source: 'phone', input: path.join(deps.dataDir, take.phoneCopy.file) });
  const usable: Copy[] = [];
  let unusable = new DomainError('not-found', `take ${take.id} has no recording`);
  for (const candidate of candidates) {
    if (!existsSync(candidate.input)) {
      unusable = new DomainError(
        'not-found',
        `the ${candidate.source}'s copy of the take does not exist`,
      );
      continue;
    }
    if (statSync(candidate.input).size === 0) {
      unusable = new DomainError(
        'unprocessable',
        `the ${candidate.source}'s copy of the take is empty: it ended before its first keyframe`,
      );
      continue;
    }
    try {
      const probed = await probe(deps.tools, candidate.input);
      if (probed.video) usable.push({ ...candidate, probed });
      else
        unusable = new DomainError(
          'unprocessable',
          `the ${candidate.source}'s copy of the take holds no video`,
        );
    } catch (err) {
      if (!isDomainError(err)) throw err;
      unusable = err;
    }
  }
  const [first, ...rest] = usable;
  // Its code decides whether another attempt may help (see job-processes.ts).
  if (!first) throw unusable;
  return rest.reduce(
    (best, c) => (c.probed.durationMs > best.probed.durationMs + 500 ? c : best),
    first,
  );
}
