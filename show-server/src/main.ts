import { createServer } from 'node:http';
import { CaptureService } from './capture/capture-service.js';
import { PortAllocator } from './capture/port-allocator.js';
import { TakeStore } from './capture/take-store.js';
import { loadConfig } from './config.js';
import { createApp } from './http/app.js';
import { createLogger } from './logger.js';
import { createTakeQueue, enqueueTake } from './queue/take-queue.js';
import { RecordReader } from './records/record-reader.js';
import { createRedisConnection } from './redis/redis-connection.js';
import { WorkerPool } from './sfu/worker-pool.js';
import { ShowStore } from './shows/show-store.js';
import { attachSocketServer } from './socket/socket-server.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);

const redis = createRedisConnection(config.redisUrl, logger);
const queue = createTakeQueue(redis, logger);
const pool = await WorkerPool.create({
  size: config.mediasoupWorkers,
  rtcMinPort: config.rtc.minPort,
  rtcMaxPort: config.rtc.maxPort,
  logger,
});
const shows = new ShowStore(redis);
const takes = new TakeStore(redis);
const capture = new CaptureService({
  shows,
  takes,
  enqueueTake: (takeId) => enqueueTake(queue, takeId),
  pool,
  ports: new PortAllocator(config.recorderPorts.min, config.recorderPorts.max),
  rtc: { listenIp: config.rtc.listenIp, announcedIp: config.rtc.announcedIp },
  dataDir: config.dataDir,
  logger,
});

const app = createApp({
  health: { redis, pool, queue },
  shows,
  takes,
  records: new RecordReader(redis),
  capture,
  adminToken: config.adminToken,
  publicUrl: config.publicUrl,
  webDir: config.webDir,
  recordsDir: config.recordsDir,
  logger,
});
const httpServer = createServer(app);
const io = attachSocketServer(httpServer, {
  capture,
  shows,
  adminToken: config.adminToken,
  logger,
});

httpServer.listen(config.port, () => {
  logger.info(
    {
      port: config.port,
      dataDir: config.dataDir,
      mediasoupWorkers: pool.size,
      announcedIp: config.rtc.announcedIp,
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
  io.close();
  await capture.shutdown();
  await pool.close();
  await queue.close();
  redis.disconnect();
  clearTimeout(force);
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
