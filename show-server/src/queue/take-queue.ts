import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  FILE_TAKE_JOB,
  FILE_TAKE_QUEUE,
  type FileTakeJob,
  EDIT_RECORD_QUEUE,
  type EditJob,
} from '@showrec/protocol';
import type { Logger } from '../logger.js';

export type TakeQueue = Queue<FileTakeJob>;

/** Work on filed RECords (trims, remix uploads, alignment), for the media-worker's edit worker. */
export function createEditQueue(connection: Redis, logger: Logger): Queue<EditJob> {
  const queue = new Queue<EditJob>(EDIT_RECORD_QUEUE, { connection });
  queue.on('error', (err) => logger.debug({ err: err.message }, 'edit queue error'));
  return queue;
}

export function createTakeQueue(connection: Redis, logger: Logger): TakeQueue {
  const queue = new Queue<FileTakeJob>(FILE_TAKE_QUEUE, { connection });
  // Connection trouble is already logged once by the connection itself.
  queue.on('error', (err) => logger.debug({ err: err.message }, 'take queue error'));
  return queue;
}

/**
 * The job id is the take id, so enqueueing a take twice (a retry, a restart) files it once.
 * Failed jobs stay in Redis with their reason; the input file is never deleted by the queue.
 */
export async function enqueueTake(queue: TakeQueue, takeId: string): Promise<void> {
  await queue.add(
    FILE_TAKE_JOB,
    { takeId },
    {
      jobId: takeId,
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: false,
    },
  );
}

/** Files the take again once the phone's own copy has arrived; the worker keeps the more complete copy. */
export async function enqueuePhoneCopy(queue: TakeQueue, takeId: string): Promise<void> {
  await queue.add(
    FILE_TAKE_JOB,
    { takeId },
    {
      jobId: `${takeId}-phone`,
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: false,
    },
  );
}
