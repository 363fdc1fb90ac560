import { parseArgs } from 'node:util';
import { connectRedis, describeRedis, redisSettingsFromEnv } from '@showrec/infra/redis';
import { NodeRegistry } from './nodes/node-registry.js';

/**
 * `npm run drain -- <node id or URL> [--now]`: asks a show-server node, through Redis, to drain:
 * its phones move to other nodes at their next cue change (at once with --now), its takes finish
 * and upload, then it stops. Without an argument it lists the nodes. It reaches them through
 * their Redis: the same REDIS_URL or REDIS_SENTINELS they were given.
 */
const { values, positionals } = parseArgs({
  options: { now: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const settings = redisSettingsFromEnv(process.env) ?? {
  kind: 'url' as const,
  url: 'redis://127.0.0.1:6379',
};
const redis = connectRedis(settings, { maxRetriesPerRequest: 1, retryStrategy: () => null });
redis.on('error', () => undefined);
const registry = new NodeRegistry(redis);
try {
  const nodes = await registry.list();
  const wanted = positionals[0];
  if (!wanted) {
    for (const n of nodes)
      console.log(
        `${n.id}  ${n.url}  ${n.load.phones} phones, ${n.load.streams} recording${n.draining ? ', draining' : ''}`,
      );
    if (nodes.length === 0) console.log('no show-server node is running on this Redis');
  } else {
    const node = nodes.find((n) => n.id === wanted || n.url === wanted.replace(/\/$/, ''));
    if (!node) {
      console.error(
        `no live node is ${wanted}; running: ${nodes.map((n) => n.id).join(', ') || 'none'}`,
      );
      process.exitCode = 1;
    } else {
      await registry.requestDrain(node.id, values.now ? 'now' : 'boundary');
      console.log(
        `asked ${node.id} (${node.url}) to drain ${values.now ? 'now' : 'at the next cue change'}`,
      );
    }
  }
} catch (err) {
  console.error(
    `cannot reach the nodes' Redis at ${describeRedis(settings)} (give the nodes' REDIS_URL or REDIS_SENTINELS): ${(err as Error).message}`,
  );
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
