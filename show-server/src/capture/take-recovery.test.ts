import { mkdir, mkdtemp, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobe, makeClip, startEmbeddedRedis, type EmbeddedRedis } from '@showrec/infra';
import { startTestStore, type TestStore } from '@showrec/media-store/testing';
import { ChildProcesses, identityOf } from '@showrec/infra/processes';
import { redisKeys, takeManifestSchema, type TakeManifest } from '@showrec/protocol';
import { createLogger } from '../logger.js';
import { createTakeQueue, enqueueTake, type TakeQueue } from '../queue/take-queue.js';
import { DiskGuard } from './disk-guard.js';
import { NodeRegistry } from '../nodes/node-registry.js';
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
  let store: TestStore;
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
    store = await startTestStore(dataDir);
    queue = createTakeQueue(client, logger);
    const processes = new ChildProcesses();
    const uploads = new UploadService({
      redis: client,
      takes,
      disk: new DiskGuard(dataDir, 0),
      dataDir,
      media: store.media,
      maxBytes: 1024,
      processes,
      enqueuePhoneCopy: async () => undefined,
      logger,
    });
    recovery = new TakeRecovery({
      redis: client,
      nodes: new NodeRegistry(client),
      takes,
      enqueueTake: (id) => enqueueTake(queue, id),
      requestPhoneCopy: (t) => uploads.request(t),
      dataDir,
      media: store.media,
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
    await store?.stop();
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
    await client.set(redisKeys.node('server-alive1'), '{}', 'PX', 60_000);
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

  it('leaves to this very process what it is still finishing, however long ago the media ended', async () => {
    // Its last segments took a minute to store: the take is stored ended with an old endedAt.
    const endedAt = Date.now() - 60_000;
    const here = { serverId: 'server-alive1', serverProcess: identityOf(process.pid) };
    await takes.save(take('take-rec0005', here));
    await takes.save(
      take('take-rec0005', {
        ...here,
        status: 'ended',
        endedAt,
        endReason: 'stopped',
      }),
    );
    expect(await recovery.recoverOrphans(later())).not.toContain('take-rec0005');
    expect(await queue.getJob('take-rec0005')).toBeUndefined();
  });

  it('does nothing right after connecting: the others may be reconnecting too', async () => {
    await takes.save(take('take-rec0004', {}));
    expect(await recovery.recoverOrphans(Date.now())).toEqual([]);
    expect(await recovery.recoverOrphans(later())).toContain('take-rec0004');
  });

  it('stores what a dead process left on this disk (its cut-off segment rewritten whole) and files the take from the store', async () => {
    const folder = path.join(dataDir, 'takes', 'show-recover1', 'take-rec0005');
    await mkdir(folder, { recursive: true });
    const stored = path.join(dataDir, 'stored.mkv');
    await makeClip(stored, { seconds: 3 });
    // The first segment was stored before the crash (and so left this disk unless the store is it).
    await store.media.putFile('takes/show-recover1/take-rec0005/seg-00000.mkv', stored);
    await writeFile(path.join(folder, 'segments.csv'), 'seg-00000.mkv,0.000000,3.000000\n');
    // The second was being written: clusters up to the crash, no index, no duration.
    const cut = path.join(folder, 'seg-00001.mkv');
    await makeClip(cut, { seconds: 4 });
    const { size } = await stat(cut);
    await truncate(cut, Math.floor(size * 0.6));
    await takes.save(take('take-rec0005', {}));

    expect(await recovery.recoverOrphans(later())).toContain('take-rec0005');
    const recovered = await takes.get('take-rec0005');
    expect(recovered).toMatchObject({
      status: 'ended',
      endReason: 'server-crashed',
      failure: null,
    });
    expect(recovered!.segments.map((s) => s.key)).toEqual([
      'takes/show-recover1/take-rec0005/seg-00000.mkv',
      'takes/show-recover1/take-rec0005/seg-00001.mkv',
    ]);
    expect(await queue.getJob('take-rec0005')).toBeDefined();
    const copy = await store.media.checkout(recovered!.segments[1]!.key, dataDir);
    const probed = await ffprobe(copy.path);
    expect(probed.durationSeconds).toBeGreaterThan(1.5);
    expect(probed.durationSeconds).toBeLessThan(3);
  });
});
