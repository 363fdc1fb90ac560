import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, startEmbeddedRedis, stopChild, type EmbeddedRedis } from '@showrec/infra';
import { childPidsOf } from '@showrec/infra/processes';
import { FILE_TAKE_JOB, FILE_TAKE_QUEUE, recordIdForTake, redisKeys } from '@showrec/protocol';
import { startTestStore, type TestStore } from '@showrec/media-store/testing';
import { seedTake, testShow } from './test-support/takes.js';

/** The encoding ffmpegs running under `parent`, by their command lines (read from /proc). */
async function encodersOf(parent: number): Promise<string[][]> {
  const found: string[][] = [];
  for (const pid of childPidsOf(parent, 'libx264')) {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (path.basename(argv[0] ?? '') === 'ffmpeg') found.push(argv);
  }
  return found;
}

describe('media-worker concurrency (SHOWREC_WORKER_CONCURRENCY, SHOWREC_FFMPEG_THREADS, SHOWREC_X264_PRESET)', () => {
  let redis: EmbeddedRedis;
  let client: Redis;
  let dataDir: string;
  let store: TestStore;
  let worker: ChildProcess | null = null;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-concurrency-'));
    redis = await startEmbeddedRedis({ dir: path.join(dataDir, 'redis') });
    store = await startTestStore(dataDir);
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    if (worker) await stopChild(worker, 'SIGKILL');
    client?.disconnect();
    await redis?.stop();
    await store?.stop();
  });

  it('files as many takes at once as configured, each ffmpeg with the threads and preset configured', async () => {
    const takeIds = ['take-conc1', 'take-conc2', 'take-conc3', 'take-conc4'];
    // One clip, made once: each take's content does not matter here, only that it is encoded.
    const clip = path.join(dataDir, 'clip.mkv');
    await makeClip(clip, { seconds: 12, width: 1280, height: 720 });
    for (const takeId of takeIds)
      await seedTake(client, store.media, takeId, (file) => copyFile(clip, file));
    const queue = new Queue(FILE_TAKE_QUEUE, { connection: client });
    const events = new QueueEvents(FILE_TAKE_QUEUE, { connection: { url: redis.url } });
    await events.waitUntilReady();
    const jobs = await Promise.all(
      takeIds.map((takeId) => queue.add(FILE_TAKE_JOB, { takeId }, { jobId: takeId })),
    );
    worker = spawn(process.execPath, [path.join(import.meta.dirname, '..', 'dist', 'main.js')], {
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        SHOWREC_DATA_DIR: dataDir,
        ...store.env,
        SHOWREC_WORKER_CONCURRENCY: '2',
        SHOWREC_FFMPEG_THREADS: '1',
        SHOWREC_X264_PRESET: 'ultrafast',
      },
      stdio: 'ignore',
    });
    const seen: string[][][] = [];
    const active: number[] = [];
    let finished = false;
    const done = Promise.all(jobs.map((job) => job.waitUntilFinished(events, 180_000))).finally(
      () => (finished = true),
    );
    while (!finished) {
      seen.push(await encodersOf(worker.pid!));
      active.push(await queue.getActiveCount());
      await new Promise((r) => setTimeout(r, 100));
    }
    await done;

    // Two at once (four takes were waiting), never three; every encoder held to one thread and
    // the preset asked for.
    expect(Math.max(...seen.map((s) => s.length))).toBe(2);
    // A third take is taken meanwhile, fetched and probed, and waits for a conversion to end.
    expect(Math.max(...active)).toBe(3);
    const encoders = seen.flat();
    expect(encoders.length).toBeGreaterThan(0);
    for (const argv of encoders) {
      expect(argv[argv.indexOf('-threads') + 1]).toBe('1');
      expect(argv[argv.indexOf('-preset') + 1]).toBe('ultrafast');
    }
    expect((await client.zrange(redisKeys.showRecords(testShow.id), 0, -1)).sort()).toEqual(
      takeIds.map(recordIdForTake).sort(),
    );
    await events.close();
    await queue.close();
  });
});
