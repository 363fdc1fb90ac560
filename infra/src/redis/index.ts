export {
  connectRedis,
  createRedisConnection,
  durabilityProblems,
  redisOptions,
  warnOfDurability,
  type RedisLog,
} from './redis-connection.js';
export {
  describeRedis,
  redisEnvironment,
  redisSettingsFromEnv,
  type RedisSettings,
} from './redis-settings.js';
