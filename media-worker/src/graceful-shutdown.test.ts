import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childExit, makeClip, startEmbeddedRedis, type EmbeddedRedis } from '@showrec/infra';
import { FILE_TAKE_JOB, FILE_TAKE_QUEUE, recordIdForTake, redisKeys } from '@showrec/protocol';
import { startTestStore, type TestStore } from '@showrec/media-store/testing';
import { seedTake } from './test-support/takes.js';

describe('media-worker process on SIGTERM', () => {
  let redis: EmbeddedRedis;
  let client: Redis;
  let dataDir: string;
  let store: TestStore;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-shutdown-'));
    redis = await startEmbeddedRedis({ dir: path.join(dataDir, 'redis') });
    store = await startTestStore(dataDir);
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
    await store?.stop();
  });

  it('finishes the take it is transcoding, files it, then exits 0', async () => {
    await seedTake(client, store.media, 'take-long01', (file) =>
      makeClip(file, { seconds: 20, width: 1280, height: 720 }),
    );
    const worker = spawn(
      process.execPath,
      [path.join(import.meta.dirname, '..', 'dist', 'main.js')],
      {
        env: {
          ...process.env,
          REDIS_URL: redis.url,
          SHOWREC_DATA_DIR: dataDir,
          ...store.env,
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let logs = '';
    worker.stdout.on('data', (c: Buffer) => (logs += c.toString()));
    const queue = new Queue(FILE_TAKE_QUEUE, { connection: client });
    const job = await queue.add(
      FILE_TAKE_JOB,
      { takeId: 'take-long01' },
      { jobId: 'take-long01', attempts: 3 },
    );
    for (let i = 0; i < 300 && (await job.getState()) !== 'active'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await job.getState()).toBe('active');

    worker.kill('SIGTERM');
    await childExit(worker);
    expect(worker.exitCode).toBe(0);
    expect(logs).toContain('shutting down: finishing the current jobs');
    expect(await (await queue.getJob('take-long01'))!.getState()).toBe('completed');
    expect(await client.exists(redisKeys.record(recordIdForTake('take-long01')))).toBe(1);
    await queue.close();
  });
});
