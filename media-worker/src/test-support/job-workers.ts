import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { startEmbeddedRedis, type EmbeddedRedis } from '@showrec/infra';
import type { MediaStore } from '@showrec/media-store';
import { startTestStore } from '@showrec/media-store/testing';
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
  /** The data directory, or an S3 store with SHOWREC_TEST_STORAGE=s3. */
  media: MediaStore;
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
  const store = await startTestStore(dataDir);
  const { deps, close } = createJobDeps(
    client,
    {
      scratchDir: path.join(dataDir, 'work'),
      ffmpegPath: 'ffmpeg',
      ffprobePath: 'ffprobe',
      alignSearchMs: 3000,
      ffmpegThreads: 1,
      concurrency: 1,
      jobLockMs: 30_000,
      // What is tested is how a take is filed, not x264's compression: the fastest preset.
      x264Preset: 'ultrafast',
    },
    store.media,
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
    media: store.media,
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
      await store.stop();
    },
  };
}
