import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { ChildProcesses } from '@showrec/infra/processes';
import { createRedisConnection, describeRedis, warnOfDurability } from '@showrec/infra/redis';
import { openMediaStore, type MediaStore } from '@showrec/media-store';
import { createAdapter } from '@socket.io/redis-adapter';
import { CaptureReconciler } from './capture/capture-reconciler.js';
import { CaptureService } from './capture/capture-service.js';
import { DiskGuard } from './capture/disk-guard.js';
import { LastTakes } from './capture/last-takes.js';
import { PhoneRegistry } from './capture/phone-registry.js';
import { RecorderPool } from './capture/recorder/recorder-pool.js';
import { TakeRecovery } from './capture/take-recovery.js';
import { TakeStore } from './capture/take-store.js';
import { LoadWatch } from './capture/load-watch.js';
import { defaultUdpReceiveBuffer, UDP_RECEIVE_BUFFER_BYTES } from './capture/udp-sockets.js';
import { loadConfig } from './config.js';
import { createApp } from './http/app.js';
import { createLogger } from './logger.js';
import { OscServer } from './osc/osc-server.js';
import {
  createEditQueue,
  createTakeQueue,
  enqueuePhoneCopy,
  enqueueTake,
} from './queue/take-queue.js';
import { UploadService } from './capture/upload-service.js';
import { EditRequests } from './records/edit-requests.js';
import { RecordReader } from './records/record-reader.js';
import { Contributors } from './records/contributors.js';
import { CollectionStore } from './collections/collection-store.js';
import { summarizeShows } from './shows/show-summaries.js';
import { RemixUploads } from './records/remix-upload.js';
import { ReviewBoards } from './records/review-board.js';
import { ReviewNotices } from './records/review-notices.js';
import { ReviewStore } from './records/review-store.js';
import { WorkerPool } from './sfu/worker-pool.js';
import { ShowChanges } from './shows/show-changes.js';
import { ShowControl } from './shows/show-control.js';
import { newId } from './shows/secrets.js';
import { drainNode } from './nodes/drain.js';
import { NodeHeartbeat } from './nodes/node-heartbeat.js';
import { NodeRegistry, type DrainMode } from './nodes/node-registry.js';
import { Placement } from './nodes/placement.js';
import type { NodeInfo } from '@showrec/protocol';
import { ShowStore } from './shows/show-store.js';
import { ShowViews } from './shows/show-views.js';
import { ReviewEvents } from './socket/review-events.js';
import { attachSocketServer } from './socket/socket-server.js';
import { DownloadLinks } from './http/download-links.js';
import { JoinAttempts } from './http/join-attempts.js';
import { WallService } from './wall/wall-service.js';
import { withTimeout } from './with-timeout.js';

const config = loadConfig();

