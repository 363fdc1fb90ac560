/**
 * bench/capture: how many phones one machine records at once.
 *
 * Simulated phones send a generated 720p VP8 + Opus clip (with film grain, so it really reaches
 * the asked bitrate: a bare test pattern compresses to almost nothing) as RTP into mediasoup
 * (PlainTransport producers, as the recorder sees a real phone; from the node sender, a phone's
 * audio and video share one transport, as WebRTC bundles them); every phone is recorded at once by
 * the real TakeRecorder (consumer → PlainTransport → ffmpeg → Matroska). The phones are sent by
 * one process of their own (rtp-load.ts, rtp-sender.ts: the clip's packets replayed per phone,
 * paced by their RTP timestamps; what it could not send in time is counted, not burst), or with
 * `--senders ffmpeg` by an ffmpeg each. Per level it prints CPU per stream for
 * showrec's side (mediasoup workers + recorder ffmpeg), for the senders, and the floor — bare
 * ffmpeg stream copies of the same media, as many, run just after in the same run so the ratio
 * holds on a noisy machine — with packet loss and whether every file is complete. Takes are
 * recorded in segments and each is stored as it closes (capture/segment-uploader.ts), in the data
 * directory; with `--storage s3` every level runs a second time, right after, storing into a real
 * OpenStack Swift (s3api) on this machine, and the overhead of the uploads is their ratio.
 *
 *   npm run bench:capture -- --kbps 2500 --levels 10,25,50,100,150 --seconds 10 [--storage s3]
 *   npm run bench:capture -- --nodes 2 --levels 50,100   (see nodes.ts)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { s3Environment, startSwift } from '@showrec/infra';
import { ChildProcesses } from '@showrec/infra/processes';
import { LocalStore, S3Store, s3SettingsFromEnv, type MediaStore } from '@showrec/media-store';
import { SegmentUploader } from '@showrec/show-server/src/capture/segment-uploader.ts';
import {
  DEFAULT_RECORDER_PROCESSES,
  RecorderPool,
} from '@showrec/show-server/src/capture/recorder/recorder-pool.ts';
import { TakeRecorder } from '@showrec/show-server/src/capture/take-recorder.ts';
import { admitPhone } from '@showrec/show-server/src/capture/capacity.ts';
import { createLogger } from '@showrec/show-server/src/logger.ts';
import { mediaCodecs } from '@showrec/show-server/src/sfu/media-codecs.ts';
import {
  createRtpPhoneProducers,
  startRtpPhone,
  type RtpPhone,
} from '@showrec/show-server/src/test-support/rtp-phone.ts';
import { recorderPids, totalCpuSeconds } from './cpu.ts';
import { RtpLoad, type ClipPackets } from './rtp-load.ts';
import { benchNodes } from './nodes.ts';
import { phoneClip, takeShape } from './take-shape.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { values } = parseArgs({
  options: {
    levels: { type: 'string', default: '10,25,50,100,150' },
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string', default: String(os.cpus().length) },
    'recorder-processes': { type: 'string', default: String(DEFAULT_RECORDER_PROCESSES) },
    // The audience app's cap on a phone's video; real 720p cameras fill it.
    kbps: { type: 'string', default: '2500' },
    senders: { type: 'string', default: 'node' },
    // Admit phones as a show-server would (capture/capacity.ts): the rest are refused.
    'capacity-streams': { type: 'string' },
    'capacity-mbps': { type: 'string' },
    storage: { type: 'string', default: 'local' },
    'segment-seconds': { type: 'string', default: '10' },
    nodes: { type: 'string' },
  },
});
if (!['local', 's3'].includes(values.storage)) throw new Error('--storage is local or s3');
const segmentSeconds = Number(values['segment-seconds']);
const capacity =
  values['capacity-streams'] || values['capacity-mbps']
    ? {
        streams: Number(values['capacity-streams'] ?? Infinity),
        mbps: Number(values['capacity-mbps'] ?? Infinity),
        phoneMbps: 2.6,
      }
    : null;
if (!['node', 'ffmpeg'].includes(values.senders)) throw new Error('--senders is node or ffmpeg');
const kbps = Number(values.kbps);
const levels = values.levels.split(',').map(Number);
const seconds = Number(values.seconds);
const FPS = 30;

interface LevelResult {
  storage: 'local' | 's3';
  /** Phones that asked to be recorded; `recorded` of them were admitted, the rest refused. */
  streams: number;
  recorded: number;
  showrecCpuPerStream: number;
  /** Of which the mediasoup workers (the rest is the recorders' ffmpeg). */
  sfuCpuPerStream: number;
  senderCpuPerStream: number;
  /** Packets the node sender skipped because it fell behind (they count as loss at the SFU). */
  senderSkippedPercent: number;
  floorCpuPerStream: number;
  lossPercent: number;
  complete: number;
  framesPercent: number;
  /** Files whose first video frame is a keyframe. */
  openOnKeyframe: number;
  /** The largest gap between where a file's audio and its video end. */
  worstEndGapMs: number;
  /** This process: the segment uploaders (the show-server's own work). */
  processCpuPerStream: number;
  /** The object store's servers (on another machine in a real deployment). */
  storeCpuPerStream: number;
  segmentsStored: number;
  /** From the stop to every take's last segment confirmed by the store. */
  finishMs: number;
}

