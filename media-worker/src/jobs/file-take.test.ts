import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import type { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ffprobe, makeClip, videoFrames } from '@showrec/infra';
import {
  FILE_TAKE_JOB,
  recordIdForTake,
  recordSchema,
  redisKeys,
  type FileTakeJob,
} from '@showrec/protocol';
import { startJobWorkers, type JobWorkers } from '../test-support/job-workers.js';
import {
  attachPhoneCopy,
  endedTake,
  seedSegmentedTake,
  seedTake,
  storedFile,
  storedNames,
  testShow as show,
} from '../test-support/takes.js';
import type { FileTakeResult } from './file-take.js';

/** What identifies an H.264 stream's encoding: profile, level, size, frames and their bytes. */
async function videoStream(file: string) {
  // prettier-ignore
  const { stdout } = await promisify(execFile)('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_packets',
    '-show_entries', 'stream=codec_name,profile,level,width,height,nb_read_packets',
    '-show_entries', 'packet=size', '-of', 'json', file,
  ]);
  const data = JSON.parse(stdout) as {
    streams: Array<Record<string, unknown>>;
    packets: Array<{ size: string }>;
  };
  return {
    ...(data.streams[0] as { profile: string }),
    bytes: data.packets.reduce((n, p) => n + Number(p.size), 0),
  };
}

/** Every packet's time, per stream, in order. */
async function packetTimes(file: string): Promise<Record<'audio' | 'video', number[]>> {
  // prettier-ignore
  const { stdout } = await promisify(execFile)('ffprobe', [
    '-v', 'error', '-show_entries', 'packet=codec_type,pts_time', '-of', 'csv=p=0', file,
  ]);
  const times: Record<'audio' | 'video', number[]> = { audio: [], video: [] };
  for (const [kind, pts] of stdout.split('\n').map((l) => l.split(','))) {
    if (kind === 'audio' || kind === 'video') times[kind].push(Number(pts));
  }
  times.audio.sort((a, b) => a - b);
  times.video.sort((a, b) => a - b);
  return times;
}

