/**
 * bench/filing: how long the crew waits for the last RECord after a capture cue ends.
 *
 * N takes of S seconds, as a capture cue leaves them (half VP8 + Opus from Android phones, half
 * H.264 + Opus from iPhones; 1280×720, 30 fps, 2.5 Mb/s, a keyframe every 10 s, with film grain
 * so the picture costs what a camera's does), are queued at once to a real media-worker process
 * on real Redis. In the same run a bare ffmpeg does the same conversions (VP8 encoded to H.264,
 * H.264 copied; audio to AAC) with the same parallelism and threads: the floor. The ratio is what
 * filing costs on top (probing, posters, the job queue). A shared machine's speed drifts by more
 * than that over minutes, so the two run in rounds, alternately first (bare then showrec,
 * showrec then bare, …): the ratio of the totals cancels a steady drift, and each round's own
 * ratio shows the noise. Last, a few takes are filed one at a time, and each one's filing time is
 * printed over its length.
 *
 *   npm run bench:filing -- --takes 20 --seconds 60 --rounds 2
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
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
    rounds: { type: 'string', default: '2' },
  },
});
const takes = Number(values.takes);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const threads = Math.max(1, Math.floor(os.cpus().length / concurrency));

const dir = await mkdtemp(path.join(os.tmpdir(), 'showrec-bench-filing-'));
const clips = { vp8: path.join(dir, 'android.mkv'), h264: path.join(dir, 'iphone.mkv') };
// Keyframes where a capture cue's recorder asks for them: at every segment boundary (10 s).
const clip = { seconds, width: 1280, height: 720, kbps: 2500, grain: true, keyframeSeconds: 10 };
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

/**
 * The batch through a real media-worker, and then `alone` more takes (half of each codec) filed
 * one at a time: the worker takes the next take while one converts, so a take's time in the batch
 * includes its wait, and its own filing time is measured alone.
 */
async function showrec(
  round: number,
  alone: number,
): Promise<{ seconds: number; perTake: Record<string, number[]> }> {
  const roundDir = path.join(dir, `round-${round}`);
  const redis = await startEmbeddedRedis({ dir: path.join(roundDir, 'redis') });
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const dataDir = path.join(roundDir, 'data');
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
  const aloneIds = Array.from({ length: alone }, (_, i) => `take-alone-${i}`);
  for (const list of [ids, aloneIds])
    for (const [i, id] of list.entries())
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
  for (const [i, id] of aloneIds.entries()) {
    await (await queue.add(FILE_TAKE_JOB, { takeId: id }, { jobId: id })).waitUntilFinished(events);
    const job = (await queue.getJob(id))!;
    perTake[codecOf(i)]!.push((job.finishedOn! - job.processedOn!) / 1000 / seconds);
  }
  await events.close();
  await queue.close();
  await stopChild(worker);
  client.disconnect();
  await redis.stop();
  await rm(roundDir, { recursive: true, force: true });
  return { seconds: elapsed, perTake };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

console.log(
  `bench/filing: ${os.cpus().length} cores, ${takes} takes of ${seconds} s (half VP8, half H.264; 1280x720, 2.5 Mb/s), ${concurrency} at once, ${threads} ffmpeg threads each`,
);
type Measured = Awaited<ReturnType<typeof showrec>>;
const rows = [
  '| round | takes | last RECord filed | bare ffmpeg | ratio |',
  '| ----: | ----: | ----------------: | ----------: | ----: |',
];
const row = (round: string, floor: number, filed: number) =>
  `| ${round} | ${takes} | ${filed.toFixed(1)} s | ${floor.toFixed(1)} s | ${(filed / floor).toFixed(2)} |`;
const total = { floor: 0, filed: 0 };
let alone: Measured['perTake'] = {};
for (let round = 0; round < rounds; round++) {
  const bareFirst = round % 2 === 0;
  // The takes filed alone, once: in the first round, after its batch.
  const aloneTakes = round === 0 ? Math.min(takes, 6) : 0;
  let floor: number;
  let measured: Measured;
  if (bareFirst) {
    floor = await bare();
    measured = await showrec(round, aloneTakes);
  } else {
    measured = await showrec(round, aloneTakes);
    floor = await bare();
  }
  rows.push(
    row(`${round + 1} (${bareFirst ? 'bare first' : 'showrec first'})`, floor, measured.seconds),
  );
  console.log(rows.at(-1));
  total.floor += floor;
  total.filed += measured.seconds;
  if (round === 0) alone = measured.perTake;
}
rows.push(row('all', total.floor, total.filed));
const spread = (xs: number[] = []) => `${median(xs).toFixed(3)}, ${Math.max(...xs).toFixed(3)}`;
console.log(
  [
    ...rows,
    '',
    '| takes filed alone | VP8 filing ÷ length (median, max) | H.264 filing ÷ length (median, max) |',
    '| ----------------: | --------------------------------: | ----------------------------------: |',
    `| ${Object.values(alone).flat().length} | ${spread(alone.vp8)} | ${spread(alone.h264)} |`,
  ].join('\n'),
);
