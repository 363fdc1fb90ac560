import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRedis } from '../embedded-redis.js';
import { startSentinelRedis, type SentinelRedis } from '../testing/redis-sentinels.js';
import { connectRedis, durabilityProblems } from './redis-connection.js';
import { redisEnvironment, redisSettingsFromEnv } from './redis-settings.js';

describe('Redis settings from the environment', () => {
  it('reads a URL, or sentinels and the primary name; refuses both at once and bad addresses', () => {
    expect(redisSettingsFromEnv({})).toBeNull();
    expect(redisSettingsFromEnv({ REDIS_URL: 'redis://10.0.0.5:6380' })).toEqual({
      kind: 'url',
      url: 'redis://10.0.0.5:6380',
    });
    const sentinel = redisSettingsFromEnv({
      REDIS_SENTINELS: 'a.venue:26379, 10.0.0.7:26380',
      REDIS_SENTINEL_NAME: 'stage-left',
    });
    expect(sentinel).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 'a.venue', port: 26379 },
        { host: '10.0.0.7', port: 26380 },
      ],
      name: 'stage-left',
      password: null,
    });
    expect(redisSettingsFromEnv(redisEnvironment(sentinel!))).toEqual(sentinel);
    expect(() =>
      redisSettingsFromEnv({ REDIS_URL: 'redis://x:1', REDIS_SENTINELS: 'a:26379' }),
    ).toThrow(/REDIS_URL or REDIS_SENTINELS, not both/);
    expect(() => redisSettingsFromEnv({ REDIS_SENTINELS: 'a.venue' })).toThrow(/host:port/);
  });
});

describe('Redis behind Sentinel', () => {
  let dir: string;
  let redis: SentinelRedis;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'showrec-sentinel-'));
    redis = await startSentinelRedis({ dir });
  }, 30_000);
  afterAll(async () => {
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a connection follows the primary through a failover: writes before it are kept, writes after it land on the new primary', async () => {
    const client = connectRedis(redis.settings);
    client.on('error', () => undefined);
    try {
      await client.set('before', 'kept');
      // The replica has it before the primary dies (a failover may lose what it had not).
      expect(await client.call('WAIT', '1', '2000')).toBe(1);
      expect(await durabilityProblems(client)).toEqual([]);
      const old = await redis.primary();
      const promoted = await redis.killPrimary();
      expect(promoted.port).not.toBe(old.port);
      await client.set('after', 'written');
      expect(await client.mget('before', 'after')).toEqual(['kept', 'written']);
      expect(await client.call('ROLE').then((r) => (r as string[])[0])).toBe('master');
    } finally {
      client.disconnect();
    }
  }, 40_000);

  it('names a Redis that would lose data: AOF off, an eviction policy', async () => {
    const loose = await startEmbeddedRedis({
      dir: path.join(dir, 'loose'),
      args: ['--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'],
    });
    const client = connectRedis({ kind: 'url', url: loose.url });
    try {
      const problems = await durabilityProblems(client);
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/AOF is off/);
      expect(problems[1]).toMatch(/allkeys-lru, not noeviction/);
    } finally {
      client.disconnect();
      await loose.stop();
    }
  });
});
