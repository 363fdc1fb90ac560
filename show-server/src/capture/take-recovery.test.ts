import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRedis, type EmbeddedRedis } from '@showrec/infra';
import { ChildProcesses, identityOf } from '@showrec/infra/processes';
import { redisKeys, takeManifestSchema, type TakeManifest } from '@showrec/protocol';
import { createLogger } from '../logger.js';
import { createTakeQueue, enqueueTake, type TakeQueue } from '../queue/take-queue.js';
import { DiskGuard } from './disk-guard.js';
import { TakeRecovery } from './take-recovery.js';
import { TakeStore } from './take-store.js';
import { UploadService } from './upload-service.js';

const logger = createLogger('silent');

describe('take recovery: open takes of processes that are gone (real Redis, real queue)', () => {
  let redis: EmbeddedRedis;
  let client: Redis;
  let takes: TakeStore;
  let queue: TakeQueue;
  let recovery: TakeRecovery;
  let dataDir: string;
  /** Past the wait after connecting: recovery acts at once. */
  const later = () => Date.now() + 60_000;

  const take = (id: string, over: Partial<TakeManifest>): TakeManifest =>
    takeManifestSchema.parse({
      id,
      showId: 'show-recover1',
      cueId: null,
      participant: { id: 'part-recover1', name: 'Ada' },
      status: 'recording',
      serverId: 'server-gone01',
      startedAt: Date.now() - 10_000,
      endedAt: null,
      endReason: null,
      file: `takes/show-recover1/${id}.mkv`,
      codecs: { audio: 'opus', video: 'VP8' },
      rtp: { audio: null, video: null },
      failure: null,
      ...over,
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-recovery-'));
    redis = await startEmbeddedRedis({ dir: path.join(dataDir, 'redis') });
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    takes = new TakeStore(client);
    queue = createTakeQueue(client, logger);
    const processes = new ChildProcesses();
    const uploads = new UploadService({
      redis: client,
      takes,
      disk: new DiskGuard(dataDir, 0),
      dataDir,
      maxBytes: 1024,
      processes,
      enqueuePhoneCopy: async () => undefined,
      logger,
    });
    recovery = new TakeRecovery({
      redis: client,
      takes,
      enqueueTake: (id) => enqueueTake(queue, id),
      requestPhoneCopy: (t) => uploads.request(t),
      dataDir,
      processes,
      serverId: 'server-here01',
      logger,
    });
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(async () => {
    await queue?.close();
    client?.disconnect();
    await redis?.stop();
  });

  it('queues a take that ended but was never queued, when its process died in between', async () => {
    // What a process leaves when it dies between storing a take as ended and queueing it.
    await takes.save(take('take-rec0001', {}));
    await takes.save(
      take('take-rec0001', {
        status: 'ended',
        endedAt: Date.now() - 1000,
        endReason: 'disconnected',
        uploadRequested: true,
      }),
    );
    expect(await takes.openIds()).toContain('take-rec0001');
    expect(await recovery.recoverOrphans(later())).toContain('take-rec0001');
    expect(await queue.getJob('take-rec0001')).toBeDefined();
    expect(await takes.openIds()).not.toContain('take-rec0001');
    expect(await client.smembers(redisKeys.pendingUploads('part-recover1'))).toContain(
      'take-rec0001',
    );
    // The manifest is as its process left it: nothing is rewritten.
    expect(await takes.get('take-rec0001')).toMatchObject({
      status: 'ended',
      endReason: 'disconnected',
    });
  });

  it('leaves a living process its takes, even with its heartbeat gone (it lost Redis for a while)', async () => {
    const living = identityOf(process.pid)!;
    await takes.save(take('take-rec0002', { serverProcess: living }));
    expect(await recovery.recoverOrphans(later())).not.toContain('take-rec0002');
    expect(await takes.get('take-rec0002')).toMatchObject({ status: 'recording' });
    expect(await queue.getJob('take-rec0002')).toBeUndefined();
  });

  it('gives a living process time to queue what it just ended, then queues it if it did not', async () => {
    await client.set(redisKeys.serverHeartbeat('server-alive1'), '1', 'PX', 60_000);
    await takes.save(take('take-rec0003', { serverId: 'server-alive1' }));
    const endedAt = Date.now();
    await takes.save(
      take('take-rec0003', {
        serverId: 'server-alive1',
        status: 'ended',
        endedAt,
        endReason: 'stopped',
      }),
    );
    expect(await recovery.recoverOrphans(endedAt + 25_000)).not.toContain('take-rec0003');
    expect(await recovery.recoverOrphans(endedAt + 31_000)).toContain('take-rec0003');
    expect(await queue.getJob('take-rec0003')).toBeDefined();
  });

  it('does nothing right after connecting: the others may be reconnecting too', async () => {
    await takes.save(take('take-rec0004', {}));
    expect(await recovery.recoverOrphans(Date.now())).toEqual([]);
    expect(await recovery.recoverOrphans(later())).toContain('take-rec0004');
  });
});
