import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobe, makeClip } from '@showrec/infra';
import { FILE_UPLOAD_JOB, recordSchema, redisKeys } from '@showrec/protocol';
import { startJobWorkers, type JobWorkers } from '../test-support/job-workers.js';
import { storedFile, testShow } from '../test-support/takes.js';

describe('file-upload job (real Redis, BullMQ and ffmpeg)', () => {
  let workers: JobWorkers;

  beforeAll(async () => {
    workers = await startJobWorkers('upload', { takeWorker: false });
  });
  afterAll(() => workers?.stop());

  it('files an uploaded remix like a take: playable MP4, poster, its maker credited, its parents kept', async () => {
    const { client, dataDir, media, edits, editEvents } = workers;
    const parent = recordSchema.parse({
      id: 'rec-take-parent1',
      showId: testShow.id,
      cueId: 'cue-song01',
      takeId: 'take-parent1',
      title: 'Open Mic · Ada',
      contributors: [{ participantId: 'part-ada001', name: 'Ada', role: 'recorded' }],
      media: { video: '/v.mp4', poster: '/p.jpg', durationMs: 3000 },
      createdAt: new Date().toISOString(),
      status: 'filed',
    });
    await client.set(redisKeys.record(parent.id), JSON.stringify(parent));
    const file = `uploads/${testShow.id}/remix-abc12345.webm`;
    const made = path.join(dataDir, 'remix.webm');
    await makeClip(made, { seconds: 3, format: 'vp8-opus-webm' });
    await media.putFile(file, made);
    await client.sadd(redisKeys.showPendingRecords(testShow.id), 'remix-abc12345');

    const upload = {
      recordId: 'remix-abc12345',
      showId: testShow.id,
      file,
      title: 'Ada, in reverse',
      contributor: 'Bo',
      parents: [parent.id],
    };
    const job = await edits.add(FILE_UPLOAD_JOB, upload, { jobId: upload.recordId });
    await job.waitUntilFinished(editEvents, 60_000);

    const record = recordSchema.parse(
      JSON.parse((await client.get(redisKeys.record(upload.recordId)))!),
    );
    expect(record).toMatchObject({
      title: 'Ada, in reverse',
      cueId: 'cue-song01',
      takeId: null,
      source: 'upload',
      original: file,
      parents: [parent.id],
      contributors: [{ participantId: null, name: 'Bo', role: 'remixed' }],
    });
    expect(Math.abs(record.media.durationMs - 3000)).toBeLessThan(100);
    const video = await ffprobe(await storedFile(media, `records/${upload.recordId}/video.mp4`));
    expect(video.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(await client.smembers(redisKeys.recordChildren(parent.id))).toEqual([upload.recordId]);
    expect(await client.scard(redisKeys.showPendingRecords(testShow.id))).toBe(0);
  });
});
