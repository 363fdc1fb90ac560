import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { childPidsOf } from '@showrec/infra/processes';
import { afterEach, describe, expect, it } from 'vitest';
import { freeTcpPort, startEmbeddedRedis, waitFor, type EmbeddedRedis } from '@showrec/infra';
import { healthSchema } from '@showrec/protocol';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';

describe('GET /healthz', () => {
  let server: ServerProcess | null = null;
  let redis: EmbeddedRedis | null = null;
  afterEach(async () => {
    await server?.stop();
    await redis?.stop();
    server = redis = null;
  });

  it('answers 503 with redis down, logs it once, and keeps serving while Redis is unreachable', async () => {
    const closedPort = await freeTcpPort();
    server = await startServerProcess({ REDIS_URL: `redis://127.0.0.1:${closedPort}` });
    await new Promise((r) => setTimeout(r, 3000));
    const res = await fetch(`${server.baseUrl}/healthz`);
    expect(res.status).toBe(503);
    const health = healthSchema.parse(await res.json());
    expect(health).toMatchObject({
      status: 'down',
      redis: 'down',
      mediasoup: { status: 'up', workers: 1 },
      queue: null,
    });
    expect(server.child.exitCode).toBeNull();
    const lines = server
      .logs()
      .split('\n')
      .filter((l) => l.includes('redis unreachable'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${closedPort}`);

    // Redis comes up on that port: the server recovers by itself.
    redis = await startEmbeddedRedis({
      dir: await mkdtemp(path.join(tmpdir(), 'showrec-redis-')),
      port: closedPort,
    });
    await waitFor(
      'healthz 200',
      async () => (await fetch(`${server!.baseUrl}/healthz`)).status === 200,
    );
  });

  it('reports 200 with queue counts, and replaces a mediasoup worker that dies', async () => {
    redis = await startEmbeddedRedis({ dir: await mkdtemp(path.join(tmpdir(), 'showrec-redis-')) });
    server = await startServerProcess({ REDIS_URL: redis.url, SHOWREC_MEDIASOUP_WORKERS: '2' });
    const res = await fetch(`${server.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(healthSchema.parse(await res.json())).toEqual({
      status: 'ok',
      redis: 'up',
      mediasoup: { status: 'up', workers: 2, expected: 2 },
      queue: { waiting: 0, active: 0, failed: 0 },
    });

    const before = childPidsOf(server.child.pid!, 'mediasoup-worker');
    expect(before).toHaveLength(2);
    process.kill(before[0]!, 'SIGKILL');
    await waitFor('the dead worker to be noticed', async () =>
      server!.logs().includes('mediasoup worker died'),
    );
    const after = await waitFor('a replacement worker', async () => {
      const pids = childPidsOf(server!.child.pid!, 'mediasoup-worker');
      return pids.length === 2 && !pids.includes(before[0]!) ? pids : null;
    });
    expect(after).toContain(before[1]);
    // The process is up a moment before the pool has it ready; then health counts it.
    await waitFor('health to count the replacement', async () => {
      const health = healthSchema.parse(await (await fetch(`${server!.baseUrl}/healthz`)).json());
      return health.mediasoup.workers === 2 && health.mediasoup.status === 'up';
    });
  });
});
