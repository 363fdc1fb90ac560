/**
 * bench/filing: how long the crew waits for the last RECord after a capture cue ends.
 *
 * N takes of S seconds, as a capture cue leaves them (half VP8 + Opus from Android phones, half
 * H.264 + Opus from iPhones; 1280×720, 30 fps, 2.5 Mb/s, with film grain so the picture costs
 * what a camera's does), are queued at once to a real media-worker process on real Redis. Side by
 * side, in the same run, a bare ffmpeg does the same conversions (VP8 encoded to H.264, H.264
 * copied; audio to AAC) with the same parallelism and threads: the floor. The ratio is what
 * filing costs on top (probing, posters, the job queue). Each take's own filing time is printed
 * over its length.
 *
 *   npm run bench:filing -- --takes 20 --seconds 60
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { makeClip, repoRoot, startEmbeddedRedis, stopChild } from '@showrec/infra';
import { ChildProcesses } from '@showrec/infra/processes';
import { FILE_TAKE_JOB, FILE_TAKE_QUEUE, type FileTakeJob } from '@showrec/protocol';
import { LocalStore } from '@showrec/media-store';
import { seedTake } from '@showrec/media-worker/src/test-support/takes.ts';

const { values } = parseArgs({
  options: {
    takes: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: String(Math.max(1, Math.floor(os.cpus().length / 2))) },
  },
});
const takes = Number(values.takes);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const threads = Math.max(1, Math.floor(os.cpus().length / concurrency));

const dir = await mkdtemp(path.join(os.tmpdir(), 'showrec-bench-filing-'));
const clips = { vp8: path.join(dir, 'android.mkv'), h264: path.join(dir, 'iphone.mkv') };
const clip = { seconds, width: 1280, height: 720, kbps: 2500, grain: true };
await makeClip(clips.vp8, { ...clip, format: 'vp8-opus-mkv' });
await makeClip(clips.h264, { ...clip, format: 'h264-opus-mkv' });
const codecOf = (i: number) => (i % 2 === 0 ? 'vp8' : 'h264');

/** Runs `work` on every item, `limit` at a time. */
async function pooled<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/** The floor: the same conversions, with the same parallelism, by a bare ffmpeg. */
async function bare(): Promise<number> {
  const processes = new ChildProcesses();
  const started = performance.now();
  await pooled(
    Array.from({ length: takes }, (_, i) => i),
    concurrency,
    async (i) => {
      // prettier-ignore
      const video = codecOf(i) === 'h264'
        ? ['-c:v', 'copy']
        : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p',
           '-fps_mode', 'vfr', '-threads', String(threads)];
      // prettier-ignore
      await processes.run('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-y', '-i', clips[codecOf(i)],
        ...video, '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart',
        path.join(dir, `bare-${i}.mp4`),
      ]);
    },
  );
  return (performance.now() - started) / 1000;
}

async function showrec(): Promise<{ seconds: number; perTake: Record<string, number[]> }> {
  const redis = await startEmbeddedRedis({ dir: path.join(dir, 'redis') });
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const dataDir = path.join(dir, 'data');
  const media = new LocalStore(dataDir);
  const worker = spawn(process.execPath, [path.join(repoRoot, 'media-worker', 'dist', 'main.js')], {
    env: {
      ...process.env,
      REDIS_URL: redis.url,
      SHOWREC_DATA_DIR: dataDir,
      SHOWREC_WORKER_CONCURRENCY: String(concurrency),
      SHOWREC_FFMPEG_THREADS: String(threads),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const queue = new Queue<FileTakeJob>(FILE_TAKE_QUEUE, { connection: client });
  const events = new QueueEvents(FILE_TAKE_QUEUE, { connection: { url: redis.url } });
  await events.waitUntilReady();
  const ids = Array.from({ length: takes }, (_, i) => `take-bench-${i}`);
  for (const [i, id] of ids.entries())
    await seedTake(client, media, id, (file) => copyFile(clips[codecOf(i)], file));
  while ((await queue.getWorkersCount()) === 0) await new Promise((r) => setTimeout(r, 100));

  const started = performance.now();
  const done = new Promise<void>((resolve, reject) => {
    let left = takes;
    events.on('completed', () => --left === 0 && resolve());
    events.on('failed', ({ jobId, failedReason }) =>
      reject(new Error(`${jobId} failed: ${failedReason}`)),
    );
  });
  await queue.addBulk(
    ids.map((id) => ({ name: FILE_TAKE_JOB, data: { takeId: id }, opts: { jobId: id } })),
  );
  await done;
  const elapsed = (performance.now() - started) / 1000;
  const perTake: Record<string, number[]> = { vp8: [], h264: [] };
  for (const [i, id] of ids.entries()) {
    const job = (await queue.getJob(id))!;
    perTake[codecOf(i)]!.push((job.finishedOn! - job.processedOn!) / 1000 / seconds);
  }
  await events.close();
  await queue.close();
  await stopChild(worker);
  client.disconnect();
  await redis.stop();
  return { seconds: elapsed, perTake };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

console.log(
  `bench/filing: ${os.cpus().length} cores, ${takes} takes of ${seconds} s (half VP8, half H.264; 1280x720, 2.5 Mb/s), ${concurrency} at once, ${threads} ffmpeg threads each`,
);
const floor = await bare();
const measured = await showrec();
console.log(
  '| takes | last RECord filed | bare ffmpeg | ratio | VP8 filing ÷ length (median, max) | H.264 filing ÷ length (median, max) |',
);
console.log(
  '| ----: | ----------------: | ----------: | ----: | ---------------------------------: | -----------------------------------: |',
);
const spread = (xs: number[]) => `${median(xs).toFixed(3)}, ${Math.max(...xs).toFixed(3)}`;
console.log(
  `| ${takes} | ${measured.seconds.toFixed(1)} s | ${floor.toFixed(1)} s | ${(measured.seconds / floor).toFixed(2)} | ${spread(measured.perTake.vp8!)} | ${spread(measured.perTake.h264!)} |`,
);
