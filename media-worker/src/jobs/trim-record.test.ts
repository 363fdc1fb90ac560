import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, startEmbeddedRedis, type EmbeddedRedis } from '@showrec/infra';
import {
  EDIT_RECORD_QUEUE,
  FILE_TAKE_JOB,
  FILE_TAKE_QUEUE,
  TRIM_JOB,
  recordIdForTake,
  recordSchema,
  redisKeys,
  type TrimJob,
} from '@showrec/protocol';
import { createEditWorker } from '../edit-worker.js';
import { createLogger } from '../logger.js';
import { RecordStore } from '../records/record-store.js';
import { createTakeWorker } from '../take-worker.js';
import { seedTake } from '../test-support/takes.js';

const FRAME_MS = 1000 / 30;

describe('trim job (real Redis, BullMQ and ffmpeg)', () => {
  let redis: EmbeddedRedis;
  let client: Redis;
  let dataDir: string;
  const workers: Worker[] = [];
  const queues: Array<Queue | QueueEvents> = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-trim-'));
    redis = await startEmbeddedRedis({ dir: path.join(dataDir, 'redis') });
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const deps = {
      store: new RecordStore(client),
      tools: { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' },
      dataDir,
      recordsDir: path.join(dataDir, 'records'),
      logger: createLogger('silent'),
    };
    workers.push(
      createTakeWorker(client, { concurrency: 1 }, deps),
      createEditWorker(client, deps),
    );
  });
  afterAll(async () => {
    for (const w of workers) await w.close();
    for (const q of queues) await q.close();
    client?.disconnect();
    await redis?.stop();
  });

  it('cuts a new RECord within one frame of the asked-for span, crediting the editor, with the source as parent', async () => {
    await seedTake(client, dataDir, 'take-trim01', (file) => makeClip(file, { seconds: 5 }));
    const takes = new Queue(FILE_TAKE_QUEUE, { connection: client });
    const takeEvents = new QueueEvents(FILE_TAKE_QUEUE, { connection: { url: redis.url } });
    const edits = new Queue<TrimJob>(EDIT_RECORD_QUEUE, { connection: client });
    const editEvents = new QueueEvents(EDIT_RECORD_QUEUE, { connection: { url: redis.url } });
    queues.push(takes, takeEvents, edits, editEvents);
    await Promise.all([takeEvents.waitUntilReady(), editEvents.waitUntilReady()]);
    await (
      await takes.add(FILE_TAKE_JOB, { takeId: 'take-trim01' }, { jobId: 'take-trim01' })
    ).waitUntilFinished(takeEvents, 60_000);
    const sourceId = recordIdForTake('take-trim01');

    const trim = {
      sourceId,
      recordId: 'trim-0001aaaa',
      inMs: 1000,
      outMs: 3500,
      editor: 'Sam (crew)',
    };
    const job = await edits.add(TRIM_JOB, trim, { jobId: trim.recordId });
    expect(await job.waitUntilFinished(editEvents, 60_000)).toEqual({
      recordId: trim.recordId,
      alreadyFiled: false,
    });

    const record = recordSchema.parse(
      JSON.parse((await client.get(redisKeys.record(trim.recordId)))!),
    );
    expect(record).toMatchObject({
      parents: [sourceId],
      takeId: 'take-trim01',
      contributors: [
        { participantId: 'part-ada001', name: 'Ada', role: 'recorded' },
        { participantId: null, name: 'Sam (crew)', role: 'edited' },
      ],
    });
    const video = path.join(dataDir, 'records', trim.recordId, 'video.mp4');
    const videoSeconds = Number(
      execFileSync(
        'ffprobe',
        [
          '-v',
          'error',
          '-select_streams',
          'v:0',
          '-show_entries',
          'stream=duration',
          '-of',
          'csv=p=0',
          video,
        ],
        { encoding: 'utf8' },
      ),
    );
    expect(Math.abs(videoSeconds * 1000 - 2500)).toBeLessThanOrEqual(FRAME_MS);
    expect(await client.smembers(redisKeys.recordChildren(sourceId))).toEqual([trim.recordId]);

    const again = await edits.add(TRIM_JOB, trim, { jobId: `${trim.recordId}-again` });
    expect(await again.waitUntilFinished(editEvents, 60_000)).toEqual({
      recordId: trim.recordId,
      alreadyFiled: true,
    });
  });
});
