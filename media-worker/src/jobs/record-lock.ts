import { randomUUID } from 'node:crypto';
import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { redisKeys } from '@showrec/protocol';

const LOCK_MS = 30_000;
/** How soon a job that found the RECord busy looks again; waiting costs it no attempt. */
const RETRY_AFTER_MS = 2000;

const renew = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const release = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Runs `work` as the only job writing this RECord. A take is filed by its own job and again by
 * the job for the phone's copy; on two workers they would otherwise write the same folder at
 * once, each sweeping away the other's half-written files. The lock is renewed while the work
 * runs and expires with a worker that dies; a job that finds it taken goes back to the delayed
 * set and comes back shortly, without spending an attempt.
 */
export async function withRecordLock<R>(
  redis: Redis,
  job: Job,
  token: string | undefined,
  recordId: string,
  work: () => Promise<R>,
): Promise<R> {
  const key = redisKeys.recordLock(recordId);
  const holder = `${job.queueName}:${job.id}:${randomUUID()}`;
  if ((await redis.set(key, holder, 'PX', LOCK_MS, 'NX')) !== 'OK') {
    await job.moveToDelayed(Date.now() + RETRY_AFTER_MS, token);
    throw new DelayedError(`RECord ${recordId} is being written by another job`);
  }
  const renewal = setInterval(
    () => void redis.eval(renew, 1, key, holder, LOCK_MS).catch(() => undefined),
    LOCK_MS / 3,
  );
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await redis.eval(release, 1, key, holder).catch(() => undefined);
  }
}
