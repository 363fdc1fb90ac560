import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobe, makeClip, waitFor } from '@showrec/infra';
import {
  EDIT_RECORD_QUEUE,
  FILE_TAKE_JOB,
  TRIM_JOB,
  recordIdForTake,
  recordSchema,
  redisKeys,
} from '@showrec/protocol';
import { createTakeWorker } from '../take-worker.js';
import { startJobWorkers, type JobWorkers } from '../test-support/job-workers.js';
import { attachPhoneCopy, seedTake, storedFile, storedNames } from '../test-support/takes.js';

describe('jobs on the same RECord at once (real Redis, BullMQ and ffmpeg)', () => {
  let workers: JobWorkers;

  beforeAll(async () => {
    workers = await startJobWorkers('concurrent-media');
  });
  afterAll(() => workers?.stop());

  it('a trim of a RECord and a refiling of its take run together: both finish, neither ffmpeg is killed', async () => {
    const { client, media, takes, takeEvents, edits, editEvents } = workers;
    await seedTake(client, media, 'take-both01', (file) =>
      makeClip(file, { seconds: 12, width: 1280, height: 720 }),
    );
    await (
      await takes.add(FILE_TAKE_JOB, { takeId: 'take-both01' }, { jobId: 'take-both01' })
    ).waitUntilFinished(takeEvents, 120_000);
    const recordId = recordIdForTake('take-both01');

    await attachPhoneCopy(client, media, 'take-both01', (file) =>
      makeClip(file, { seconds: 14, format: 'vp8-opus-webm' }),
    );
    const trim = await edits.add(
      TRIM_JOB,
      { sourceId: recordId, recordId: 'trim-both0001', inMs: 0, outMs: 10_000, editor: 'Sam' },
      { jobId: 'trim-both0001' },
    );
    // The trim's ffmpeg is reading the RECord's video before the refiling starts writing beside it.
    await waitFor(
      'the trim to be cutting',
      async () =>
        (await client.scard(redisKeys.jobChildren(EDIT_RECORD_QUEUE, 'trim-both0001'))) > 0,
    );
    const refile = await takes.add(
      FILE_TAKE_JOB,
      { takeId: 'take-both01' },
      { jobId: 'take-both01-phone' },
    );

    const [trimmed, refiled] = await Promise.all([
      trim.waitUntilFinished(editEvents, 180_000),
      refile.waitUntilFinished(takeEvents, 180_000),
    ]);
    expect(trimmed).toEqual({ recordId: 'trim-both0001', alreadyFiled: false });
    expect(refiled).toEqual({ recordId, alreadyFiled: false });
    // Each ran once, to its end: no attempt failed and was retried.
    for (const job of [
      await edits.getJob('trim-both0001'),
      await takes.getJob('take-both01-phone'),
    ])
      expect(job!.stacktrace).toEqual([]);
    const [trimJob, refileJob] = [
      (await edits.getJob('trim-both0001'))!,
      (await takes.getJob('take-both01-phone'))!,
    ];
    expect(refileJob.processedOn!).toBeLessThan(trimJob.finishedOn!);

    const cut = recordSchema.parse(
      JSON.parse((await client.get(redisKeys.record('trim-both0001')))!),
    );
    expect(Math.abs(cut.media.durationMs - 10_000)).toBeLessThan(200);
    const source = recordSchema.parse(JSON.parse((await client.get(redisKeys.record(recordId)))!));
    expect(source.source).toBe('phone');
    const probed = await ffprobe(await storedFile(media, `records/${recordId}/video.mp4`));
    expect(Math.abs(probed.durationSeconds - 14)).toBeLessThan(0.3);
  });

  it('a take and its phone copy filed at once by two workers: one writes the RECord at a time, neither attempt fails', async () => {
    const { client, media, deps, takes, takeEvents } = workers;
    const second = createTakeWorker(client, { concurrency: 1 }, deps);
    try {
      await seedTake(client, media, 'take-pair01', (file) =>
        makeClip(file, { seconds: 8, width: 1280, height: 720 }),
      );
      await attachPhoneCopy(client, media, 'take-pair01', (file) =>
        makeClip(file, { seconds: 10, format: 'vp8-opus-webm' }),
      );
      const jobs = await Promise.all(
        ['take-pair01', 'take-pair01-phone'].map((jobId) =>
          takes.add(FILE_TAKE_JOB, { takeId: 'take-pair01' }, { jobId }),
        ),
      );
      const results = await Promise.all(
        jobs.map((job) => job.waitUntilFinished(takeEvents, 180_000)),
      );
      const recordId = recordIdForTake('take-pair01');
      expect(results.map((r) => r.alreadyFiled).sort()).toEqual([false, true]);
      for (const job of jobs) expect((await takes.getJob(job.id!))!.stacktrace).toEqual([]);
      const record = recordSchema.parse(
        JSON.parse((await client.get(redisKeys.record(recordId)))!),
      );
      expect(record.source).toBe('phone');
      const outDir = `records/${recordId}/`;
      expect(await storedNames(media, outDir)).toEqual(['poster.jpg', 'video.mp4']);
      const probed = await ffprobe(await storedFile(media, `${outDir}video.mp4`));
      expect(Math.abs(probed.durationSeconds - 10)).toBeLessThan(0.3);
      expect(await client.exists(redisKeys.recordLock(recordId))).toBe(0);
    } finally {
      await second.close();
    }
  });
});
