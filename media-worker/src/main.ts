import { createRedisConnection, warnOfDurability } from '@showrec/infra/redis';
import { openMediaStore, type MediaStore } from '@showrec/media-store';
import { loadConfig } from './config.js';
import { checkFfmpeg } from './ffmpeg/check-ffmpeg.js';
import { createLogger } from './logger.js';
import { createJobDeps } from './jobs/job-deps.js';
import { createEditWorker } from './edit-worker.js';
import { createTakeWorker } from './take-worker.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);

try {
  const version = await checkFfmpeg(config.ffmpegPath, config.ffprobePath);
  logger.info({ version }, 'ffmpeg found');
} catch (err) {
  logger.fatal((err as Error).message);
  process.exit(1);
}

const connection = createRedisConnection(config.redis, logger);
warnOfDurability(connection, logger);

let media: MediaStore;
try {
  media = await openMediaStore(config.s3, config.dataDir);
} catch (err) {
  logger.fatal((err as Error).message);
  process.exit(1);
}
const { deps: jobDeps, close: closeJobDeps } = createJobDeps(connection, config, media, logger);
const worker = createTakeWorker(connection, { concurrency: config.concurrency }, jobDeps);
const editWorker = createEditWorker(connection, jobDeps);
logger.info(
  { concurrency: config.concurrency, store: media.location },
  'media-worker waiting for takes',
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: finishing the current jobs');
  // A transcode that outlasts the grace period is cancelled (its ffmpeg stopped) and released:
  // BullMQ's stalled-job check hands it to the next worker, which starts it over.
  const force = setTimeout(() => {
    for (const w of [worker, editWorker]) w.cancelAllJobs('the media-worker is shutting down');
    void Promise.all([worker.close(true), editWorker.close(true)]);
  }, 20_000);
  await Promise.all([worker.close(), editWorker.close()]);
  clearTimeout(force);
  await jobDeps.tools.processes.stopAll('SIGKILL');
  await closeJobDeps();
  connection.disconnect();
  logger.info('stopped');
  process.exit(0);
}
// A promise nobody awaited failed (a Redis write refused, say): log it and carry on. Exiting
// would stop every recording in progress for one lost write.
process.on('unhandledRejection', (err) =>
  logger.error({ err }, 'a background task failed; carrying on'),
);
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
