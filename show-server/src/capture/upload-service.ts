import { appendFile, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcesses } from '@showrec/infra/processes';
import type { MediaStore } from '@showrec/media-store';
import { LockBusy, withRedisLock } from '@showrec/infra/redis-lock';
import type { Redis } from 'ioredis';
import { redisKeys, type TakeManifest, type UploadProgress, DomainError } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import { requireVideo } from '../media/probe-media.js';
import { hashSecret } from '../shows/secrets.js';
import type { DiskGuard } from './disk-guard.js';
import type { TakeStore } from './take-store.js';

const LOCK_MS = 30_000;

export interface UploadServiceDeps {
  redis: Redis;
  takes: TakeStore;
  /** Phone copies are refused, like new takes, while the disk is below its floor. */
  disk: DiskGuard;
  /** Uploads arrive below it; finished ones go to `media`. */
  dataDir: string;
  media: MediaStore;
  maxBytes: number;
  processes: ChildProcesses;
  /** Queues the take for filing again, now with the phone's copy to choose from. */
  enqueuePhoneCopy: (takeId: string) => Promise<void>;
  logger: Logger;
}

/**
 * The phone's own recording of a take, uploaded in chunks that append at a byte offset, so an
 * upload cut off by the venue's Wi-Fi resumes where it stopped. Only the phone that recorded a
 * take (its device token) may upload it, and only when the server asked for it. One chunk of a
 * take is written at a time across every process (a Redis lock), so a chunk sent twice at once
 * lands once.
 */
export class UploadService {
  constructor(private readonly deps: UploadServiceDeps) {}

  /** Marks the take as wanted from the phone; the phone hears of it now or when it next joins. */
  async request(take: TakeManifest): Promise<UploadProgress> {
    await this.deps.redis.sadd(redisKeys.pendingUploads(take.participant.id), take.id);
    return { takeId: take.id, offset: await this.#offset(take) };
  }

  /**
   * The phone offers its own copy of a take after the show (its full-quality local recording):
   * only the phone that recorded it, and only once. The worker files whichever copy is better.
   */
  async offer(takeId: string, deviceToken: string): Promise<UploadProgress> {
    const take = await this.#owned(takeId, deviceToken);
    if (take.phoneCopy)
      throw new DomainError('conflict', 'this take’s phone copy is already uploaded');
    if (!take.uploadRequested) await this.deps.takes.save({ ...take, uploadRequested: true });
    return this.request(take);
  }

  async pendingFor(participantId: string): Promise<UploadProgress[]> {
    const ids = await this.deps.redis.smembers(redisKeys.pendingUploads(participantId));
    const takes = await Promise.all(ids.map((id) => this.deps.takes.get(id)));
    return Promise.all(
      takes
        .filter((t): t is TakeManifest => t !== null && t.phoneCopy === null)
        .map(async (t) => ({ takeId: t.id, offset: await this.#offset(t) })),
    );
  }

  /** Refuses anyone but the phone that recorded the take, before a byte of its body is read. */
  async authorize(takeId: string, deviceToken: string): Promise<void> {
    await this.#uploadable(takeId, deviceToken);
  }

  async progress(takeId: string, deviceToken: string): Promise<UploadProgress> {
    const take = await this.#uploadable(takeId, deviceToken);
    return { takeId, offset: await this.#offset(take) };
  }

  async append(
    takeId: string,
    deviceToken: string,
    offset: number,
    chunk: Buffer,
  ): Promise<UploadProgress> {
    const space = await this.deps.disk.check();
    if (!space.ok) {
      throw new DomainError(
        'insufficient-storage',
        `the server's disk is below its floor (${space.freeMb} MB free): try again later`,
      );
    }
    return this.#exclusively(takeId, async () => {
      const take = await this.#uploadable(takeId, deviceToken);
      const current = await this.#offset(take);
      if (offset !== current)
        throw new DomainError(
          'conflict',
          `this upload continues at byte ${current}, not ${offset}`,
        );
      if (current + chunk.length > this.deps.maxBytes) {
        throw new DomainError(
          'too-large',
          `the upload is larger than the ${Math.round(this.deps.maxBytes / 1048576)} MB allowed`,
        );
      }
      await mkdir(path.dirname(this.#partial(take)), { recursive: true });
      await appendFile(this.#partial(take), chunk);
      return { takeId, offset: current + chunk.length };
    });
  }

  /** Checks the whole file with ffprobe, stores it beside the server's copy, and queues the take again. */
  complete(takeId: string, deviceToken: string): Promise<UploadProgress> {
    return this.#exclusively(takeId, () => this.#complete(takeId, deviceToken));
  }

  async #complete(takeId: string, deviceToken: string): Promise<UploadProgress> {
    const take = await this.#uploadable(takeId, deviceToken);
    const partial = this.#partial(take);
    const bytes = await this.#offset(take);
    try {
      await requireVideo(this.deps.processes, partial);
    } catch (err) {
      await rm(partial, { force: true });
      throw new DomainError(
        'unprocessable',
        `the uploaded file is not a playable recording (${(err as Error).message.split('\n')[0]}); upload it again`,
      );
    }
    const key = phoneCopyKey(take);
    await this.deps.media.putFile(key, partial);
    await this.deps.takes.save({ ...take, phoneCopy: { file: key, bytes } });
    await this.deps.redis.srem(redisKeys.pendingUploads(take.participant.id), take.id);
    await this.deps.enqueuePhoneCopy(take.id);
    this.deps.logger.info({ takeId, bytes }, 'the phone’s copy of a take arrived');
    return { takeId, offset: bytes };
  }

  async #exclusively<R>(takeId: string, work: () => Promise<R>): Promise<R> {
    try {
      return await withRedisLock(this.deps.redis, redisKeys.uploadLock(takeId), LOCK_MS, work);
    } catch (err) {
      if (!(err instanceof LockBusy)) throw err;
      throw new DomainError(
        'conflict',
        'another chunk of this upload is being written: ask where it continues and send from there',
      );
    }
  }

  async #owned(takeId: string, deviceToken: string): Promise<TakeManifest> {
    const take = await this.deps.takes.get(takeId);
    if (!take) throw new DomainError('not-found', `no take ${takeId}`);
    const owner = await this.deps.redis.hget(
      redisKeys.showDevices(take.showId),
      hashSecret(deviceToken),
    );
    if (owner !== take.participant.id)
      throw new DomainError('forbidden', 'only the phone that recorded this take may upload it');
    return take;
  }

  async #uploadable(takeId: string, deviceToken: string): Promise<TakeManifest> {
    const take = await this.#owned(takeId, deviceToken);
    if (!take.uploadRequested)
      throw new DomainError('conflict', 'no upload was asked for this take');
    if (take.phoneCopy)
      throw new DomainError('conflict', 'this take’s phone copy is already uploaded');
    return take;
  }

  async #offset(take: TakeManifest): Promise<number> {
    return stat(this.#partial(take)).then(
      (s) => s.size,
      () => 0,
    );
  }

  #partial(take: TakeManifest): string {
    return path.join(this.deps.dataDir, `${phoneCopyKey(take)}.partial`);
  }
}

/** Where a take's phone copy is kept, beside the server's recording. */
function phoneCopyKey(take: TakeManifest): string {
  return `takes/${take.showId}/${take.id}.phone.webm`;
}