const serverId = newId();
const logger = createLogger(config.logLevel).child({ serverId });
let media: MediaStore;
try {
  media = await openMediaStore(config.s3, config.dataDir);
} catch (err) {
  logger.fatal((err as Error).message);
  process.exit(1);
}
const redisLog = logger.child({ component: 'redis' });
const redis = createRedisConnection(config.redis, redisLog);
warnOfDurability(redis, redisLog);
const queue = createTakeQueue(redis, logger);
const edits = createEditQueue(redis, logger);
const pool = await WorkerPool.create({
  size: config.mediasoupWorkers,
  rtcMinPort: config.rtc.minPort,
  rtcMaxPort: config.rtc.maxPort,
  logger,
});
const processes = new ChildProcesses();
const shows = new ShowStore(redis);
const takes = new TakeStore(redis);
const phones = new PhoneRegistry(redis);
const nodes = new NodeRegistry(redis);
const load = new LoadWatch(config.load);
const startedAt = Date.now();
const disk = new DiskGuard(config.dataDir, config.minFreeMb);
const views = new ShowViews(
  shows,
  phones,
  takes,
  disk,
  (show) => `${config.publicUrl ?? ''}/join/${show.joinCode}`,
);
const uploads = new UploadService({
  redis,
  takes,
  disk,
  dataDir: config.dataDir,
  media,
  maxBytes: config.maxUploadBytes,
  processes,
  enqueuePhoneCopy: (takeId) => enqueuePhoneCopy(queue, takeId),
  logger,
});
const capture = new CaptureService({
  uploads,
  shows,
  takes,
  phones,
  lastTakes: new LastTakes(redis),
  disk,
  enqueueTake: (takeId) => enqueueTake(queue, takeId),
  pool,
  recorders: new RecorderPool(processes, { size: config.recorderProcesses, logger }),
  processes,
  rtc: { listenIp: config.rtc.listenIp, announcedIp: config.rtc.announcedIp },
  dataDir: config.dataDir,
  media,
  segmentSeconds: config.segmentSeconds,
  serverId,
  limits: config.limits,
  capacity: config.capacity,
  load,
  logger,
});
const wall = new WallService({
  capture,
  shows,
  phones,
  pool,
  rtc: { listenIp: config.rtc.listenIp, announcedIp: config.rtc.announcedIp },
  budget: { maxTiles: config.wall.maxTiles, maxBps: config.wall.viewerBps },
  maxViewersPerShow: config.wall.maxViewersPerShow,
  logger,
});
const joinAttempts = new JoinAttempts(redis, config.limits.joinPerMinute);
async function describeNode(): Promise<NodeInfo> {
  const now = await capture.load();
  return {
    id: serverId,
    url: config.nodeUrl,
    rtcAddress: config.rtc.announcedIp,
    capacity: { streams: config.capacity.streams, mbps: config.capacity.mbps },
    load: { phones: now.phones, streams: now.streams, bps: now.bps, sfuCpu: load.sample.sfuCpu },
    full: now.full,
    draining: capture.draining !== null,
    startedAt,
    updatedAt: Date.now(),
  };
}
const placement = new Placement({
  registry: nodes,
  node: { id: serverId, url: config.nodeUrl },
  self: describeNode,
  noteRefused: (showId, reason) => phones.noteRefused(showId, reason),
  publish: () => heartbeat.beat(),
});
const heartbeat = new NodeHeartbeat(
  nodes,
  describeNode,
  (mode) => void drainThenStop(mode, 'asked through Redis'),
  logger,
);
const recovery = new TakeRecovery({
  redis,
  nodes,
  takes,
  enqueueTake: (takeId) => enqueueTake(queue, takeId),
  requestPhoneCopy: (take) => capture.askForPhoneCopy(take),
  dataDir: config.dataDir,
  media,
  processes,
  serverId,
  logger,
});
recovery.start();
const udpBuffer = await defaultUdpReceiveBuffer();
if (udpBuffer !== null && udpBuffer < UDP_RECEIVE_BUFFER_BYTES)
  logger.warn(
    { rmemDefault: udpBuffer, wanted: UDP_RECEIVE_BUFFER_BYTES },
    `phones will lose packets under load: the kernel's UDP receive buffer is ${udpBuffer} bytes; run as root: sysctl -w net.core.rmem_max=${UDP_RECEIVE_BUFFER_BYTES} net.core.rmem_default=${UDP_RECEIVE_BUFFER_BYTES} (infra/setup.sh does)`,
  );
// Back after an outage or a failover: what the old primary acknowledged last may be gone.
let connectedOnce = redis.status === 'ready';
redis.on('ready', () => {
  if (!connectedOnce) return void (connectedOnce = true);
  capture
    .reassertTakes()
    .catch((err: Error) =>
      logger.error({ err }, 'could not store the takes again after Redis came back'),
    );
});
const changes = ShowChanges.subscribe(redis, logger);
const reconciler = new CaptureReconciler({ shows, capture, changes, logger });
reconciler.start();
const control = new ShowControl({ shows, capture: reconciler, logger });

const records = new RecordReader(redis);
const reviews = new ReviewStore(redis);
const editRequests = new EditRequests(redis, edits);
const remixes = new RemixUploads({
  dataDir: config.dataDir,
  media,
  disk,
  maxBytes: config.maxUploadBytes,
  processes,
  records,
  reviews,
  requests: editRequests,
  logger,
});
const swept = await remixes.sweep();
if (swept > 0) logger.warn({ swept }, 'removed remix uploads a crashed process left unfinished');
const reviewNotices = new ReviewNotices();

const app = createApp({
  health: { redis, pool, queue },
  shows,
  takes,
  records,
  reviews,
  boards: new ReviewBoards({ takes, records, reviews, takeQueue: queue, edits }),
  editRequests,
  remixes,
  reviewChanged: (showId, itemId) => reviewNotices.notify(showId, itemId),
  dataDir: config.dataDir,
  control,
  views,
  adminToken: config.adminToken,
  publicUrl: config.publicUrl,
  webDir: config.webDir,
  media,
  corsOrigins: config.corsOrigins,
  nodeUrls: () => (config.nodeOrigins.length > 0 ? config.nodeOrigins : heartbeat.nodeUrls),
  joinAttempts,
  links: new DownloadLinks(redis, config.downloadLinkTtlMs),
  contributors: new Contributors(redis, shows, records),
  collections: new CollectionStore(redis),
  showSummaries: async () => summarizeShows(redis, await shows.list()),
  uploads,
  logger,
});
// An upload from a phone on venue Wi-Fi (or a long remix) may take many minutes: no limit on a
// whole request, but a connection that sends nothing for the idle timeout is closed.
const httpServer = config.tls
  ? createHttpsServer({ requestTimeout: 0, ...config.tls }, app)
  : createServer({ requestTimeout: 0 }, app);
