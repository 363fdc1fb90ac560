import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { childExit, startEmbeddedRedis } from '@showrec/infra';
import { startServerProcess } from '../test-support/server-process.js';

describe('a node told to stop', () => {
  // `npm start` killed with -9 sends SIGTERM to Redis and the show-server at the same moment.
  it('stops cleanly on SIGTERM when Redis has already gone, rather than waiting for it forever', async () => {
    const redis = await startEmbeddedRedis({
      dir: await mkdtemp(path.join(tmpdir(), 'showrec-redis-')),
    });
    const server = await startServerProcess({ REDIS_URL: redis.url });
    try {
      await redis.stop();
      server.child.kill('SIGTERM');
      // A stop that hangs is killed by the finally below, not left running.
      await Promise.race([childExit(server.child), sleep(25_000, null, { ref: false })]);
      // Still running, or 1 (the 20-s force exit): the stop itself hung.
      expect(server.child.exitCode, server.logs()).toBe(0);
      expect(server.logs()).toContain('Redis did not answer while stopping');
    } finally {
      await server.stop();
    }
  });
});
