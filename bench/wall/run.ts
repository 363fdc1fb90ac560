/**
 * bench/wall: what the audience wall costs while every phone is recorded.
 *
 * N simulated phones send three simulcast layers each (320x180 at 120 kb/s, 640x360 at 400 kb/s,
 * 1280x720 at 2500 kb/s: generated VP8 with film grain, so each layer really costs its bitrate)
 * plus Opus, from this one process, into a show's router; the real TakeRecorder records every one
 * (its top layer). Then screens watch them as show-server's own code decides (wall/viewer.ts,
 * view-routers.ts, viewer-budget.ts): a stage in Chromium showing a 16-tile wall, then a 48-tile
 * wall, each beside `--panels` control panels (a page of 25 tiles each), every screen a real
 * Chromium page receiving over WebRTC (at the lowest CPU priority: at a show the screens are other
 * machines). Phases run one after another in the same run:
 *
 *   recording only → 16-tile wall + panels (piped, then on the recording router) → 48-tile, same
 *
 * "piped" is how show-server places screens: on the workers that do not record the show, fed by
 * pipeToRouter; "recording router" puts them on the recording router itself, for comparison.
 * and per phase it prints mediasoup CPU (per phone, and per consumer beyond recording only), Mb/s
 * sent to each screen, Chromium's decoded frames per second per tile and frames dropped, and the
 * loss on the recorded streams, side by side with the phase without screens.
 *
 *   npm run bench:wall -- --phones 48 --panels 2 --seconds 10
 */
import { createServer } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { chromium, type Page } from 'playwright-core';
import { Server } from 'socket.io';
import { freeTcpPort, makeClip } from '@showrec/infra';
import { ChildProcesses } from '@showrec/infra/processes';
import { storedShowSchema, wallGrid, type ViewerConsumer } from '@showrec/protocol';
import {
  DEFAULT_RECORDER_PROCESSES,
  RecorderPool,
} from '@showrec/show-server/src/capture/recorder/recorder-pool.ts';
import { Room } from '@showrec/show-server/src/capture/room.ts';
import { TakeRecorder } from '@showrec/show-server/src/capture/take-recorder.ts';
import { createLogger } from '@showrec/show-server/src/logger.ts';
import { ViewRouters } from '@showrec/show-server/src/wall/view-routers.ts';
import { Viewer } from '@showrec/show-server/src/wall/viewer.ts';
import { planTiles, type TileRequest } from '@showrec/show-server/src/wall/viewer-budget.ts';
import { recorderPids, totalCpuSeconds } from '../capture/cpu.ts';
import { recordClipPackets, RtpLoad, type ClipPackets } from '../capture/rtp-load.ts';
import { LAYERS, simulcastPhone, type SimulcastPhone } from './simulcast-phone.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const { values } = parseArgs({
  options: {
    phones: { type: 'string', default: '48' },
    panels: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string', default: String(os.cpus().length) },
    'viewer-mbps': { type: 'string', default: '12' },
  },
});
const phoneCount = Number(values.phones);
const panelCount = Number(values.panels);
const seconds = Number(values.seconds);
const budget = { maxTiles: 48, maxBps: Number(values['viewer-mbps']) * 1e6 };
const logger = createLogger('silent');
const dir = await mkdtemp(path.join(os.tmpdir(), 'showrec-bench-wall-'));

// The phones' layers, made once and replayed by every phone.
const layerPackets: ClipPackets[] = [];
for (const layer of LAYERS) {
  const file = path.join(dir, `layer-${layer.height}.webm`);
  // prettier-ignore
  await makeClip(file, {
    seconds: 20, format: 'vp8-opus-webm', width: layer.width, height: layer.height,
    kbps: layer.kbps, grain: true,
  });
  layerPackets.push(await recordClipPackets(file, 20));
}
const workers = await Promise.all(
  Array.from({ length: Number(values.workers) }, () =>
    mediasoup.createWorker({ logLevel: 'error', rtcMinPort: 40000, rtcMaxPort: 44999 }),
  ),
);
const rtc = { listenIp: '127.0.0.1', announcedIp: '127.0.0.1' };
const show = storedShowSchema.parse({
  id: 'benchwall01',
  title: 'bench',
  joinCode: 'BENCH2',
  hostKeyHash: 'x',
  crewKeyHash: 'x',
  createdAt: new Date().toISOString(),
  capture: { running: true, startedAt: Date.now() },
});
const room = await Room.create(show, workers[0]!, rtc, logger);
/** Screens on the other workers, fed by pipeToRouter (as show-server does), or on the recording router. */
const placements = {
  piped: new ViewRouters(room, { workers: () => workers }),
  'recording router': new ViewRouters(room, { workers: () => [room.worker] }),
};
type Placement = keyof typeof placements;