/** CPU seconds this process has used. */
const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** The floor: as many bare ffmpeg stream copies of the clip, in real time, for `seconds`. */
async function floorCpuPerStream(streams: number, clip: string): Promise<number> {
  const processes = new ChildProcesses();
  const copies = await Promise.all(
    Array.from({ length: streams }, () =>
      // prettier-ignore
      processes.spawn('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', clip,
        '-map', '0', '-c', 'copy', '-f', 'matroska', '-y', '/dev/null',
      ], { stdio: ['ignore', 'ignore', 'ignore'] }),
    ),
  );
  await sleep(1000);
  const pids = copies.map((c) => c.process.pid!);
  const before = { cpu: totalCpuSeconds(pids), at: Date.now() };
  await sleep(seconds * 1000);
  const cpu = totalCpuSeconds(pids) - before.cpu;
  const wall = (Date.now() - before.at) / 1000;
  await processes.stopAll('SIGKILL');
  return (cpu / wall / streams) * 100;
}

async function runLevel(
  storage: { kind: 'local' | 's3'; media: MediaStore; pids: number[] },
  streams: number,
  clip: string,
  clipPackets: ClipPackets,
  phoneBps: number,
  workers: ms.Worker[],
  dir: string,
): Promise<LevelResult> {
  const logger = createLogger('silent');
  const routers = await Promise.all(workers.map((w) => w.createRouter({ mediaCodecs })));
  const processes = new ChildProcesses();
  const pool = new RecorderPool(processes, {
    size: Number(values['recorder-processes']),
    logger,
  });
  const load = values.senders === 'node' ? new RtpLoad(clipPackets) : null;
  const phones: Array<Omit<RtpPhone, 'sender'> & { sender: RtpPhone['sender'] | null }> = [];
  for (let i = 0; i < streams; i++) {
    const router = routers[i % routers.length]!;
    if (capacity) {
      try {
        // What the server measures of its phones in steady state: each sends the clip's bitrate.
        admitPhone(capacity, phones.length, phones.length * phoneBps);
      } catch {
        continue;
      }
    }
    if (!load) {
      phones.push(await startRtpPhone(router, clip));
      continue;
    }
    const phone = await createRtpPhoneProducers(router, 'vp8', true);
    load.add(phone.targets);
    phones.push({ producers: phone.producers, sender: null, close: async () => phone.close() });
  }
  const recorded = phones.length;
  await sleep(1500);
  const folders = phones.map((_, i) => `takes/bench/${storage.kind}-${streams}-${i}/`);
  const recorders = await Promise.all(
    phones.map(async (phone, i) => {
      await mkdir(path.join(dir, folders[i]!), { recursive: true });
      return TakeRecorder.start({
        router: routers[i % routers.length]!,
        producers: phone.producers,
        recorders: pool,
        takeId: folders[i]!,
        dir: path.join(dir, folders[i]!),
        segmentSeconds,
        logger,
      });
    }),
  );
  const uploaders = folders.map(
    (prefix) =>
      new SegmentUploader({ media: storage.media, processes, dataDir: dir }, prefix, logger),
  );
  await sleep(1000);
  const showrecPids = [...workers.map((w) => w.pid), ...recorderPids(recorders)];
  const senderPids = phones.flatMap((p) => (p.sender ? [p.sender.pid!] : []));
  const senderCpu = () => totalCpuSeconds(load ? [load.pid] : senderPids);
  const sfuPids = workers.map((w) => w.pid);
  const before = {
    sfu: totalCpuSeconds(sfuPids),
    showrec: totalCpuSeconds(showrecPids),
    senders: senderCpu(),
    process: ownCpuSeconds(),
    store: totalCpuSeconds(storage.pids),
    at: Date.now(),
  };
  const statsBefore = await Promise.all(
    phones.flatMap((p) => p.producers.map((pr) => pr.getStats())),
  );
  await sleep(seconds * 1000);
  const wall = (Date.now() - before.at) / 1000;
  const showrecCpu = totalCpuSeconds(showrecPids) - before.showrec;
  const sfuCpu = totalCpuSeconds(sfuPids) - before.sfu;
  const sendersCpu = senderCpu() - before.senders;
  const processCpu = ownCpuSeconds() - before.process;
  const storeCpu = totalCpuSeconds(storage.pids) - before.store;
  const statsAfter = await Promise.all(
    phones.flatMap((p) => p.producers.map((pr) => pr.getStats())),
  );
  await Promise.all(recorders.map((r) => r.stop()));
  const stoppedAt = Date.now();
  const stored = await Promise.all(uploaders.map((u) => u.finish()));
  const finishMs = Date.now() - stoppedAt;
  await pool.close();
  const sent = await load?.close();
  for (const phone of phones) await phone.close();
  for (const router of routers) router.close();

  const sum = (all: ms.ProducerStat[][], key: 'packetCount' | 'packetsLost') =>
    all.flat().reduce((s, x) => s + Math.max(0, x[key] ?? 0), 0);
  const packets = sum(statsAfter, 'packetCount') - sum(statsBefore, 'packetCount');
  const lost = sum(statsAfter, 'packetsLost') - sum(statsBefore, 'packetsLost');
  // Every take must hold at least the measured window; the simulated phones send a keyframe each
  // second and can't answer keyframe requests, so a take may open up to a second after its start.
  const expected = seconds * FPS;
  const shapes = [];
  for (const { segments } of stored)
    shapes.push(await takeShape(storage.media, segments, path.join(dir, 'scratch')));
  const frames = shapes.map((sh) => sh.frames);
  for (const { segments } of stored) for (const s of segments) await storage.media.remove(s.key);
  return {
    storage: storage.kind,
    streams,
    recorded,
    showrecCpuPerStream: (showrecCpu / wall / recorded) * 100,
    sfuCpuPerStream: (sfuCpu / wall / recorded) * 100,
    senderCpuPerStream: (sendersCpu / wall / recorded) * 100,
    senderSkippedPercent: sent ? (sent.skipped / Math.max(1, sent.sent + sent.skipped)) * 100 : 0,
    floorCpuPerStream: await floorCpuPerStream(recorded, clip),
    lossPercent: packets > 0 ? (lost / (packets + lost)) * 100 : 100,
    complete: frames.filter((f) => f >= expected * 0.99).length,
    framesPercent: (frames.reduce((s, f) => s + f, 0) / (expected * recorded)) * 100,
    openOnKeyframe: shapes.filter((sh) => sh.keyframeFirst).length,
    worstEndGapMs: Math.max(...shapes.map((sh) => sh.endGapMs)),
    processCpuPerStream: (processCpu / wall / recorded) * 100,
    storeCpuPerStream: (storeCpu / wall / recorded) * 100,
    segmentsStored: stored.reduce((n, s) => n + s.segments.length, 0),
    finishMs,
  };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'showrec-bench-'));
