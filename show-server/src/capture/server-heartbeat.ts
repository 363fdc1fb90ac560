import type { Redis } from 'ioredis';
import { redisKeys } from '@showrec/protocol';

const BEAT_MS = 2000;
/** Missing this long, a process is taken for dead and its takes are recovered. */
export const HEARTBEAT_TTL_MS = 6000;

/** Tells the other show-server processes, through Redis, that this one is alive. */
export class ServerHeartbeat {
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    readonly serverId: string,
  ) {
    this.#timer = setInterval(() => void this.#beat(), BEAT_MS);
    this.#timer.unref();
    void this.#beat();
  }

  /** Stops beating and says so at once, for a clean shutdown. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.redis.del(redisKeys.serverHeartbeat(this.serverId)).catch(() => undefined);
  }

  async #beat(): Promise<void> {
    await this.redis
      .set(redisKeys.serverHeartbeat(this.serverId), String(Date.now()), 'PX', HEARTBEAT_TTL_MS)
      .catch(() => undefined);
  }
}

export async function serverAlive(redis: Redis, serverId: string): Promise<boolean> {
  return (await redis.exists(redisKeys.serverHeartbeat(serverId))) === 1;
}
