import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  DomainError,
  ALIGN_JOB,
  EDIT_RECORD_QUEUE,
  FILE_UPLOAD_JOB,
  TRIM_JOB,
  type EditJob,
} from '@showrec/protocol';
import { alignTakesProcessor } from './jobs/align-takes.js';
import { fileUploadProcessor } from './jobs/file-upload.js';
import type { JobDeps } from './jobs/job-deps.js';
import { ownedJob } from './jobs/job-processes.js';
import { trimRecordProcessor } from './jobs/trim-record.js';

/**
 * The BullMQ worker for work on filed RECords: trims and remix uploads that make new RECords, and
 * the alignment of a show's takes. One processor per job name; each validates its own data.
 */
export function createEditWorker(connection: Redis, deps: JobDeps): Worker<EditJob> {
  const processors: Record<
    string,
    (deps: JobDeps) => (job: Job, token?: string) => Promise<unknown>
  > = {
    [TRIM_JOB]: trimRecordProcessor,
    [ALIGN_JOB]: alignTakesProcessor,
    [FILE_UPLOAD_JOB]: fileUploadProcessor,
  };
  const worker = new Worker<EditJob>(
    EDIT_RECORD_QUEUE,
    ownedJob(deps, (jobDeps) => async (job, token) => {
      const processor = processors[job.name];
      if (!processor) throw new DomainError('invalid', `no processor for edit job "${job.name}"`);
      return processor(jobDeps)(job, token);
    }),
    { connection, concurrency: 1 },
  );
  worker.on('failed', (job, err) =>
    deps.logger.error({ jobId: job?.id, job: job?.name, err: err.message }, 'an edit failed'),
  );
  worker.on('error', (err) => deps.logger.debug({ err: err.message }, 'edit worker error'));
  return worker;
}
