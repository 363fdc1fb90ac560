import os from 'node:os';
import path from 'node:path';
import { redisSettingsFromEnv, type RedisSettings } from '@showrec/infra/redis';
import { s3SettingsFromEnv, type S3Settings } from '@showrec/media-store';
import { z } from 'zod';
import { x264Presets, type X264Preset } from './ffmpeg/media-tools.js';

/** Every setting of the media-worker, from the environment (documented in the README). */
const envSchema = z.object({
  SHOWREC_DATA_DIR: z.string().default('data'),
  FFMPEG_PATH: z.string().default('ffmpeg'),
  FFPROBE_PATH: z.string().default('ffprobe'),
  SHOWREC_WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .default(Math.max(1, Math.floor(os.cpus().length / 2))),
  SHOWREC_FFMPEG_THREADS: z.coerce.number().int().min(1).optional(),
  SHOWREC_X264_PRESET: z.enum(x264Presets).default('veryfast'),
  SHOWREC_JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  SHOWREC_ALIGN_SEARCH_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export interface WorkerConfig {
  dataDir: string;
  /** Inputs fetched from the store and outputs before they are stored (below the data directory). */
  scratchDir: string;
  /** The object store holding takes and RECord media; null: the data directory is the store. */
  s3: S3Settings | null;
  /** A Redis URL, or Sentinel's addresses and primary name (see @showrec/infra/redis). */
  redis: RedisSettings;
  ffmpegPath: string;
  ffprobePath: string;
  concurrency: number;
  /** Encoder threads per ffmpeg; by default the cores shared out between concurrent jobs. */
  ffmpegThreads: number;
  /** x264's preset for takes that are encoded: faster files sooner, at more bytes for the same quality. */
  x264Preset: X264Preset;
  /** How long a job stays locked to a worker that stops renewing it (a killed one) before another takes it over. */
  jobLockMs: number;
  /** How far either side of the server clocks' estimate audio alignment may move a take. */
  alignSearchMs: number;
  logLevel: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid media-worker configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.SHOWREC_DATA_DIR);
  return {
    dataDir,
    scratchDir: path.join(dataDir, 'work'),
    s3: s3SettingsFromEnv(env),
    redis: redisSettingsFromEnv(env) ?? { kind: 'url', url: 'redis://127.0.0.1:6379' },
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    concurrency: e.SHOWREC_WORKER_CONCURRENCY,
    ffmpegThreads:
      e.SHOWREC_FFMPEG_THREADS ??
      Math.max(1, Math.floor(os.cpus().length / e.SHOWREC_WORKER_CONCURRENCY)),
    x264Preset: e.SHOWREC_X264_PRESET,
    jobLockMs: e.SHOWREC_JOB_LOCK_MS,
    alignSearchMs: e.SHOWREC_ALIGN_SEARCH_MS,
    logLevel: e.LOG_LEVEL,
  };
}
