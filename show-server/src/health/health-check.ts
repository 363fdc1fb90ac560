import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Health } from '@showrec/protocol';
import type { WorkerPool } from '../sfu/worker-pool.js';
import { withTimeout } from '../with-timeout.js';

export interface HealthSources {
  redis: Redis;
  pool: WorkerPool;
  queue: Queue;
}

/** Never waits on a Redis that is down: a disconnected client answers "down" at once. */
export async function checkHealth({ redis, pool, queue }: HealthSources): Promise<Health> {
  let redisUp = false;
  let counts: Health['queue'] = null;
  if (redis.status === 'ready') {
    try {
      await withTimeout(redis.ping(), 1000);
      const c = await withTimeout(queue.getJobCounts('waiting', 'active', 'failed'), 1000);
      counts = { waiting: c.waiting ?? 0, active: c.active ?? 0, failed: c.failed ?? 0 };
      redisUp = true;
    } catch {
      redisUp = false;
    }
  }
  const mediasoupUp = pool.size > 0;
  return {
    status: redisUp && mediasoupUp ? 'ok' : 'down',
    redis: redisUp ? 'up' : 'down',
    mediasoup: { status: mediasoupUp ? 'up' : 'down', workers: pool.size, expected: pool.expected },
    queue: counts,
  };
}
