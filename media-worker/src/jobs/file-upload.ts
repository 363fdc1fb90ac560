import type { Job } from 'bullmq';
import { fileUploadJobSchema, type RECord } from '@showrec/protocol';
import type { FileTakeResult } from './file-take.js';
import { probe } from '../ffmpeg/media-tools.js';
import type { JobDeps } from './job-deps.js';
import { fetchStored, recordMediaUrls, transcodeRecordMedia, withScratch } from './record-media.js';

/**
 * Files an uploaded remix (the crew's or a contributor's): transcoded like a take, crediting its maker,
 * with the RECords it builds on as parents (their credits carry through the lineage). The upload
 * itself stays as the RECord's original.
 */
export function fileUploadProcessor(deps: JobDeps) {
  return async (job: Job): Promise<FileTakeResult> => {
    const upload = fileUploadJobSchema.parse(job.data);
    const { recordId } = upload;
    const log = deps.logger.child({ jobId: job.id, recordId });
    if (await deps.store.get(recordId)) return { recordId, alreadyFiled: true };
    const parents = await Promise.all(upload.parents.map((id) => deps.store.get(id)));
    const cues = new Set(parents.map((p) => p?.cueId ?? null));
    const media = await withScratch(deps, recordId, log, async (dir) => {
      const what = `the uploaded file of ${recordId}`;
      const file = await fetchStored(deps.media, upload.file, dir, what);
      const { durationMs } = await probe(deps.tools, file);
      return transcodeRecordMedia(deps, dir, recordId, { file, durationMs }, job);
    });
    const record: RECord = {
      id: recordId,
      showId: upload.showId,
      cueId: cues.size === 1 ? [...cues][0]! : null,
      takeId: null,
      title: upload.title,
      contributors: [
        { participantId: upload.participantId, name: upload.contributor, role: 'remixed' },
      ],
      media: recordMediaUrls(recordId, media.durationMs),
      createdAt: new Date().toISOString(),
      status: 'filed',
      continues: null,
      source: 'upload',
      original: upload.file,
      parents: upload.parents,
      onScreenMs: 0,
    };
    await deps.store.file(record);
    await job.updateProgress(100);
    log.info({ durationMs: media.durationMs, parents: upload.parents }, 'remix filed');
    return { recordId, alreadyFiled: false };
  };
}