const load = new RtpLoad(layerPackets[2]!);
const phones: SimulcastPhone[] = [];
for (let i = 0; i < phoneCount; i++) {
  const phone = await simulcastPhone(room.router);
  load.addStreams([
    ...phone.targets.layers.map((target, l) => ({ track: layerPackets[l]!.video, target })),
    { track: layerPackets[2]!.audio, target: phone.targets.audio },
  ]);
  phones.push(phone);
}
await sleep(1500);
const processes = new ChildProcesses();
const pool = new RecorderPool(processes, { size: DEFAULT_RECORDER_PROCESSES, logger });
const recorders = await Promise.all(
  phones.map(async (phone, i) => {
    const takeDir = path.join(dir, 'takes', String(i));
    await mkdir(takeDir, { recursive: true });
    return TakeRecorder.start({
      router: room.router,
      producers: [phone.producers.video, phone.producers.audio],
      recorders: pool,
      takeId: String(i),
      dir: takeDir,
      segmentSeconds: 10,
      logger,
    });
  }),
);
const ids = phones.map((_, i) => `phone${String(i).padStart(3, '0')}`);
const sources = new Map(phones.map((p, i) => [ids[i]!, p.producers.video]));
const rates = new Map(ids.map((id) => [id, LAYERS.map((l) => l.kbps * 1000)]));

