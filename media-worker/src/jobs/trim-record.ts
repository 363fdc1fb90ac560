import type { Job } from 'bullmq';
import { DomainError, trimJobSchema, type RECord } from '@showrec/protocol';
import { cutClip } from '../ffmpeg/media-tools.js';
import type { FileTakeResult } from './file-take.js';
import type { JobDeps } from './job-deps.js';
import {
  fetchStored,
  recordMediaKeys,
  recordMediaUrls,
  withScratch,
  writeRecordMedia,
} from './record-media.js';

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
    const media = await withScratch(deps, recordId, log, async (dir) => {
      const key = recordMediaKeys(sourceId).video;
      const input = await fetchStored(deps.media, key, dir, `the video of RECord ${sourceId}`);
      return writeRecordMedia(deps, dir, recordId, (video) =>
        cutClip(deps.tools, input, video, inMs, outMs),
      );
    });
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
      // The trim is of the source's recording: its time on the stage is the source's.
      onScreenMs: source.onScreenMs,
    };
    await deps.store.file(record);
    log.info({ inMs, outMs, durationMs: media.durationMs }, 'trimmed RECord filed');
    return { recordId, alreadyFiled: false };
  };
}
