import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { startEmbeddedRedis, type EmbeddedRedis } from '@showrec/infra';
import {
  EDIT_RECORD_QUEUE,
  FILE_TAKE_QUEUE,
  type EditJob,
  type FileTakeJob,
} from '@showrec/protocol';
import { createEditWorker } from '../edit-worker.js';
import { createJobDeps, type JobDeps } from '../jobs/job-deps.js';
import { createLogger } from '../logger.js';
import { createTakeWorker } from '../take-worker.js';

export interface JobWorkers {
  redis: EmbeddedRedis;
  client: Redis;
  dataDir: string;
  deps: JobDeps;
  takes: Queue<FileTakeJob>;
  takeEvents: QueueEvents;
  edits: Queue<EditJob>;
  editEvents: QueueEvents;
  stop: () => Promise<void>;
}

/** A private Redis, the take and edit workers on it as the media-worker runs them, and their queues. */
export async function startJobWorkers(
  name: string,
  options: { takeWorker?: boolean; editWorker?: boolean } = {},
): Promise<JobWorkers> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `showrec-${name}-`));
  const redis = await startEmbeddedRedis({ dir: path.join(dataDir, 'redis') });
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const { deps, close } = createJobDeps(
    client,
    {
      dataDir,
      recordsDir: path.join(dataDir, 'records'),
      ffmpegPath: 'ffmpeg',
      ffprobePath: 'ffprobe',
      alignSearchMs: 3000,
      ffmpegThreads: 1,
    },
    createLogger('silent'),
  );
  const workers = [
    ...(options.takeWorker === false ? [] : [createTakeWorker(client, { concurrency: 1 }, deps)]),
    ...(options.editWorker === false ? [] : [createEditWorker(client, deps)]),
  ];
  const takes = new Queue<FileTakeJob>(FILE_TAKE_QUEUE, { connection: client });
  const edits = new Queue<EditJob>(EDIT_RECORD_QUEUE, { connection: client });
  const takeEvents = new QueueEvents(FILE_TAKE_QUEUE, { connection: { url: redis.url } });
  const editEvents = new QueueEvents(EDIT_RECORD_QUEUE, { connection: { url: redis.url } });
  await Promise.all([takeEvents.waitUntilReady(), editEvents.waitUntilReady()]);
  return {
    redis,
    client,
    dataDir,
    deps,
    takes,
    takeEvents,
    edits,
    editEvents,
    stop: async () => {
      for (const w of workers) await w.close();
      for (const q of [takes, edits, takeEvents, editEvents]) await q.close();
      await close();
      client.disconnect();
      await redis.stop();
    },
  };
}