describe('file-take job (real Redis, BullMQ and ffmpeg)', () => {
  let workers: JobWorkers;
  let client: Redis;
  let queue: Queue<FileTakeJob>;
  let events: QueueEvents;

  const seed = (takeId: string, write: (file: string) => Promise<void>) =>
    seedTake(client, workers.media, takeId, write);

  const enqueue = (jobId: string, takeId = jobId) =>
    queue.add(
      FILE_TAKE_JOB,
      { takeId },
      { jobId, attempts: 2, backoff: { type: 'fixed', delay: 100 }, removeOnFail: false },
    );

  beforeAll(async () => {
    workers = await startJobWorkers('file-take', { editWorker: false });
    ({ client, takes: queue, takeEvents: events } = workers);
  });
  afterAll(() => workers?.stop());

  it('transcodes a take to H.264 + AAC MP4 with a poster, reports progress, and files a credited RECord', async () => {
    await seed('take-good01', (file) => makeClip(file, { seconds: 5 }));
    const progress: number[] = [];
    events.on(
      'progress',
      ({ jobId, data }) => jobId === 'take-good01' && progress.push(Number(data)),
    );
    const job = await enqueue('take-good01');
    const result = (await job.waitUntilFinished(events, 60_000)) as FileTakeResult;
    expect(result).toEqual({ recordId: recordIdForTake('take-good01'), alreadyFiled: false });

    const record = recordSchema.parse(
      JSON.parse((await client.get(redisKeys.record(result.recordId)))!),
    );
    expect(record).toMatchObject({
      showId: show.id,
      takeId: 'take-good01',
      cueId: null,
      title: 'Open Mic · Ada',
      status: 'filed',
      contributors: [{ participantId: 'part-ada001', name: 'Ada', role: 'recorded' }],
      media: {
        video: `/media/records/${result.recordId}/video.mp4`,
        poster: `/media/records/${result.recordId}/poster.jpg`,
      },
    });
    expect(Math.abs(record.media.durationMs - 5000)).toBeLessThan(200);
    expect(await client.zrange(redisKeys.showRecords(show.id), 0, -1)).toEqual([result.recordId]);

    const mp4 = await storedFile(workers.media, `records/${result.recordId}/video.mp4`);
    const probed = await ffprobe(mp4);
    expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    // faststart: the moov atom comes before the media data.
    const head = (await readFile(mp4)).subarray(0, 64 * 1024).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(-1);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat'));
    const poster = await readFile(
      await storedFile(workers.media, `records/${result.recordId}/poster.jpg`),
    );
    expect([poster[0], poster[1]]).toEqual([0xff, 0xd8]);
    expect(await storedNames(workers.media, `records/${result.recordId}/`)).toEqual([
      'poster.jpg',
      'video.mp4',
    ]);

    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // ffmpeg's own progress (up to 90), before the RECord's poster and filing (95, 100).
    expect(progress.filter((p) => p > 0 && p <= 90)).not.toEqual([]);
  });

  it('files a take once, however often it is enqueued or processed', async () => {
    const again = await enqueue('take-good01');
    expect(again.id).toBe('take-good01');
    expect(await again.getState()).toBe('completed');
    // A fresh job for the same take (say, after the completed one expired) is a no-op too.
    await queue.remove('take-good01');
    const fresh = await enqueue('take-good01');
    expect(await fresh.waitUntilFinished(events, 60_000)).toEqual({
      recordId: recordIdForTake('take-good01'),
      alreadyFiled: true,
    });
    expect(await client.zcard(redisKeys.showRecords(show.id))).toBe(1);
  });

  it('refiles a take from the phone’s own copy when it arrives and is more complete; never from a worse one', async () => {
    await seed('take-cut001', (file) => makeClip(file, { seconds: 3 }));
    const first = await enqueue('take-cut001');
    await first.waitUntilFinished(events, 60_000);
    const recordId = recordIdForTake('take-cut001');
    const fromServer = recordSchema.parse(
      JSON.parse((await client.get(redisKeys.record(recordId)))!),
    );
    expect(fromServer.source).toBe('server');
    expect(Math.abs(fromServer.media.durationMs - 3000)).toBeLessThan(200);

    await attachPhoneCopy(client, workers.media, 'take-cut001', (file) =>
      makeClip(file, { seconds: 6, format: 'vp8-opus-webm' }),
    );
    const second = await enqueue('take-cut001-phone', 'take-cut001');
    expect(await second.waitUntilFinished(events, 60_000)).toEqual({
      recordId,
      alreadyFiled: false,
    });
    const fromPhone = recordSchema.parse(
      JSON.parse((await client.get(redisKeys.record(recordId)))!),
    );
    expect(fromPhone).toMatchObject({ source: 'phone', createdAt: fromServer.createdAt });
    expect(Math.abs(fromPhone.media.durationMs - 6000)).toBeLessThan(200);
    expect(
      (await client.zrange(redisKeys.showRecords(show.id), 0, -1)).filter((id) => id === recordId),
    ).toHaveLength(1);

    const again = await enqueue('take-cut001-again', 'take-cut001');
    expect(await again.waitUntilFinished(events, 60_000)).toEqual({ recordId, alreadyFiled: true });
  });

  it('refiles from a phone copy as long and sharper than the server’s; keeps the server’s over a blurrier one', async () => {
    const fileBoth = async (takeId: string, phone: { width: number; height: number }) => {
      await seed(takeId, (file) => makeClip(file, { seconds: 3 }));
      await (await enqueue(takeId)).waitUntilFinished(events, 60_000);
      await attachPhoneCopy(client, workers.media, takeId, (file) =>
        makeClip(file, { seconds: 3, format: 'vp8-opus-webm', ...phone }),
      );
      await (await enqueue(`${takeId}-phone`, takeId)).waitUntilFinished(events, 60_000);
      return recordSchema.parse(
        JSON.parse((await client.get(redisKeys.record(recordIdForTake(takeId))))!),
      ).source;
    };
    expect(await fileBoth('take-sharp01', { width: 1280, height: 720 })).toBe('phone');
    expect(await fileBoth('take-blur001', { width: 320, height: 180 })).toBe('server');
  });

  it('a take that is not media fails for good at once, with its reason kept and its input file untouched', async () => {
    const garbage = Buffer.from('this is not a matroska file at all');
    const input = await seed('take-bad001', (file) => writeFile(file, garbage));
    const job = await enqueue('take-bad001');
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(/ffprobe could not read/);
    const failed = await queue.getJob('take-bad001');
    expect(failed!.attemptsMade).toBe(1);
    expect(failed!.failedReason).toMatch(/ffprobe could not read/);
    await expect
      .poll(() => client.get(redisKeys.takeFailure('take-bad001')))
      .toMatch(/ffprobe could not read/);
    expect(await buffer(await workers.media.read(input))).toEqual(garbage);
    expect(await client.exists(redisKeys.record(recordIdForTake('take-bad001')))).toBe(0);
  });

  it('joins a take recorded in segments with no gap and no frame twice, stores it whole, and files it', async () => {
    const clip = path.join(await mkdtemp(path.join(tmpdir(), 'showrec-clip-')), 'clip.mkv');
    await makeClip(clip, { seconds: 12 });
    const take = await seedSegmentedTake(client, workers.media, 'take-segs01', clip, 4);
    expect(take.segments.length).toBeGreaterThanOrEqual(3);

    const job = await enqueue('take-segs01');
    await job.waitUntilFinished(events, 60_000);
    const record = recordSchema.parse(
      JSON.parse((await client.get(redisKeys.record(recordIdForTake('take-segs01'))))!),
    );
    expect(record.original).toBe(take.file);
    expect(Math.abs(record.media.durationMs - 12_000)).toBeLessThan(200);

    const joined = await storedFile(workers.media, take.file);
    const [sent, kept] = await Promise.all([packetTimes(clip), packetTimes(joined)]);
    for (const kind of ['audio', 'video'] as const) {
      expect(kept[kind].length, kind).toBe(sent[kind].length);
      const shift = kept[kind][0]! - sent[kind][0]!;
      const moved = kept[kind].map((t, i) => Math.abs(t - shift - sent[kind][i]!));
      expect(Math.max(...moved), kind).toBeLessThan(0.0015);
    }
  });

  it('a take that ended before the recorder wrote a segment fails for good as empty, at once', async () => {
    await client.set(
      redisKeys.take('take-none01'),
      JSON.stringify(endedTake('take-none01', `takes/${show.id}/take-none01.mkv`)),
    );
    const job = await enqueue('take-none01');
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(
      /the server's copy of the take is empty: it ended before its first keyframe/,
    );
    expect((await queue.getJob('take-none01'))!.attemptsMade).toBe(1);
  });

  it('a take whose manifest is missing fails at once without retrying', async () => {
    const job = await enqueue('take-nomanifest');
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(
      /no manifest for take take-nomanifest/,
    );
    expect((await queue.getJob('take-nomanifest'))!.attemptsMade).toBe(1);
  });

  it('files a take cut after its first frame, with that frame as its poster', async () => {
    await seed('take-blip01', (file) => makeClip(file, { seconds: 0.04 }));
    const job = await enqueue('take-blip01');
    await job.waitUntilFinished(events, 60_000);
    expect((await queue.getJob('take-blip01'))!.attemptsMade).toBe(1);
    const outDir = `records/${recordIdForTake('take-blip01')}/`;
    expect(await storedNames(workers.media, outDir)).toEqual(['poster.jpg', 'video.mp4']);
    expect(
      (await stat(await storedFile(workers.media, `${outDir}poster.jpg`))).size,
    ).toBeGreaterThan(0);
  });

  const fileAndProbe = async (takeId: string) => {
    const job = await enqueue(takeId);
    await job.waitUntilFinished(events, 60_000);
    return storedFile(workers.media, `records/${recordIdForTake(takeId)}/video.mp4`);
  };

  it('keeps a take’s own timing: a camera at 5 fps with a 3 s stall is filed with the frames it sent, not 1000 a second', async () => {
    let take = '';
    await seed('take-vfr001', async (file) => {
      take = file;
      await makeClip(file, { seconds: 10, fps: 5, videoGap: [4, 7] });
    });
    const sent = await videoFrames(take);
    expect(sent).toBeGreaterThan(30);
    expect(sent).toBeLessThan(40);
    const mp4 = await fileAndProbe('take-vfr001');
    const filed = await videoFrames(mp4);
    expect(filed).toBeGreaterThanOrEqual(sent - 2);
    expect(filed).toBeLessThanOrEqual(sent + 2);
    expect((await ffprobe(mp4)).durationSeconds).toBeGreaterThan(9);
  });

  it('files a take whose picture grew mid-way (a simulcast phone back on its top layer) at its largest size throughout', async () => {
    await seed('take-grow001', async (file) => {
      const dir = path.dirname(file);
      const small = path.join(dir, 'small.mkv');
      const large = path.join(dir, 'large.mkv');
      await makeClip(small, { seconds: 2, width: 640, height: 360 });
      await makeClip(large, { seconds: 3, width: 1280, height: 720 });
      const list = path.join(dir, 'parts.txt');
      await writeFile(list, `file '${small}'\nfile '${large}'\n`);
      // prettier-ignore
      await promisify(execFile)('ffmpeg', [
        '-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', file,
      ]);
    });
    const mp4 = await fileAndProbe('take-grow001');
    const probed = await ffprobe(mp4);
    const video = probed.streams.find((st) => st.codec_type === 'video')!;
    expect([video.width, video.height]).toEqual([1280, 720]);
    expect(probed.durationSeconds).toBeGreaterThan(4.5);
  });

  it('files an H.264 take by copying its video, not encoding it again; audio becomes AAC', async () => {
    let take = '';
    await seed('take-h264001', async (file) => {
      take = file;
      await makeClip(file, { seconds: 4, format: 'h264-opus-mkv' });
    });
    const mp4 = await fileAndProbe('take-h264001');
    const before = await videoStream(take);
    const after = await videoStream(mp4);
    // The same bitstream: libx264 at our settings would give another profile, size and count.
    expect(after).toEqual(before);
    expect(after.profile).toBe('Constrained Baseline');
    expect((await ffprobe(mp4)).streams.map((st) => st.codec_name).sort()).toEqual(['aac', 'h264']);
  });
});
