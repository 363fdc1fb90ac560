import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/**
 * One ioredis connection that keeps reconnecting in the background and logs each change of state
 * once (not each retry), so an unreachable Redis reads as one clear line, not a flood.
 */
export function createRedisConnection(url: string, logger: Logger): Redis {
  const log = logger.child({ component: 'redis', url: redactUrl(url) });
  const redis = new Redis(url, {
    // BullMQ needs this on connections it blocks on; harmless elsewhere.
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let reachable: boolean | null = null;
  redis.on('ready', () => {
    if (reachable !== true) log.info('redis connected');
    reachable = true;
  });
  redis.on('error', (err: Error) => {
    if (reachable !== false)
      log.error({ err: err.message }, 'redis unreachable; retrying in the background');
    reachable = false;
  });
  return redis;
}

export function redisIsReady(redis: Redis): boolean {
  return redis.status === 'ready';
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//[secret]@');
}
