import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { EDIT_RECORD_QUEUE, TRIM_JOB, type TrimJob } from '@showrec/protocol';
import type { FileTakeDeps, FileTakeResult } from './jobs/file-take.js';
import { trimRecordProcessor } from './jobs/trim-record.js';

/** The BullMQ worker for edits that make new RECords from old ones; one processor per job name. */
export function createEditWorker(
  connection: Redis,
  deps: FileTakeDeps,
): Worker<TrimJob, FileTakeResult> {
  const processors: Record<string, (job: Job<TrimJob>) => Promise<FileTakeResult>> = {
    [TRIM_JOB]: trimRecordProcessor(deps),
  };
  const worker = new Worker<TrimJob, FileTakeResult>(
    EDIT_RECORD_QUEUE,
    async (job) => {
      const processor = processors[job.name];
      if (!processor) throw new Error(`no processor for edit job "${job.name}"`);
      return processor(job);
    },
    { connection, concurrency: 1 },
  );
  worker.on('failed', (job, err) =>
    deps.logger.error({ jobId: job?.id, err: err.message }, 'an edit failed'),
  );
  worker.on('error', (err) => deps.logger.debug({ err: err.message }, 'edit worker error'));
  return worker;
}