// The screens' page, its script bundled from viewer-client.ts.
const bundle = await build({
  entryPoints: [path.join(import.meta.dirname, 'viewer-client.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'browser',
});
const script = bundle.outputFiles[0]!.text;
const html = `<!doctype html><style>body{margin:0;background:#000}#grid{display:grid;width:100vw;height:100vh}video{width:100%;height:100%;object-fit:cover}</style><div id="grid"></div><script type="module" src="/client.js"></script>`;
const http = createServer((req, res) => {
  const isScript = req.url === '/client.js';
  res.writeHead(200, { 'content-type': isScript ? 'text/javascript' : 'text/html' });
  res.end(isScript ? script : html);
});
const socketServer = new Server(http);
const port = await freeTcpPort();
await new Promise<void>((r) => http.listen(port, '127.0.0.1', r));
// The screens run on other machines at a show: here Chromium gets what CPU the server leaves.
const niceChromium = path.join(dir, 'chromium-nice.sh');
await writeFile(
  niceChromium,
  `#!/bin/sh\nexec nice -n 19 ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} "$@"\n`,
  { mode: 0o755 },
);
const browser = await chromium.launch({
  executablePath: niceChromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

interface Screen {
  name: string;
  page: Page;
  viewer: Viewer;
  tiles: TileRequest[];
}

/** A screen in Chromium, receiving the tiles show-server would give it. */
async function openScreen(
  name: string,
  tiles: TileRequest[],
  columns: number,
  views: ViewRouters,
): Promise<Screen> {
  const router = await views.take();
  const connected = new Promise<import('socket.io').Socket>((resolve) =>
    socketServer.once('connection', resolve),
  );
  const page = await (
    await browser.newContext({ viewport: { width: 1920, height: 1080 } })
  ).newPage();
  await page.goto(`http://127.0.0.1:${port}/?columns=${columns}`);
  const socket = await connected;
  const rtpCapabilities = (await socket
    .timeout(10_000)
    .emitWithAck('setup', router.rtpCapabilities)) as ms.RtpCapabilities;
  const viewer = new Viewer(
    name,
    name === 'stage' ? 'stage' : 'host',
    show.id,
    router,
    {
      consume: async (c: ViewerConsumer) =>
        (await socket
          .timeout(10_000)
          .emitWithAck('consume', c)
          .catch(() => false)) === true,
      closed: (id) => socket.emit('close-consumer', id),
      state: () => undefined,
    },
    logger,
  );
  const transport = await router.createWebRtcTransport({
    listenIps: [{ ip: rtc.listenIp, announcedIp: rtc.announcedIp }],
    enableUdp: true,
    initialAvailableOutgoingBitrate: 4_000_000,
  });
  await transport.setMaxOutgoingBitrate(budget.maxBps);
  socket.on('connect-transport', (dtlsParameters: ms.DtlsParameters, ack: () => void) => {
    void transport.connect({ dtlsParameters }).then(ack);
  });
  await socket.timeout(10_000).emitWithAck('transport', {
    id: transport.id,
    iceParameters: transport.iceParameters,
    iceCandidates: transport.iceCandidates,
    dtlsParameters: transport.dtlsParameters,
  });
  viewer.transport = transport;
  viewer.rtpCapabilities = rtpCapabilities;
  await viewer.apply(planTiles(tiles, rates, budget), sources, (producer) =>
    views.producerOn(router, producer),
  );
  return { name, page, viewer, tiles };
}

type Decoded = Array<{ framesDecoded: number; framesDropped: number; frameHeight: number }>;
const decoded = (screen: Screen) =>
  screen.page.evaluate(() =>
    (window as unknown as { benchStats: () => Promise<unknown> }).benchStats(),
  ) as Promise<Decoded>;

/** Packets and losses on the recorded streams (every layer and the audio, as they arrive). */
async function arrivals(): Promise<{ packets: number; lost: number }> {
  const stats = (
    await Promise.all(
      phones.flatMap((p) => [p.producers.video.getStats(), p.producers.audio.getStats()]),
    )
  ).flat();
  return {
    packets: stats.reduce((s, x) => s + (x.packetCount ?? 0), 0),
    lost: stats.reduce((s, x) => s + Math.max(0, x.packetsLost ?? 0), 0),
  };
}

interface PhaseResult {
  phase: string;
  sfuCpuPct: number;
  /** Of which the worker recording the show. */
  recordingWorkerCpuPct: number;
  recorderCpuPct: number;
  lossPct: number;
  screens: Array<{
    name: string;
    tiles: number;
    mbps: number;
    fps: number;
    dropped: number;
    height: number;
  }>;
}

async function measure(phase: string, screens: Screen[]): Promise<PhaseResult> {
  await sleep(3000);
  const sfuPids = workers.map((w) => w.pid);
  const recorderProcesses = recorderPids(recorders);
  const before = {
    sfu: totalCpuSeconds(sfuPids),
    recordingWorker: totalCpuSeconds([room.worker.pid]),
    recorders: totalCpuSeconds(recorderProcesses),
    arrivals: await arrivals(),
    decoded: await Promise.all(screens.map(decoded)),
    sent: await Promise.all(
      screens.map(async (s) => (await s.viewer.transport!.getStats())[0]!.bytesSent),
    ),
    at: Date.now(),
  };
  await sleep(seconds * 1000);
  const wall = (Date.now() - before.at) / 1000;
  const after = {
    arrivals: await arrivals(),
    decoded: await Promise.all(screens.map(decoded)),
    sent: await Promise.all(
      screens.map(async (s) => (await s.viewer.transport!.getStats())[0]!.bytesSent),
    ),
  };
  const packets = after.arrivals.packets - before.arrivals.packets;
  const lost = after.arrivals.lost - before.arrivals.lost;
  return {
    phase,
    sfuCpuPct: ((totalCpuSeconds(sfuPids) - before.sfu) / wall) * 100,
    recordingWorkerCpuPct:
      ((totalCpuSeconds([room.worker.pid]) - before.recordingWorker) / wall) * 100,
    recorderCpuPct: ((totalCpuSeconds(recorderProcesses) - before.recorders) / wall) * 100,
    lossPct: (lost / Math.max(1, packets + lost)) * 100,
    screens: screens.map((screen, i) => {
      const now = after.decoded[i]!;
      const then = before.decoded[i]!;
      const frames =
        now.reduce((s, t) => s + t.framesDecoded, 0) -
        then.reduce((s, t) => s + t.framesDecoded, 0);
      const dropped =
        now.reduce((s, t) => s + t.framesDropped, 0) -
        then.reduce((s, t) => s + t.framesDropped, 0);
      return {
        name: screen.name,
        tiles: now.length,
        mbps: ((after.sent[i]! - before.sent[i]!) * 8) / wall / 1e6,
        fps: frames / wall / Math.max(1, now.length),
        dropped,
        height: Math.max(0, ...now.map((t) => t.frameHeight)),
      };
    }),
  };
}

const wallTiles = (layout: number): TileRequest[] =>
  ids.slice(0, layout).map((participantId) => ({
    participantId,
    heightPx: 1080 / wallGrid(layout).rows,
    priority: false,
  }));
const panelTiles = (page: number): TileRequest[] =>
  ids
    .slice(page * 25, page * 25 + 25)
    .map((participantId) => ({ participantId, heightPx: 135, priority: false }));

async function withScreens(layout: number, placement: Placement): Promise<PhaseResult> {
  const views = placements[placement];
  const screens = [await openScreen('stage', wallTiles(layout), wallGrid(layout).columns, views)];
  for (let p = 0; p < panelCount; p++) {
    const tiles = panelTiles(p % Math.ceil(phoneCount / 25));
    screens.push(await openScreen(`panel ${p + 1}`, tiles, 5, views));
  }
  const result = await measure(`${layout}-tile wall + panels, ${placement}`, screens);
  for (const screen of screens) {
    screen.viewer.close();
    views.release(screen.viewer.router);
    await screen.page.context().close();
  }
  return result;
}

console.log(
  `bench/wall: ${os.cpus().length} cores, ${workers.length} mediasoup workers, ${phoneCount} phones (3 simulcast layers: ${LAYERS.map((l) => `${l.height}p ${l.kbps} kb/s`).join(', ')} + Opus) all recorded, ${panelCount} control panels, ${seconds} s per phase, ${budget.maxBps / 1e6} Mb/s per screen`,
);
const results = [
  await measure('recording only', []),
  await withScreens(16, 'piped'),
  await withScreens(16, 'recording router'),
  await withScreens(48, 'piped'),
  await withScreens(48, 'recording router'),
];
const base = results[0]!;
console.table(
  results.map((r) => {
    const consumers = r.screens.reduce((s, x) => s + x.tiles, 0);
    return {
      phase: r.phase,
      'SFU CPU %': r.sfuCpuPct.toFixed(1),
      'of which the recording worker': r.recordingWorkerCpuPct.toFixed(1),
      'SFU CPU % per phone': (base.sfuCpuPct / phoneCount).toFixed(2),
      consumers,
      'SFU CPU % per consumer': consumers
        ? ((r.sfuCpuPct - base.sfuCpuPct) / consumers).toFixed(3)
        : '-',
      'recorders CPU %': r.recorderCpuPct.toFixed(1),
      'recorded loss %': r.lossPct.toFixed(3),
      'loss vs recording only': r === base ? '-' : (r.lossPct - base.lossPct).toFixed(3),
    };
  }),
);
console.table(
  results.slice(1).flatMap((r) =>
    r.screens.map((s) => ({
      phase: r.phase,
      screen: s.name,
      tiles: s.tiles,
      'Mb/s sent': s.mbps.toFixed(2),
      'decoded fps per tile': s.fps.toFixed(1),
      'frames dropped': s.dropped,
      'largest picture': `${s.height}p`,
    })),
  ),
);
const worstLoss = Math.max(...results.map((r) => r.lossPct));
console.log(
  `recorded loss: ${base.lossPct.toFixed(3)} % without screens, worst ${worstLoss.toFixed(3)} % with them (${worstLoss < 1 ? 'under' : 'OVER'} 1 %)`,
);

await browser.close();
socketServer.close();
http.close();
await Promise.all(recorders.map((r) => r.stop()));
await load.close();
for (const phone of phones) phone.close();
for (const views of Object.values(placements)) views.close();
room.close();
await processes.stopAll('SIGKILL');
for (const worker of workers) worker.close();
await rm(dir, { recursive: true, force: true });
process.exit(0);
