import { UnrecoverableError, type Job } from 'bullmq';
import { processIdentitySchema, redisKeys, isDomainError } from '@showrec/protocol';
import { signalExactly } from '@showrec/infra/processes';
import type { JobDeps } from './job-deps.js';

/** How long a job's list of children outlives a worker that died holding it. */
const CHILDREN_TTL_S = 24 * 3600;

/**
 * Runs one attempt of a job as the owner of its children. Each ffmpeg and ffprobe the attempt
 * starts is noted in Redis by identity (pid and start time); the next attempt, after a worker
 * was killed mid-job, stops exactly those that still run, and no other process that happens to
 * touch the same files. Aborting the job (BullMQ's cancellation, a closing worker) stops its
 * children at once. A domain error whose code says retrying cannot help fails the job for good.
 */
export function ownedJob<R>(
  deps: JobDeps,
  processorFor: (deps: JobDeps) => (job: Job, token?: string) => Promise<R>,
) {
  return async (job: Job, token?: string, signal?: AbortSignal): Promise<R> => {
    const key = redisKeys.jobChildren(job.queueName, job.id!);
    const log = deps.logger.child({ jobId: job.id, queue: job.queueName });
    const stopped = (await deps.redis.smembers(key))
      .map((raw) => processIdentitySchema.safeParse(JSON.parse(raw)))
      .filter((parsed) => parsed.success && signalExactly(parsed.data, 'SIGKILL'));
    if (stopped.length > 0)
      log.warn({ stopped: stopped.length }, 'stopped the ffmpeg of an attempt whose worker died');
    await deps.redis.del(key);
    const tools = {
      ...deps.tools,
      signal,
      onChild: (identity: unknown) =>
        void deps.redis
          .multi()
          .sadd(key, JSON.stringify(identity))
          .expire(key, CHILDREN_TTL_S)
          .exec()
          .catch(() => undefined),
    };
    try {
      return await processorFor({ ...deps, tools })(job, token);
    } catch (err) {
      throw isDomainError(err) && err.code !== 'unavailable'
        ? new UnrecoverableError(err.message)
        : err;
    } finally {
      await deps.redis.del(key).catch(() => undefined);
    }
  };
}
