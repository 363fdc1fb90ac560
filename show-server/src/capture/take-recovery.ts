import { existsSync } from 'node:fs';
import path from 'node:path';
import { isRunning, signalExactly, type ChildProcesses } from '@showrec/infra/processes';
import type { MediaStore } from '@showrec/media-store';
import type { Redis } from 'ioredis';
import { redisKeys, type TakeManifest } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import { NODE_TTL_MS, type NodeRegistry } from '../nodes/node-registry.js';
import { SegmentUploader } from './segment-uploader.js';
import { takeFolderKey, tidyTakeFolder } from './take-folder.js';
import type { TakeStore } from './take-store.js';

export interface TakeRecoveryDeps {
  redis: Redis;
  nodes: NodeRegistry;
  takes: TakeStore;
  enqueueTake: (takeId: string) => Promise<void>;
  /** The phone has the whole take; ask it for its copy. */
  requestPhoneCopy: (take: TakeManifest) => Promise<unknown>;
  dataDir: string;
  media: MediaStore;
  processes: ChildProcesses;
  serverId: string;
  logger: Logger;
}

/** An ended take its process has not queued within this long was dropped on the way. */
const QUEUEING_GRACE_MS = 30_000;

/**
 * Finds the open takes (recording, or ended and not yet queued) of a show-server process that
 * died (its heartbeat is gone and, on this machine, the process itself), stores what they wrote,
 * and queues them for filing, so a crash loses nothing that was already recorded: the segments
 * the dead process stored are in the store, and when it ran on this machine the rest (the
 * segment it was writing, any its store did not confirm) is stored from this disk. Runs at
 * start-up and every few seconds, so the processes on one Redis look after each other; a lock in
 * Redis keeps two of them from recovering the same take. Right after this process (re)connects to
 * Redis it waits out a heartbeat's lifetime: the others may be reconnecting too, and a process
 * that only lost Redis for a while must not be taken for dead.
 */
export class TakeRecovery {
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #readySince = 0;

  constructor(private readonly deps: TakeRecoveryDeps) {
    this.#log = deps.logger.child({ component: 'take-recovery' });
    if (deps.redis.status === 'ready') this.#readySince = Date.now();
    deps.redis.on('ready', () => (this.#readySince = Date.now()));
  }

  start(intervalMs = 5000): void {
    this.#timer = setInterval(() => void this.recoverOrphans(), intervalMs);
    this.#timer.unref();
    void this.recoverOrphans();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Returns the ids of the takes it recovered this time. */
  async recoverOrphans(now = Date.now()): Promise<string[]> {
    if (this.#running || this.deps.redis.status !== 'ready') return [];
    if (now - this.#readySince < NODE_TTL_MS) return [];
    this.#running = true;
    const recovered: string[] = [];
    try {
      for (const takeId of await this.deps.takes.openIds()) {
        const take = await this.deps.takes.get(takeId);
        if (!take) {
          await this.deps.takes.markQueued(takeId);
          continue;
        }
        if (!(await this.#orphaned(take, now))) continue;
        const locked = await this.deps.redis.set(
          redisKeys.takeRecoveryLock(takeId),
          this.deps.serverId,
          'PX',
          120_000,
          'NX',
        );
        if (locked !== 'OK') continue;
        if (take.status === 'recording') await this.#recover(take);
        else await this.#queue(take);
        recovered.push(takeId);
      }
    } catch (err) {
      this.#log.error({ err }, 'recovering orphaned takes failed; will try again');
    } finally {
      this.#running = false;
    }
    return recovered;
  }

  /**
   * Whether nobody else will finish this take: its process is gone (no heartbeat, and not running
   * here) or, for an ended take, that process has had ample time to queue it and has not.
   */
  async #orphaned(take: TakeManifest, now: number): Promise<boolean> {
    // This process finishes its own takes, retrying while Redis refuses; a take ends when its
    // media does, so one whose segments took long to store is stored ended with an old endedAt.
    if (take.serverProcess?.pid === process.pid && isRunning(take.serverProcess)) return false;
    if (
      take.status !== 'recording' &&
      take.endedAt !== null &&
      now - take.endedAt > QUEUEING_GRACE_MS
    )
      return true;
    if (take.serverId === this.deps.serverId) return false;
    if (take.serverProcess && isRunning(take.serverProcess)) return false;
    return !(take.serverId && (await this.deps.nodes.alive(take.serverId)));
  }

  /** An ended take its process stored but never handed over (it died in between). */
  async #queue(take: TakeManifest): Promise<void> {
    await this.deps.enqueueTake(take.id);
    if (take.uploadRequested) await this.deps.requestPhoneCopy(take);
    await this.deps.takes.markQueued(take.id);
    this.#log.warn(
      { takeId: take.id, showId: take.showId, server: take.serverId },
      'queued a take that had ended but was never queued for filing',
    );
  }

  async #recover(take: TakeManifest): Promise<void> {
    const folder = takeFolderKey(take.showId, take.id);
    const log = this.#log.child({
      takeId: take.id,
      showId: take.showId,
      deadServer: take.serverId,
    });
    // The dead process's recorder process may still be running on this machine (it ends its
    // takes when its show-server goes, but may not have yet): SIGINT makes it close their
    // segments properly, as a normal stop would. The manifest names that very process.
    const recorder = take.recorder;
    const stopped = recorder !== null && signalExactly(recorder, 'SIGINT');
    for (let i = 0; i < 50 && recorder && isRunning(recorder); i++)
      await new Promise((r) => setTimeout(r, 100));
    if (recorder && isRunning(recorder)) signalExactly(recorder, 'SIGKILL');
    const local = path.join(this.deps.dataDir, folder);
    if (existsSync(local)) {
      const uploader = new SegmentUploader(this.deps, folder, log);
      const { pending } = await uploader.finish(60_000);
      // Tried again at the next round; the lock expires by then.
      if (pending.length > 0)
        throw new Error(`the media store did not take ${pending.length} segments of ${take.id}`);
      await tidyTakeFolder(this.deps.dataDir, take.showId, take.id);
    }
    const segments = (await this.deps.media.list(folder)).filter((o) =>
      /\/seg-\d+\.mkv$/.test(o.key),
    );
    const recovered: TakeManifest = {
      ...take,
      uploadRequested: true,
      status: 'ended',
      endedAt: Date.now(),
      endReason: 'server-crashed',
      segments,
      failure:
        segments.length > 0
          ? null
          : 'the show-server recording this take died before it stored anything',
    };
    await this.deps.takes.save(recovered);
    await this.deps.enqueueTake(take.id);
    await this.deps.requestPhoneCopy(recovered);
    await this.deps.takes.markQueued(take.id);
    log.warn(
      { stoppedRecorder: stopped, segments: segments.length },
      'recovered a take left recording by a dead show-server',
    );
  }
}
