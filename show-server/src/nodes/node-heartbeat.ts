import type { NodeInfo } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import type { DrainMode, NodeRegistry } from './node-registry.js';

const BEAT_MS = 2000;

/**
 * Publishes this node's NodeInfo every two seconds (which is also how the others know it is
 * alive), and hears a drain asked for through Redis (`npm run drain`).
 */
export class NodeHeartbeat {
  readonly #timer: NodeJS.Timeout;
  #stopped = false;
  #nodeUrls: string[] = [];

  constructor(
    private readonly registry: NodeRegistry,
    private readonly describe: () => Promise<NodeInfo>,
    private readonly onDrainRequest: (mode: DrainMode) => void,
    private readonly logger: Logger,
  ) {
    this.#timer = setInterval(() => void this.beat(), BEAT_MS);
    this.#timer.unref();
    void this.beat();
  }

  async beat(): Promise<void> {
    if (this.#stopped) return;
    try {
      const info = await this.describe();
      await this.registry.publish(info);
      this.#nodeUrls = (await this.registry.list()).map((n) => n.url);
      const drain = await this.registry.drainRequested(info.id);
      if (drain) this.onDrainRequest(drain);
    } catch (err) {
      this.logger.debug({ err: (err as Error).message }, 'heartbeat not stored');
    }
  }

  /** Every live node's URL, as of the last heartbeat. */
  get nodeUrls(): string[] {
    return this.#nodeUrls;
  }

  /** Stops beating and says so at once, for a clean shutdown. */
  async stop(nodeId: string): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.registry.remove(nodeId).catch(() => undefined);
  }
}
