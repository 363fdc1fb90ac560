import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedRedis, type EmbeddedRedis } from './embedded-redis.js';
import { processAlive } from './processes/index.js';

describe('embedded redis', () => {
  let dir = '';
  let redis: EmbeddedRedis | null = null;
  afterEach(async () => {
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs with AOF under its data dir and keeps writes across a restart on the same port', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'showrec-redis-'));
    redis = await startEmbeddedRedis({ dir });
    const client = new Redis(redis.url);
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await client.config('GET', 'dir')).toEqual(['dir', dir]);
    await client.set('take:1', 'kept');
    client.disconnect();
    const { port, pid } = redis;
    await redis.stop();
    expect(processAlive(pid)).toBe(false);
    expect((await readdir(dir)).some((f) => f.startsWith('appendonly'))).toBe(true);

    redis = await startEmbeddedRedis({ dir, port });
    const again = new Redis(redis.url);
    expect(await again.get('take:1')).toBe('kept');
    again.disconnect();
  });

  it('says how to install redis-server when it is missing', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'showrec-redis-'));
    const oldPath = process.env.PATH;
    process.env.PATH = dir;
    try {
      await expect(startEmbeddedRedis({ dir })).rejects.toThrow(/npm run setup/);
    } finally {
      process.env.PATH = oldPath;
    }
  });
});
