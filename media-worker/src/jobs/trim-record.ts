import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Job } from 'bullmq';
import { DomainError, trimJobSchema, type RECord } from '@showrec/protocol';
import { cutClip } from '../ffmpeg/media-tools.js';
import type { FileTakeResult } from './file-take.js';
import type { JobDeps } from './job-deps.js';
import { recordMediaUrls, writeRecordMedia } from './record-media.js';

/**
 * Cuts a new RECord out of another: the part between inMs and outMs, with the source as its
 * parent and its credits plus the editor's. The new RECord's id comes with the job, so asking for
 * the same cut twice files it once.
 */
export function trimRecordProcessor(deps: JobDeps) {
  return async (job: Job): Promise<FileTakeResult> => {
    const { sourceId, recordId, inMs, outMs, editor } = trimJobSchema.parse(job.data);
    const log = deps.logger.child({ jobId: job.id, sourceId, recordId });
    if (await deps.store.get(recordId)) return { recordId, alreadyFiled: true };
    const source = await deps.store.get(sourceId);
    if (!source) throw new DomainError('not-found', `no RECord ${sourceId} to trim`);
    const input = path.join(deps.recordsDir, sourceId, 'video.mp4');
    if (!existsSync(input))
      throw new DomainError('not-found', `RECord ${sourceId} has no video to trim`);

    const media = await writeRecordMedia(
      deps.tools,
      path.join(deps.recordsDir, recordId),
      (partialVideo) => cutClip(deps.tools, input, partialVideo, inMs, outMs),
      log,
    );
    const record: RECord = {
      id: recordId,
      showId: source.showId,
      cueId: source.cueId,
      takeId: source.takeId,
      title: `${source.title} · trim`,
      contributors: [...source.contributors, { participantId: null, name: editor, role: 'edited' }],
      media: recordMediaUrls(recordId, media.durationMs),
      createdAt: new Date().toISOString(),
      status: 'filed',
      continues: null,
      source: source.source,
      original: null,
      parents: [sourceId],
    };
    await deps.store.file(record);
    log.info({ inMs, outMs, durationMs: media.durationMs }, 'trimmed RECord filed');
    return { recordId, alreadyFiled: false };
  };
}
