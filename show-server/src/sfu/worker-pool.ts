import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import type { Logger } from '../logger.js';
import { processAlive } from '@showrec/infra/processes';

export interface WorkerPoolOptions {
  size: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  logger: Logger;
}

/**
 * The mediasoup workers, one per core by default. A worker that dies is logged and replaced;
 * the rooms that lived on it learn through their routers' `workerclose` and close themselves.
 */
export class WorkerPool {
  readonly #workers = new Set<ms.Worker>();
  readonly #options: WorkerPoolOptions;
  readonly #log: Logger;
  #next = 0;
  #closed = false;

  private constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'worker-pool' });
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    await Promise.all(Array.from({ length: options.size }, () => pool.#spawn()));
    return pool;
  }

  get size(): number {
    return this.#workers.size;
  }

  get expected(): number {
    return this.#options.size;
  }

  /** Round-robin over live workers. */
  pick(): ms.Worker {
    const workers = [...this.#workers];
    if (workers.length === 0) throw new Error('no mediasoup worker is running');
    const worker = workers[this.#next++ % workers.length]!;
    return worker;
  }

  /** The live workers. */
  workers(): ms.Worker[] {
    return [...this.#workers];
  }

  pids(): number[] {
    return [...this.#workers].map((w) => w.pid);
  }

  /** Closes every worker and waits until their processes are gone, so none outlives the server. */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pids = this.pids();
    for (const worker of this.#workers) worker.close();
    this.#workers.clear();
    const deadline = Date.now() + timeoutMs;
    while (pids.some(processAlive) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async #spawn(): Promise<void> {
    const worker = await mediasoup.createWorker({
      logLevel: 'warn',
      rtcMinPort: this.#options.rtcMinPort,
      rtcMaxPort: this.#options.rtcMaxPort,
    });
    if (this.#closed) {
      worker.close();
      return;
    }
    this.#workers.add(worker);
    this.#log.info({ workerPid: worker.pid }, 'mediasoup worker started');
    worker.on('died', (err) => {
      this.#workers.delete(worker);
      if (this.#closed) return;
      this.#log.error(
        { workerPid: worker.pid, err: err.message },
        'mediasoup worker died; starting a replacement',
      );
      setTimeout(() => {
        this.#spawn().catch((spawnErr: Error) =>
          this.#log.fatal({ err: spawnErr.message }, 'could not replace a dead mediasoup worker'),
        );
      }, 500);
    });
  }
}