const clip = path.join(dir, 'phone.webm');
const { measuredKbps, packets: clipPackets } = await phoneClip(clip, kbps);
if (values.nodes) {
  console.log(
    `bench/capture: ${os.cpus().length} cores, ${seconds} s per level, 1280x720 VP8 + Opus at 30 fps, video asked at ${kbps} kb/s, measured ${measuredKbps.toFixed(0)} kb/s, node senders`,
  );
  await benchNodes({
    nodes: Number(values.nodes),
    levels,
    seconds,
    dir,
    packets: clipPackets,
    phoneBps: (measuredKbps + 64) * 1000,
    capacityStreams: Number(values['capacity-streams'] ?? os.cpus().length * 50),
    segmentSeconds,
  });
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}
const workers = await Promise.all(
  Array.from({ length: Number(values.workers) }, () =>
    mediasoup.createWorker({ logLevel: 'error', rtcMinPort: 40000, rtcMaxPort: 44999 }),
  ),
);
console.log(
  `bench/capture: ${os.cpus().length} cores, ${workers.length} mediasoup workers, ${seconds} s per level, 1280x720 VP8 + Opus at 30 fps, video asked at ${kbps} kb/s, measured ${measuredKbps.toFixed(0)} kb/s, ${values.senders} senders`,
);
const backends: Array<{ kind: 'local' | 's3'; media: MediaStore; pids: number[] }> = [
  { kind: 'local', media: new LocalStore(dir), pids: [] },
];
const swift = values.storage === 's3' ? await startSwift({ dir: path.join(dir, 'swift') }) : null;
if (swift) {
  const media = await S3Store.open(s3SettingsFromEnv(s3Environment(swift, 'bench-capture'))!);
  backends.push({ kind: 's3', media, pids: swift.pids() });
}
const results: LevelResult[] = [];
for (const streams of levels) {
  const phoneBps = (measuredKbps + 64) * 1000;
  const level: LevelResult[] = [];
  for (const backend of backends) {
    const result = await runLevel(backend, streams, clip, clipPackets, phoneBps, workers, dir);
    results.push(result);
    level.push(result);
  }
  const local = level[0]!;
  console.table(
    level.map((result) => ({
      streams,
      storage: result.storage,
      ...(capacity ? { recorded: result.recorded, refused: streams - result.recorded } : {}),
      'showrec CPU %/stream': result.showrecCpuPerStream.toFixed(2),
      'of which SFU': result.sfuCpuPerStream.toFixed(2),
      [`${values.senders} senders %/stream`]: result.senderCpuPerStream.toFixed(2),
      'this process (uploads) %/stream': result.processCpuPerStream.toFixed(2),
      'bare ffmpeg copy CPU %/stream': result.floorCpuPerStream.toFixed(2),
      'ratio showrec/bare': (result.showrecCpuPerStream / result.floorCpuPerStream).toFixed(2),
      ...(swift
        ? {
            'store CPU %/stream': result.storeCpuPerStream.toFixed(2),
            'ratio vs local (showrec + process)': (
              (result.showrecCpuPerStream + result.processCpuPerStream) /
              (local.showrecCpuPerStream + local.processCpuPerStream)
            ).toFixed(2),
          }
        : {}),
      'loss %': result.lossPercent.toFixed(3),
      'of which the sender skipped %': result.senderSkippedPercent.toFixed(3),
      'files complete': `${result.complete}/${result.recorded}`,
      'frames vs window %': result.framesPercent.toFixed(1),
      'open on a keyframe': `${result.openOnKeyframe}/${result.recorded}`,
      'worst A/V end gap ms': result.worstEndGapMs.toFixed(0),
      'segments stored': result.segmentsStored,
      'stop → all stored ms': result.finishMs,
    })),
  );
}
for (const backend of backends) backend.media.close();
await swift?.stop();
for (const w of workers) w.close();
for (const { kind } of backends) {
  const held = results
    .filter(
      (r) =>
        r.storage === kind &&
        r.lossPercent < 1 &&
        r.complete === r.recorded &&
        r.openOnKeyframe === r.recorded &&
        r.worstEndGapMs <= 100,
    )
    .map((r) => r.streams);
  console.log(
    `${kind} storage: highest level held with loss < 1%, every take complete, opening on a keyframe, audio and video ending within 100 ms: ${held.length ? Math.max(...held) : 'none'} streams`,
  );
}
await rm(dir, { recursive: true, force: true });
