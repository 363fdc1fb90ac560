import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '@showrec/infra';
import {
  ALIGN_JOB,
  FILE_TAKE_JOB,
  alignmentSchema,
  recordIdForTake,
  redisKeys,
  type Alignment,
} from '@showrec/protocol';
import { createEditWorker } from '../edit-worker.js';
import { makeAngle, makeRoomSound } from '../test-support/angles.js';
import { startJobWorkers, type JobWorkers } from '../test-support/job-workers.js';
import { seedTake } from '../test-support/takes.js';

describe('aligning takes by their audio (real Redis, BullMQ and ffmpeg)', () => {
  let workers: JobWorkers;
  let client: Redis;
  let room: string;
  const showStart = Date.parse('2026-11-21T20:00:00Z');

  beforeAll(async () => {
    workers = await startJobWorkers('align', { editWorker: false });
    client = workers.client;
    room = path.join(workers.dataDir, 'room.wav');
    await makeRoomSound(room, 16);
  });
  afterAll(() => workers?.stop());

  /** Files a take through the take worker, as the show-server would queue it. */
  async function fileTake(
    takeId: string,
    startedAt: number,
    write: (file: string) => Promise<void>,
  ) {
    await seedTake(client, workers.media, takeId, write, {
      startedAt,
      endedAt: startedAt + 8000,
    });
    await (
      await workers.takes.add(FILE_TAKE_JOB, { takeId }, { jobId: takeId })
    ).waitUntilFinished(workers.takeEvents, 60_000);
  }

  async function alignment(takeId: string): Promise<Alignment> {
    return alignmentSchema.parse(
      JSON.parse((await client.get(redisKeys.recordAlignment(recordIdForTake(takeId))))!),
    );
  }

  it('finds a known offset within 20 ms though the server clocks were 337 ms off', async () => {
    // The loud phone starts with the room; the quiet one 1337 ms later, but its take was stamped
    // as starting 1000 ms later (it joined late, its packets queued on the Wi-Fi).
    await fileTake('take-loud01', showStart, (file) =>
      makeAngle(room, file, { fromMs: 0, seconds: 10, gain: 1, hissSeed: 11 }),
    );
    await fileTake('take-quiet1', showStart + 1000, (file) =>
      makeAngle(room, file, { fromMs: 1337, seconds: 8, gain: 0.4, hissSeed: 23 }),
    );
    await fileTake('take-late01', showStart + 4000, (file) =>
      makeAngle(room, file, { fromMs: 5250, seconds: 6, gain: 0.7, hissSeed: 31 }),
    );
    // A take from a later song overlaps none of them and sits on its own.
    await fileTake('take-solo01', showStart + 60_000, (file) => makeClip(file, { seconds: 3 }));

    // Every write of a placement, as Redis receives it. redis-cli rather than ioredis's own
    // monitor, which can take the first line that follows MONITOR's reply for a reply.
    const monitor = spawn('redis-cli', ['-u', workers.redis.url, 'monitor']);
    const writes: string[][] = [];
    const lines = createInterface({ input: monitor.stdout });
    const watching = new Promise((resolve) => lines.once('line', resolve));
    lines.on('line', (line) => {
      const args = line.slice(line.indexOf('"') + 1, -1).split('" "');
      if (/^(m?set)$/i.test(args[0]!) && args.some((a) => a.includes(':alignment')))
        writes.push(args);
    });
    await watching;
    const worker = createEditWorker(client, workers.deps);
    try {
      // Filing asked for one alignment per take; deduplication kept only what was still needed.
      expect((await workers.edits.getJobs(['waiting'])).map((j) => j.name)).toEqual([ALIGN_JOB]);
      const [job] = await workers.edits.getJobs(['waiting']);
      await job!.waitUntilFinished(workers.editEvents, 60_000);
    } finally {
      await worker.close();
      monitor.kill();
    }
    // A cluster's placements land in one write: the review page never sees it half moved.
    const key = (takeId: string) => redisKeys.recordAlignment(recordIdForTake(takeId));
    const clusterWrites = writes.filter((w) => w.includes(key('take-loud01')));
    expect(clusterWrites).toHaveLength(1);
    expect(clusterWrites[0]).toEqual(
      expect.arrayContaining([key('take-quiet1'), key('take-late01')]),
    );

    const reference = await alignment('take-loud01');
    expect(reference).toMatchObject({
      referenceId: recordIdForTake('take-loud01'),
      method: 'reference',
      offsetMs: 0,
    });
    const quiet = await alignment('take-quiet1');
    expect(quiet.method).toBe('audio');
    expect(quiet.referenceId).toBe(recordIdForTake('take-loud01'));
    expect(Math.abs(quiet.offsetMs - 1337)).toBeLessThan(20);
    expect(quiet.startsAt).toBe(showStart + quiet.offsetMs);
    const late = await alignment('take-late01');
    expect(Math.abs(late.offsetMs - 5250)).toBeLessThan(20);
    expect(await alignment('take-solo01')).toMatchObject({
      referenceId: recordIdForTake('take-solo01'),
      method: 'reference',
    });
  });

  it('keeps the server clock when the audio shares nothing to line up, or there is no audio', async () => {
    await fileTake('take-tone01', showStart + 120_000, (file) =>
      makeClip(file, { seconds: 6, toneHz: 440 }),
    );
    await fileTake('take-room01', showStart + 121_500, (file) =>
      makeAngle(room, file, { fromMs: 0, seconds: 6, gain: 1, hissSeed: 5 }),
    );
    // A phone whose microphone gave nothing: its RECord has no audio stream to decode.
    await fileTake('take-mute01', showStart + 122_000, (file) =>
      makeClip(file, { seconds: 4, audio: false }),
    );
    const worker = createEditWorker(client, workers.deps);
    try {
      const [job] = await workers.edits.getJobs(['waiting']);
      await job!.waitUntilFinished(workers.editEvents, 60_000);
    } finally {
      await worker.close();
    }
    const [tone, roomTake] = [await alignment('take-tone01'), await alignment('take-room01')];
    const other = tone.method === 'reference' ? roomTake : tone;
    expect(other.method).toBe('clock');
    expect(Math.abs(other.offsetMs)).toBe(1500);
    expect(await alignment('take-mute01')).toMatchObject({ method: 'clock', confidence: null });
  });

  it('waits while takes are being filed, so a capture cue’s RECords are filed first', async () => {
    await fileTake('take-wait01', showStart + 240_000, (file) =>
      makeAngle(room, file, { fromMs: 0, seconds: 6, gain: 1, hissSeed: 7 }),
    );
    await fileTake('take-wait02', showStart + 240_500, (file) =>
      makeAngle(room, file, { fromMs: 500, seconds: 6, gain: 0.5, hissSeed: 9 }),
    );
    // A take that takes seconds to file, queued as the alignment is about to run.
    await seedTake(client, workers.media, 'take-long01', (file) =>
      makeClip(file, { seconds: 20, width: 1280, height: 720, grain: true }),
    );
    const filing = await workers.takes.add(FILE_TAKE_JOB, { takeId: 'take-long01' });
    const worker = createEditWorker(client, workers.deps);
    try {
      const [align] = await workers.edits.getJobs(['waiting', 'delayed']);
      await filing.waitUntilFinished(workers.takeEvents, 120_000);
      await align!.waitUntilFinished(workers.editEvents, 60_000);
      const [filed, aligned] = [
        (await workers.takes.getJob(filing.id!))!,
        (await workers.edits.getJob(align!.id!))!,
      ];
      expect(aligned.finishedOn!).toBeGreaterThanOrEqual(filed.finishedOn!);
    } finally {
      await worker.close();
    }
    expect((await alignment('take-wait02')).method).toBe('audio');
  });
});
