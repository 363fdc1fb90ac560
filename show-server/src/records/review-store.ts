import type { Redis } from 'ioredis';
import { redisKeys, type RecordReview, type ReviewNote, type ReviewState } from '@showrec/protocol';

/**
 * The crew's verdict on each RECord, kept beside it in Redis: the worker may refile a RECord
 * (a better copy arrived) without touching its rating, state or notes.
 */
export class ReviewStore {
  constructor(private readonly redis: Redis) {}

  async get(recordId: string): Promise<RecordReview> {
    const [fields, notes] = await Promise.all([
      this.redis.hgetall(redisKeys.recordReview(recordId)),
      this.redis.lrange(redisKeys.recordNotes(recordId), 0, -1),
    ]);
    return {
      rating: fields.rating ? Number(fields.rating) : null,
      review: (fields.review as ReviewState | undefined) ?? 'pending',
      notes: notes.map((n) => JSON.parse(n) as ReviewNote).sort((a, b) => a.atMs - b.atMs),
    };
  }

  async update(
    recordId: string,
    patch: { rating?: number | null; review?: ReviewState },
  ): Promise<RecordReview> {
    const tx = this.redis.multi();
    if (patch.rating !== undefined) {
      if (patch.rating === null) tx.hdel(redisKeys.recordReview(recordId), 'rating');
      else tx.hset(redisKeys.recordReview(recordId), 'rating', String(patch.rating));
    }
    if (patch.review) tx.hset(redisKeys.recordReview(recordId), 'review', patch.review);
    await tx.exec();
    return this.get(recordId);
  }

  async addNote(recordId: string, note: ReviewNote): Promise<void> {
    await this.redis.rpush(redisKeys.recordNotes(recordId), JSON.stringify(note));
  }
}
