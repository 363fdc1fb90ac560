import type { types as ms } from 'mediasoup';
import type { Room } from '../capture/room.js';
import { mediaCodecs } from '../sfu/media-codecs.js';
import type { WorkerPool } from '../sfu/worker-pool.js';

/**
 * Where a show's viewers receive from: routers on the mediasoup workers that do not record the
 * show, fed each phone's video by `pipeToRouter`, so sending to the stage and control panels never
 * takes CPU from the worker recording the phones. With one worker there is nowhere else: viewers
 * share the show's router. Viewers are spread over the other workers, fewest first.
 */
export class ViewRouters {
  readonly #routers = new Map<ms.Worker, Promise<ms.Router>>();
  readonly #viewers = new Map<ms.Worker, number>();
  readonly #workerOf = new Map<string, ms.Worker>();
  /** A phone's producer as piped into a view router, by `${router.id} ${producer.id}`. */
  readonly #piped = new Map<string, Promise<string>>();
  #closed = false;

  constructor(
    private readonly room: Room,
    private readonly pool: Pick<WorkerPool, 'workers'>,
  ) {}

  /** A router for one more viewer; give it back with `release`. */
  async take(): Promise<ms.Router> {
    const others = this.pool.workers().filter((w) => w !== this.room.worker);
    if (others.length === 0) return this.room.router;
    const worker = others.reduce((best, w) =>
      (this.#viewers.get(w) ?? 0) < (this.#viewers.get(best) ?? 0) ? w : best,
    );
    this.#viewers.set(worker, (this.#viewers.get(worker) ?? 0) + 1);
    let router = this.#routers.get(worker);
    if (!router) {
      router = worker.createRouter({ mediaCodecs });
      this.#routers.set(worker, router);
      router.then(
        (r) => r.on('workerclose', () => this.#routers.delete(worker)),
        () => this.#routers.delete(worker),
      );
    }
    const made = await router;
    this.#workerOf.set(made.id, worker);
    return made;
  }

  release(router: ms.Router): void {
    const worker = this.#workerOf.get(router.id);
    if (worker) this.#viewers.set(worker, Math.max(0, (this.#viewers.get(worker) ?? 1) - 1));
  }

  /** The id a viewer on `router` consumes a phone's producer by (piped there the first time). */
  producerOn(router: ms.Router, producer: ms.Producer): Promise<string> {
    if (router === this.room.router) return Promise.resolve(producer.id);
    const key = `${router.id} ${producer.id}`;
    let piped = this.#piped.get(key);
    if (!piped) {
      piped = this.room.router
        .pipeToRouter({ producerId: producer.id, router })
        .then(({ pipeProducer }) => {
          pipeProducer!.observer.once('close', () => this.#piped.delete(key));
          return pipeProducer!.id;
        });
      this.#piped.set(key, piped);
      piped.catch(() => this.#piped.delete(key));
    }
    return piped;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const router of this.#routers.values())
      void router.then(
        (r) => r.close(),
        () => undefined,
      );
    this.#routers.clear();
  }
}
