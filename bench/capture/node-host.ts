/**
 * One show-server node for `bench:capture --nodes`: its own mediasoup workers, recorders and
 * segment uploaders in a process of its own, registered in Redis as a show-server registers
 * (NodeRegistry, NodeHeartbeat), so the bench places phones on it as a show-server would. The
 * bench drives it over IPC (nodes.ts); it reports what its phones lost and what its takes hold.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { Redis } from 'ioredis';
import { ChildProcesses } from '@showrec/infra/processes';
import { LocalStore } from '@showrec/media-store';
import { capacityProblem } from '@showrec/show-server/src/capture/capacity.ts';
import {
  DEFAULT_RECORDER_PROCESSES,
  RecorderPool,
} from '@showrec/show-server/src/capture/recorder/recorder-pool.ts';
import { SegmentUploader } from '@showrec/show-server/src/capture/segment-uploader.ts';
import { TakeRecorder } from '@showrec/show-server/src/capture/take-recorder.ts';
import { createLogger } from '@showrec/show-server/src/logger.ts';
import { NodeHeartbeat } from '@showrec/show-server/src/nodes/node-heartbeat.ts';
import { NodeRegistry } from '@showrec/show-server/src/nodes/node-registry.ts';
import { mediaCodecs } from '@showrec/show-server/src/sfu/media-codecs.ts';
import {
  createRtpPhoneProducers,
  type RtpPhoneProducers,
} from '@showrec/show-server/src/test-support/rtp-phone.ts';
import { recorderPids, totalCpuSeconds } from './cpu.ts';
import { takeShape } from './take-shape.ts';

export type NodeRequest = { type: 'add' } | { type: 'record' } | { type: 'stop' };

export interface NodeReport {
  phones: number;
  cpuSeconds: number;
  wallSeconds: number;
  packets: number;
  lost: number;
  frames: number[];
  keyframeFirst: number;
  worstEndGapMs: number;
}

const env = process.env;
const id = env.BENCH_NODE_ID!;
const dir = env.BENCH_NODE_DIR!;
const phoneBps = Number(env.BENCH_PHONE_BPS);
const capacity = { streams: Number(env.BENCH_CAPACITY_STREAMS), mbps: Infinity, phoneMbps: 2.6 };
const logger = createLogger('silent');
const redis = new Redis(env.REDIS_URL!);
const registry = new NodeRegistry(redis);
const media = new LocalStore(dir);
const processes = new ChildProcesses();
const recorders = new RecorderPool(processes, { size: DEFAULT_RECORDER_PROCESSES, logger });
const workers = await Promise.all(
  Array.from({ length: Number(env.BENCH_WORKERS) }, () =>
    mediasoup.createWorker({
      logLevel: 'error',
      rtcMinPort: Number(env.BENCH_RTC_MIN_PORT),
      rtcMaxPort: Number(env.BENCH_RTC_MAX_PORT),
    }),
  ),
);
let routers: ms.Router[] = [];
let phones: RtpPhoneProducers[] = [];
let takes: Array<{ recorder: TakeRecorder; uploader: SegmentUploader }> = [];
let window: { cpu: number; at: number; stats: ms.ProducerStat[][] } | null = null;
const startedAt = Date.now();

const heartbeat = new NodeHeartbeat(
  registry,
  async () => ({
    id,
    url: `http://127.0.0.1/${id}`,
    rtcAddress: '127.0.0.1',
    capacity: { streams: capacity.streams, mbps: 1000 },
    load: {
      phones: phones.length,
      streams: takes.length,
      bps: phones.length * phoneBps,
      sfuCpu: 0,
    },
    full: capacityProblem(capacity, phones.length, phones.length * phoneBps),
    draining: false,
    startedAt,
    updatedAt: Date.now(),
  }),
  () => undefined,
  logger,
);

const pids = () => [...workers.map((w) => w.pid), ...recorderPids(takes.map((t) => t.recorder))];
const producerStats = () =>
  Promise.all(phones.flatMap((p) => p.producers.map((pr) => pr.getStats())));

async function handle(request: NodeRequest): Promise<unknown> {
  if (request.type === 'add') {
    if (routers.length === 0)
      routers = await Promise.all(workers.map((w) => w.createRouter({ mediaCodecs })));
    const phone = await createRtpPhoneProducers(
      routers[phones.length % routers.length]!,
      'vp8',
      true,
    );
    phones.push(phone);
    // As a show-server does when a placed phone arrives: count it, then use up its placement.
    await heartbeat.beat();
    await registry.release(id);
    return phone.targets;
  }
  if (request.type === 'record') {
    takes = await Promise.all(
      phones.map(async (phone, i) => {
        const folder = `takes/bench/${id}-${Date.now()}-${i}/`;
        await mkdir(path.join(dir, folder), { recursive: true });
        const recorder = await TakeRecorder.start({
          router: routers[i % routers.length]!,
          producers: phone.producers,
          recorders,
          takeId: folder,
          dir: path.join(dir, folder),
          segmentSeconds: Number(env.BENCH_SEGMENT_SECONDS),
          logger,
        });
        return {
          recorder,
          uploader: new SegmentUploader({ media, processes, dataDir: dir }, folder, logger),
        };
      }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    window = { cpu: totalCpuSeconds(pids()), at: Date.now(), stats: await producerStats() };
    return null;
  }
  const cpuSeconds = totalCpuSeconds(pids()) - window!.cpu;
  const wallSeconds = (Date.now() - window!.at) / 1000;
  const after = await producerStats();
  const sum = (all: ms.ProducerStat[][], key: 'packetCount' | 'packetsLost') =>
    all.flat().reduce((s, x) => s + Math.max(0, x[key] ?? 0), 0);
  await Promise.all(takes.map((t) => t.recorder.stop()));
  const stored = await Promise.all(takes.map((t) => t.uploader.finish()));
  const shapes = [];
  for (const { segments } of stored)
    shapes.push(await takeShape(media, segments, path.join(dir, 'scratch')));
  for (const { segments } of stored) for (const s of segments) await media.remove(s.key);
  const report: NodeReport = {
    phones: phones.length,
    cpuSeconds,
    wallSeconds,
    packets: sum(after, 'packetCount') - sum(window!.stats, 'packetCount'),
    lost: sum(after, 'packetsLost') - sum(window!.stats, 'packetsLost'),
    frames: shapes.map((s) => s.frames),
    keyframeFirst: shapes.filter((s) => s.keyframeFirst).length,
    worstEndGapMs: Math.max(0, ...shapes.map((s) => s.endGapMs)),
  };
  for (const phone of phones) phone.close();
  for (const router of routers) router.close();
  phones = [];
  routers = [];
  takes = [];
  window = null;
  await heartbeat.beat();
  return report;
}

process.on('message', (message: { seq: number; request: NodeRequest }) => {
  handle(message.request).then(
    (answer) => process.send!({ seq: message.seq, answer }),
    (err: Error) => process.send!({ seq: message.seq, error: err.message }),
  );
});
process.on('disconnect', () => {
  void heartbeat.stop(id).finally(async () => {
    await processes.stopAll('SIGKILL');
    for (const w of workers) w.close();
    redis.disconnect();
    process.exit(0);
  });
});
process.send!({ seq: 0, answer: 'ready' });
