import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ALIGN_JOB, EDIT_RECORD_QUEUE, type EditJob } from '@showrec/protocol';

/** The worker's own handle on the edit queue, to ask for alignments as takes are filed. */
export function createEditQueue(connection: Redis): Queue<EditJob> {
  return new Queue<EditJob>(EDIT_RECORD_QUEUE, { connection });
}

/**
 * Asks for a show's takes to be aligned. A burst of filed takes asks many times; BullMQ's
 * deduplication keeps one waiting job behind the running one, so the show is aligned once more
 * after the burst rather than once per take.
 */
export async function requestAlignment(queue: Queue<EditJob>, showId: string): Promise<void> {
  await queue.add(
    ALIGN_JOB,
    { showId },
    {
      deduplication: { id: `align-${showId}`, keepLastIfActive: true },
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 100 },
    },
  );
}
