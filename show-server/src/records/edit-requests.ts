import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  FILE_UPLOAD_JOB,
  TRIM_JOB,
  redisKeys,
  type EditJob,
  type FileUploadJob,
  type RECord,
  type EditRequested,
} from '@showrec/protocol';

const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: false,
};

/**
 * Asks the media-worker for new RECords made from others. Each is listed under its show as
 * pending at once, so the review shows it while it processes; the worker's filing takes it off.
 */
export class EditRequests {
  constructor(
    private readonly redis: Redis,
    private readonly queue: Queue<EditJob>,
  ) {}

  /** The same cut of the same RECord is the same new RECord: asking twice files it once. */
  async trim(
    source: RECord,
    cut: { inMs: number; outMs: number; editor: string },
  ): Promise<EditRequested> {
    const recordId = `trim-${createHash('sha256').update(`${source.id}:${cut.inMs}:${cut.outMs}`).digest('hex').slice(0, 16)}`;
    await this.#pending(source.showId, recordId);
    await this.queue.add(
      TRIM_JOB,
      { sourceId: source.id, recordId, ...cut },
      { ...JOB_OPTIONS, jobId: recordId },
    );
    return { recordId, parents: [source.id] };
  }

  async fileUpload(upload: FileUploadJob): Promise<void> {
    await this.#pending(upload.showId, upload.recordId);
    await this.queue.add(FILE_UPLOAD_JOB, upload, { ...JOB_OPTIONS, jobId: upload.recordId });
  }

  async #pending(showId: string, recordId: string): Promise<void> {
    if (await this.redis.exists(redisKeys.record(recordId))) return;
    await this.redis.sadd(redisKeys.showPendingRecords(showId), recordId);
  }
}