httpServer.setTimeout(config.httpIdleTimeoutMs);
const { io } = attachSocketServer(httpServer, {
  capture,
  placement,
  joinAttempts,
  control,
  shows,
  views,
  adminToken: config.adminToken,
  corsOrigins: config.corsOrigins,
  eventsPerSecond: config.limits.socketEventsPerSecond,
  uploads,
  wall,
  logger,
});
// Clients of every show-server process on this Redis see the same shows at the same moment.
const adapterPub = redis.duplicate();
const adapterSub = redis.duplicate();
for (const client of [adapterPub, adapterSub]) client.on('error', () => undefined);
io.adapter(createAdapter(adapterPub, adapterSub));
const reviewEvents = new ReviewEvents({
  io,
  redis,
  takeQueue: queue,
  edits,
  takes,
  records,
  notices: reviewNotices,
  logger,
});
reviewEvents.start();

const osc = config.osc ? await OscServer.start(control, shows, config.osc, logger) : null;

httpServer.listen(config.port, () => {
  logger.info(
    {
      port: config.port,
      node: config.nodeUrl,
      redis: describeRedis(config.redis),
      dataDir: config.dataDir,
      store: media.location,
      mediasoupWorkers: pool.size,
      announcedIp: config.rtc.announcedIp,
      osc: config.osc,
      adminToken:
        config.adminTokenSource === 'env'
          ? 'from SHOWREC_ADMIN_TOKEN'
          : `in ${config.dataDir}/admin-token`,
    },
    'show-server listening',
  );
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: finishing takes');
  const force = setTimeout(() => {
    logger.error('shutdown took too long; exiting');
    process.exit(1);
  }, 20_000);
  await osc?.close();
  // Not awaited: it would wait for every idle keep-alive connection to go.
  void io.close();
  recovery.stop();
  reconciler.stop();
  changes.close();
  wall.close();
  await capture.shutdown();
  await processes.stopAll('SIGINT');
  await pool.close();
  // Redis bookkeeping only: with Redis gone (stopping beside us) it cannot finish, and the
  // heartbeat's expiry and recovery say the same in time.
  await withTimeout(
    Promise.all([heartbeat.stop(serverId), reviewEvents.close(), queue.close(), edits.close()]),
    3000,
  ).catch((err: unknown) => logger.warn({ err }, 'Redis did not answer while stopping'));
  for (const client of [adapterPub, adapterSub, redis]) client.disconnect();
  media.close();
  clearTimeout(force);
  logger.info('stopped');
  process.exit(0);
}
// A promise nobody awaited failed (a Redis write refused, say): log it and carry on. Exiting
// would stop every recording in progress for one lost write.
process.on('unhandledRejection', (err) =>
  logger.error({ err }, 'a background task failed; carrying on'),
);
let draining = false;
/**
 * Drains this node, then stops: its phones move to other nodes (at their next cue change, or at
 * once for `now`) and their takes finish here. With no other node to take them, it stops at once.
 */
async function drainThenStop(mode: DrainMode, why: string): Promise<void> {
  if (stopping) return;
  if (draining) {
    if (mode === 'now') await capture.drain('now');
    return;
  }
  // Redis unreachable (it may be stopping beside us): no other node can be told to take the
  // phones, and waiting on it would keep this node from ever stopping.
  const elsewhere = await withTimeout(placement.fallbacks(), 2000).catch(() => []);
  if (elsewhere.length === 0) return shutdown(why);
  draining = true;
  logger.warn({ why, mode, nodes: elsewhere.length }, 'draining before stopping');
  void heartbeat.beat();
  await drainNode(capture, mode, config.drainTimeoutMs, logger);
  await shutdown(why);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
// SIGTERM (systemd, docker stop) drains at the next cue change; a second one moves phones at once.
process.on('SIGTERM', () => void drainThenStop(draining ? 'now' : 'boundary', 'SIGTERM'));
