import type { Redis } from 'ioredis';
import { nodeInfoSchema, redisKeys, type NodeInfo } from '@showrec/protocol';

/** Missing this long, a node is taken for dead: its phones go elsewhere, its takes are recovered. */
export const NODE_TTL_MS = 6000;
/** A placement counts against its node until the node's next heartbeats report the phone. */
const RESERVATION_MS = 5000;

export type DrainMode = 'boundary' | 'now';

/** The show-server nodes on this Redis: who is alive, where, and how loaded. */
export class NodeRegistry {
  constructor(private readonly redis: Redis) {}

  async publish(info: NodeInfo): Promise<void> {
    await this.redis
      .multi()
      .set(redisKeys.node(info.id), JSON.stringify(info), 'PX', NODE_TTL_MS)
      .sadd(redisKeys.nodes(), info.id)
      .exec();
  }

  /** Says at once that a node is gone (a clean stop), rather than waiting out its TTL. */
  async remove(nodeId: string): Promise<void> {
    await this.redis
      .multi()
      .del(redisKeys.node(nodeId), redisKeys.nodeDrain(nodeId))
      .srem(redisKeys.nodes(), nodeId)
      .exec();
  }

  async alive(nodeId: string): Promise<boolean> {
    return (await this.redis.exists(redisKeys.node(nodeId))) === 1;
  }

  /** Every live node, with the phones placed on it since it last reported. */
  async list(): Promise<Array<NodeInfo & { reserved: number }>> {
    const ids = await this.redis.smembers(redisKeys.nodes());
    if (ids.length === 0) return [];
    const [infos, reserved] = await Promise.all([
      this.redis.mget(ids.map((id) => redisKeys.node(id))),
      this.redis.mget(ids.map((id) => redisKeys.nodeReserved(id))),
    ]);
    const gone = ids.filter((_, i) => infos[i] === null);
    if (gone.length > 0) await this.redis.srem(redisKeys.nodes(), ...gone);
    return infos.flatMap((raw, i) => {
      if (raw === null) return [];
      const parsed = nodeInfoSchema.safeParse(JSON.parse(raw));
      return parsed.success ? [{ ...parsed.data, reserved: Number(reserved[i] ?? 0) }] : [];
    });
  }

  async reserve(nodeId: string): Promise<void> {
    await this.redis
      .multi()
      .incr(redisKeys.nodeReserved(nodeId))
      .pexpire(redisKeys.nodeReserved(nodeId), RESERVATION_MS)
      .exec();
  }

  /** A phone placed on the node arrived there: it counts as one of its phones now. */
  async release(nodeId: string): Promise<void> {
    await this.redis.eval(
      "if redis.call('DECR', KEYS[1]) < 0 then redis.call('SET', KEYS[1], 0) end",
      1,
      redisKeys.nodeReserved(nodeId),
    );
  }

  async requestDrain(nodeId: string, mode: DrainMode): Promise<void> {
    await this.redis.set(redisKeys.nodeDrain(nodeId), mode, 'PX', 24 * 3600_000);
  }

  async drainRequested(nodeId: string): Promise<DrainMode | null> {
    const mode = await this.redis.get(redisKeys.nodeDrain(nodeId));
    return mode === 'boundary' || mode === 'now' ? mode : null;
  }
}
