/**
 * bench/align: what aligning a show's takes by their audio costs.
 *
 * N phones film the same minute of a room from different moments (known offsets; their server
 * clocks each off by up to ±300 ms). The media-worker's alignment job runs on them against real
 * Redis and ffmpeg; in the same round, the floor is measured side by side: decoding the same
 * audio with ffmpeg and nothing else. The ratio says what the correlation adds; the error says
 * how close it came.
 *
 *   npm run bench:align -- --takes 2,8,16 --seconds 60 --rounds 3
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '@showrec/infra';
import {
  alignmentSchema,
  recordSchema,
  redisKeys,
  storedShowSchema,
  takeManifestSchema,
} from '@showrec/protocol';
import { decodeAudio } from '@showrec/media-worker/src/ffmpeg/media-tools.ts';
import { alignTakesProcessor } from '@showrec/media-worker/src/jobs/align-takes.ts';
import { createJobDeps } from '@showrec/media-worker/src/jobs/job-deps.ts';
import { createLogger } from '@showrec/media-worker/src/logger.ts';
import { LocalStore } from '@showrec/media-store';
import { makeAngle, makeRoomSound } from '@showrec/media-worker/src/test-support/angles.ts';

const { values } = parseArgs({
  options: {
    takes: { type: 'string', default: '2,8,16' },
    seconds: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '3' },
  },
});
const levels = values.takes.split(',').map(Number);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const SPREAD_MS = 8000;

const dir = await mkdtemp(path.join(os.tmpdir(), 'showrec-bench-align-'));
const redis = await startEmbeddedRedis({ dir: path.join(dir, 'redis') });
const client = new Redis(redis.url, { maxRetriesPerRequest: null });
const { deps, close } = createJobDeps(
  client,
  {
    scratchDir: path.join(dir, 'work'),
    ffmpegPath: 'ffmpeg',
    ffprobePath: 'ffprobe',
    alignSearchMs: 3000,
    ffmpegThreads: 1,
    concurrency: 1,
    jobLockMs: 30_000,
    x264Preset: 'veryfast',
  },
  new LocalStore(dir),
  createLogger('silent'),
);
const room = path.join(dir, 'room.wav');
await makeRoomSound(room, seconds + SPREAD_MS / 1000 + 2);
const showStart = Date.parse('2026-11-21T20:00:00Z');

console.log(`bench/align: ${seconds} s takes, ${rounds} rounds, ${os.cpus().length} cores`);
console.log('| takes | align job | bare decode | ratio | max error | aligned by audio |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');

for (const n of levels) {
  const showId = `show-bench${n}`;
  await client.set(
    redisKeys.show(showId),
    JSON.stringify(
      storedShowSchema.parse({
        id: showId,
        title: 'Bench',
        joinCode: 'BENCH2',
        hostKeyHash: 'x',
        crewKeyHash: 'y',
        createdAt: new Date().toISOString(),
        capture: { running: false, startedAt: null },
      }),
    ),
  );
  const truth = new Map<string, number>();
  const videos: string[] = [];
  for (let i = 0; i < n; i++) {
    const takeId = `take-b${n}x${i}`;
    const recordId = `rec-${takeId}`;
    const fromMs = Math.round((i / Math.max(1, n - 1)) * SPREAD_MS);
    const video = path.join(dir, 'records', recordId, 'video.mp4');
    await mkdir(path.dirname(video), { recursive: true });
    await makeAngle(room, video, { fromMs, seconds, gain: 1 - i / (2 * n), hissSeed: 100 + i });
    videos.push(video);
    truth.set(recordId, fromMs);
    const clockError = Math.round((Math.sin(i * 7.3) * 300) as number);
    await client.set(
      redisKeys.take(takeId),
      JSON.stringify(
        takeManifestSchema.parse({
          id: takeId,
          showId,
          cueId: null,
          participant: { id: `part-b${i}xxx`, name: `Phone ${i}` },
          status: 'ended',
          startedAt: showStart + fromMs + clockError,
          endedAt: showStart + fromMs + clockError + seconds * 1000,
          endReason: 'stopped',
          file: 'unused',
          codecs: { audio: 'opus', video: 'VP8' },
          rtp: { audio: null, video: null },
          failure: null,
        }),
      ),
    );
    const record = recordSchema.parse({
      id: recordId,
      showId,
      cueId: null,
      takeId,
      title: `Bench · ${i}`,
      contributors: [{ participantId: `part-b${i}xxx`, name: `Phone ${i}`, role: 'recorded' }],
      media: { video: '/v', poster: '/p', durationMs: seconds * 1000 },
      createdAt: new Date().toISOString(),
      status: 'filed',
    });
    await client.set(redisKeys.record(recordId), JSON.stringify(record));
    await client.zadd(redisKeys.showRecords(showId), i, recordId);
  }

  const alignTimes: number[] = [];
  const decodeTimes: number[] = [];
  let maxError = 0;
  let byAudio = 0;
  for (let round = 0; round < rounds; round++) {
    await client.del(...[...truth.keys()].map((id) => redisKeys.recordAlignment(id)));
    let started = performance.now();
    await alignTakesProcessor(deps)({ id: `bench-${round}`, data: { showId } } as Job);
    alignTimes.push(performance.now() - started);

    started = performance.now();
    // The floor: every take's audio decoded once, the least any alignment must read.
    for (const video of videos) await decodeAudio(deps.tools, video, 0, seconds * 1000);
    decodeTimes.push(performance.now() - started);

    const reference = alignmentSchema.parse(
      JSON.parse((await client.get(redisKeys.recordAlignment([...truth.keys()][0]!)))!),
    );
    const refTruth = truth.get(reference.referenceId)!;
    maxError = 0;
    byAudio = 0;
    for (const [id, fromMs] of truth) {
      const a = alignmentSchema.parse(
        JSON.parse((await client.get(redisKeys.recordAlignment(id)))!),
      );
      if (a.method === 'audio') byAudio++;
      if (a.method !== 'reference')
        maxError = Math.max(maxError, Math.abs(a.offsetMs - (fromMs - refTruth)));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [align, decode] = [median(alignTimes), median(decodeTimes)];
  console.log(
    `| ${n} | ${(align / 1000).toFixed(2)} s | ${(decode / 1000).toFixed(2)} s | ${(align / decode).toFixed(2)} | ${maxError} ms | ${byAudio}/${n - 1} |`,
  );
}

await close();
client.disconnect();
await redis.stop();
