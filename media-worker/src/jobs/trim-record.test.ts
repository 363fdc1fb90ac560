import { execFileSync } from 'node:child_process';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '@showrec/infra';
import {
  FILE_TAKE_JOB,
  TRIM_JOB,
  recordIdForTake,
  recordSchema,
  redisKeys,
} from '@showrec/protocol';
import { startJobWorkers, type JobWorkers } from '../test-support/job-workers.js';
import { seedTake, storedFile } from '../test-support/takes.js';

const FRAME_MS = 1000 / 30;

describe('trim job (real Redis, BullMQ and ffmpeg)', () => {
  let workers: JobWorkers;
  let client: Redis;

  beforeAll(async () => {
    workers = await startJobWorkers('trim');
    ({ client } = workers);
  });
  afterAll(() => workers?.stop());

  it('cuts a new RECord within one frame of the asked-for span, crediting the editor, with the source as parent', async () => {
    await seedTake(client, workers.media, 'take-trim01', (file) => makeClip(file, { seconds: 5 }));
    const { takes, takeEvents, edits, editEvents } = workers;
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
    const video = await storedFile(workers.media, `records/${trim.recordId}/video.mp4`);
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
