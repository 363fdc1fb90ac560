import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ffprobe,
  makeClip,
  startEmbeddedRedis,
  stopChild,
  waitFor,
  type EmbeddedRedis,
} from '@showrec/infra';
import { isRunning } from '@showrec/infra/processes';
import {
  FILE_TAKE_JOB,
  FILE_TAKE_QUEUE,
  processIdentitySchema,
  recordIdForTake,
  redisKeys,
} from '@showrec/protocol';
import { startTestStore, type TestStore } from '@showrec/media-store/testing';
import { seedTake, storedFile, storedNames, testShow } from './test-support/takes.js';

const JOB_LOCK_MS = 3000;

describe('fault: the media-worker is killed mid-transcode', () => {
  let redis: EmbeddedRedis;
  let client: Redis;
  let dataDir: string;
  let store: TestStore;
  const workers: ChildProcess[] = [];
  const startWorker = () => {
    const worker = spawn(
      process.execPath,
      [path.join(import.meta.dirname, '..', 'dist', 'main.js')],
      {
        env: {
          ...process.env,
          REDIS_URL: redis.url,
          SHOWREC_DATA_DIR: dataDir,
          ...store.env,
          SHOWREC_JOB_LOCK_MS: String(JOB_LOCK_MS),
        },
        stdio: 'ignore',
      },
    );
    workers.push(worker);
    return worker;
  };
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-worker-crash-'));
    redis = await startEmbeddedRedis({ dir: path.join(dataDir, 'redis') });
    store = await startTestStore(dataDir);
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    for (const w of workers) await stopChild(w, 'SIGKILL');
    client?.disconnect();
    await redis?.stop();
    await store?.stop();
  });

  it('kill -9, another worker takes the job over: one complete RECord, no stray ffmpeg or partial files', async () => {
    await seedTake(client, store.media, 'take-crash1', (file) =>
      makeClip(file, { seconds: 20, width: 1280, height: 720 }),
    );
    const queue = new Queue(FILE_TAKE_QUEUE, { connection: client });
    const events = new QueueEvents(FILE_TAKE_QUEUE, { connection: { url: redis.url } });
    await events.waitUntilReady();
    const job = await queue.add(
      FILE_TAKE_JOB,
      { takeId: 'take-crash1' },
      { jobId: 'take-crash1', attempts: 3 },
    );

    const first = startWorker();
    await waitFor(
      'the transcode to be under way',
      async () => ((await queue.getJob('take-crash1'))?.progress as number) > 5,
      60_000,
    );
    // The dead worker's ffmpeg, as its job noted it: the next attempt must stop exactly that.
    const strays = (
      await client.smembers(redisKeys.jobChildren(FILE_TAKE_QUEUE, 'take-crash1'))
    ).map((raw) => processIdentitySchema.parse(JSON.parse(raw)));
    expect(strays.length).toBeGreaterThan(0);
    // The RECord's lock lasts no longer than the job's: the worker the job passes to finds it free.
    const recordLockMs = await client.pttl(redisKeys.recordLock(recordIdForTake('take-crash1')));
    expect(recordLockMs).toBeGreaterThan(0);
    expect(recordLockMs).toBeLessThanOrEqual(JOB_LOCK_MS);
    first.kill('SIGKILL');
    expect(strays.some(isRunning)).toBe(true);
    startWorker();

    await job.waitUntilFinished(events, 120_000);
    const recordId = recordIdForTake('take-crash1');
    expect(await client.zrange(redisKeys.showRecords(testShow.id), 0, -1)).toEqual([recordId]);
    expect(await storedNames(store.media, `records/${recordId}/`)).toEqual([
      'poster.jpg',
      'video.mp4',
    ]);
    // The dead attempt's scratch folder (its half-written output, its inputs) is gone too.
    expect(await readdir(path.join(dataDir, 'work'))).toEqual([]);
    const probed = await ffprobe(await storedFile(store.media, `records/${recordId}/video.mp4`));
    expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Math.abs(probed.durationSeconds - 20)).toBeLessThan(0.2);
    expect(strays.filter(isRunning)).toEqual([]);
    await events.close();
    await queue.close();
  });
});
