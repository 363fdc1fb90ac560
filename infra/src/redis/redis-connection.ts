import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSettings } from './redis-settings.js';
import { describeRedis } from './redis-settings.js';

/** What the connection logs through (a pino logger fits). */
export interface RedisLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * The options every showrec connection shares. `maxRetriesPerRequest: null`: BullMQ needs it on
 * connections it blocks on, and a command waits out a failover rather than failing. READONLY
 * (a write reaching a primary that was just demoted to replica) reconnects, and Sentinel then
 * names the new primary.
 */
export function redisOptions(settings: RedisSettings, extra: RedisOptions = {}): RedisOptions {
  const shared: RedisOptions = {
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    ...extra,
  };
  return settings.kind === 'url'
    ? shared
    : {
        ...shared,
        sentinels: settings.sentinels,
        name: settings.name,
        ...(settings.password ? { password: settings.password } : {}),
        sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      };
}

/** A new connection to the Redis `settings` name (a URL, or the primary Sentinel names). */
export function connectRedis(settings: RedisSettings, extra: RedisOptions = {}): Redis {
  const options = redisOptions(settings, extra);
  return settings.kind === 'url' ? new Redis(settings.url, options) : new Redis(options);
}

/**
 * One connection that keeps reconnecting in the background and logs each change of state once
 * (not each retry), so an unreachable Redis reads as one clear line, not a flood.
 */
export function createRedisConnection(settings: RedisSettings, log: RedisLog): Redis {
  const where = describeRedis(settings);
  const redis = connectRedis(settings);
  let reachable: boolean | null = null;
  redis.on('ready', () => {
    if (reachable !== true) log.info({ redis: where }, 'redis connected');
    reachable = true;
  });
  redis.on('error', (err: Error) => {
    if (reachable !== false)
      log.error(
        { redis: where, err: err.message },
        'redis unreachable; retrying in the background',
      );
    reachable = false;
  });
  return redis;
}

/**
 * What in this Redis's setup can lose showrec's data: no AOF (a restart forgets the last
 * snapshot's worth of writes) or an eviction policy (under memory pressure it would drop queued
 * jobs and take manifests). Read from INFO, which managed Redis services allow where CONFIG is
 * often refused.
 */
export async function durabilityProblems(redis: Redis): Promise<string[]> {
  const info = `${await redis.info('persistence')}\n${await redis.info('memory')}`;
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
  const problems: string[] = [];
  if (field('aof_enabled') !== '1')
    problems.push(
      'AOF is off (appendonly no): a restart loses every write since the last snapshot',
    );
  const policy = field('maxmemory_policy');
  if (policy !== 'noeviction')
    problems.push(
      `maxmemory-policy is ${policy ?? 'unknown'}, not noeviction: under memory pressure Redis would drop queued takes`,
    );
  return problems;
}

/** Logs `durabilityProblems` once Redis answers; a Redis that never does is logged elsewhere. */
export function warnOfDurability(redis: Redis, log: RedisLog): void {
  const check = () =>
    durabilityProblems(redis)
      .then((problems) => {
        for (const problem of problems) log.warn({}, `redis can lose showrec's data: ${problem}`);
      })
      .catch((err: Error) =>
        log.warn({ err: err.message }, 'could not check how Redis keeps its data'),
      );
  if (redis.status === 'ready') void check();
  else redis.once('ready', () => void check());
}
