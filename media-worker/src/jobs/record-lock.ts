import { DelayedError, type Job } from 'bullmq';
import { LockBusy, withRedisLock } from '@showrec/infra/redis-lock';
import { redisKeys } from '@showrec/protocol';
import type { JobDeps } from './job-deps.js';

/** How soon a job that found the RECord busy looks again; waiting costs it no attempt. */
const RETRY_AFTER_MS = 2000;

/**
 * Runs `work` as the only job writing this RECord. A take is filed by its own job and again by
 * the job for the phone's copy; on two workers they would otherwise write the same folder at
 * once, each sweeping away the other's half-written files. The lock is renewed while the work
 * runs and expires with a worker that dies, as the job's own lock does (`lockMs`); a job that
 * finds it taken goes back to the delayed set and comes back shortly, without spending an attempt.
 */
export async function withRecordLock<R>(
  deps: Pick<JobDeps, 'redis' | 'lockMs'>,
  job: Job,
  token: string | undefined,
  recordId: string,
  work: () => Promise<R>,
): Promise<R> {
  try {
    return await withRedisLock(deps.redis, redisKeys.recordLock(recordId), deps.lockMs, work);
  } catch (err) {
    if (!(err instanceof LockBusy)) throw err;
    await job.moveToDelayed(Date.now() + RETRY_AFTER_MS, token);
    throw new DelayedError(`RECord ${recordId} is being written by another job`);
  }
}
