import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { redisKeys } from '@showrec/protocol';
import type { Logger } from '../logger.js';

const changeSchema = z.object({ showId: z.string(), version: z.number().int() });

export interface ShowChangesEvents {
  /** A show was stored at this version, by this process or another. */
  changed: [showId: string, version: number];
  /** The subscription was (re)established: changes may have been missed meanwhile. */
  resubscribed: [];
}

/**
 * Every show change, as the show store publishes it in the same step as the write (see
 * show-store.ts), heard by every show-server process on the Redis.
 */
export class ShowChanges extends EventEmitter<ShowChangesEvents> {
  readonly #subscriber: Redis;

  private constructor(subscriber: Redis) {
    super();
    this.#subscriber = subscriber;
  }

  /** Subscribes in the background: a Redis that is down now is subscribed to once it is up. */
  static subscribe(redis: Redis, logger: Logger): ShowChanges {
    const subscriber = redis.duplicate();
    subscriber.on('error', () => undefined);
    const changes = new ShowChanges(subscriber);
    subscriber.on('message', (_channel, message: string) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        parsed = null;
      }
      const change = changeSchema.safeParse(parsed);
      if (change.success) changes.emit('changed', change.data.showId, change.data.version);
      else logger.warn({ message: message.slice(0, 200) }, 'ignored a malformed show change');
    });
    // ioredis subscribes again after a reconnect; whatever changed in between is read afresh.
    subscriber.on('ready', () => changes.emit('resubscribed'));
    subscriber
      .subscribe(redisKeys.showChanges())
      .catch((err: Error) => logger.warn({ err: err.message }, 'could not hear show changes'));
    return changes;
  }

  close(): void {
    this.#subscriber.disconnect();
  }
}
