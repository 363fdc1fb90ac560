import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { FILE_TAKE_QUEUE, type FileTakeJob } from '@showrec/protocol';
import { fileTakeProcessor, type FileTakeResult } from './jobs/file-take.js';
import type { JobDeps } from './jobs/job-deps.js';
import { ownedJob } from './jobs/job-processes.js';

/**
 * The BullMQ worker for filing takes. A job that fails for good leaves its reason on the take;
 * its input file is never touched.
 */
export function createTakeWorker(
  connection: Redis,
  options: { concurrency: number },
  deps: JobDeps,
): Worker<FileTakeJob, FileTakeResult> {
  const worker = new Worker<FileTakeJob, FileTakeResult>(
    FILE_TAKE_QUEUE,
    ownedJob(deps, fileTakeProcessor),
    {
      connection,
      // One job more than conversions at once (see MediaTools.conversions): the next take is
      // fetched and probed, and the last one's poster made and stored, while a conversion runs,
      // so the cores spend the batch converting.
      concurrency: options.concurrency + 1,
      // A killed worker stops renewing its locks; the stalled-job check then hands its jobs on.
      lockDuration: deps.lockMs,
      stalledInterval: deps.lockMs,
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError';
    deps.logger.error(
      { jobId: job.id, attemptsMade: job.attemptsMade, final, err: err.message },
      'filing a take failed',
    );
    if (final) {
      deps.store
        .markFilingFailed(job.data.takeId, err.message)
        .catch((storeErr: Error) =>
          deps.logger.error({ err: storeErr.message }, 'could not record the filing failure'),
        );
    }
  });
  worker.on('error', (err) => deps.logger.debug({ err: err.message }, 'worker error'));
  return worker;
}
