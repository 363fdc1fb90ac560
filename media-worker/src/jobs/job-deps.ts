import { Queue } from 'bullmq';
import pLimit from 'p-limit';
import { ChildProcesses } from '@showrec/infra/processes';
import { FILE_TAKE_QUEUE } from '@showrec/protocol';
import type { MediaStore } from '@showrec/media-store';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from '../config.js';
import type { MediaTools } from '../ffmpeg/media-tools.js';
import type { Logger } from '../logger.js';
import { createEditQueue, requestAlignment } from '../queue/edit-queue.js';
import { RecordStore } from '../records/record-store.js';

/** What every job processor works with. */
export interface JobDeps {
  redis: Redis;
  store: RecordStore;
  tools: MediaTools;
  /** Takes, uploads and RECord media: the data directory or an object store. */
  media: MediaStore;
  /** This worker's own folder for inputs fetched from the store and outputs not yet stored. */
  scratchDir: string;
  /** How far either side of the server clocks' estimate the audio may move a take. */
  alignSearchMs: number;
  /**
   * How long a job's locks outlive a worker that died holding them: BullMQ's lock on the job and
   * the job's lock on its RECord expire together, so the worker the job passes to finds the
   * RECord free.
   */
  lockMs: number;
  /** Queues an alignment of the show's takes (a filed take may overlap others). */
  requestAlignment: (showId: string) => Promise<void>;
  /** Takes waiting to be filed or being filed, by any worker. */
  takesToFile: () => Promise<number>;
  logger: Logger;
}

export function createJobDeps(
  connection: Redis,
  config: Pick<
    WorkerConfig,
    | 'scratchDir'
    | 'ffmpegPath'
    | 'ffprobePath'
    | 'alignSearchMs'
    | 'ffmpegThreads'
    | 'x264Preset'
    | 'concurrency'
    | 'jobLockMs'
  >,
  media: MediaStore,
  logger: Logger,
): { deps: JobDeps; close: () => Promise<void> } {
  const edits = createEditQueue(connection);
  // A connection of its own: the Queue does not close one it is given.
  const takesConnection = connection.duplicate();
  const takes = new Queue(FILE_TAKE_QUEUE, { connection: takesConnection });
  return {
    deps: {
      redis: connection,
      store: new RecordStore(connection),
      tools: {
        ffmpegPath: config.ffmpegPath,
        ffprobePath: config.ffprobePath,
        processes: new ChildProcesses(),
        threads: config.ffmpegThreads,
        preset: config.x264Preset,
        conversions: pLimit(config.concurrency),
      },
      media,
      scratchDir: config.scratchDir,
      alignSearchMs: config.alignSearchMs,
      lockMs: config.jobLockMs,
      requestAlignment: (showId) => requestAlignment(edits, showId),
      takesToFile: async () => {
        const counts = await takes.getJobCounts('waiting', 'prioritized', 'active');
        return Object.values(counts).reduce((sum, n) => sum + n, 0);
      },
      logger,
    },
    close: async () => {
      await edits.close();
      await takes.close();
      takesConnection.disconnect();
      media.close();
    },
  };
}
