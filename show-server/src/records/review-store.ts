import type { Redis } from 'ioredis';
import { redisKeys, type RecordReview, type ReviewNote, type ReviewState } from '@showrec/protocol';

/**
 * The crew's verdict on each RECord, kept beside it in Redis: the worker may refile a RECord
 * (a better copy arrived) without touching its rating, state or notes.
 */
export class ReviewStore {
  constructor(private readonly redis: Redis) {}

  async get(recordId: string): Promise<RecordReview> {
    return (await this.getMany([recordId]))[0]!;
  }

  /** Many RECords' reviews in one round trip, in the order asked. */
  async getMany(recordIds: string[]): Promise<RecordReview[]> {
    if (recordIds.length === 0) return [];
    const tx = this.redis.pipeline();
    for (const id of recordIds) {
      tx.hgetall(redisKeys.recordReview(id)).lrange(redisKeys.recordNotes(id), 0, -1);
    }
    const replies = (await tx.exec()) ?? [];
    return recordIds.map((_, i) => {
      const [fieldsErr, fields] = replies[2 * i]!;
      const [notesErr, notes] = replies[2 * i + 1]!;
      if (fieldsErr ?? notesErr) throw fieldsErr ?? notesErr;
      const review = fields as Record<string, string>;
      return {
        rating: review.rating ? Number(review.rating) : null,
        review: (review.review as ReviewState | undefined) ?? 'pending',
        reviewedBy: review.reviewedBy ?? null,
        reviewedAt: review.reviewedAt ? Number(review.reviewedAt) : null,
        published: review.publishedAt
          ? { by: review.publishedBy ?? 'crew', at: Number(review.publishedAt) }
          : null,
        notes: (notes as string[])
          .map((n) => JSON.parse(n) as ReviewNote)
          .sort((a, b) => a.atMs - b.atMs),
      };
    });
  }

  async update(
    recordId: string,
    patch: { rating?: number | null; review?: ReviewState },
    by: string,
  ): Promise<RecordReview> {
    const tx = this.redis.multi();
    tx.hset(redisKeys.recordReview(recordId), 'reviewedBy', by, 'reviewedAt', String(Date.now()));
    if (patch.rating !== undefined) {
      if (patch.rating === null) tx.hdel(redisKeys.recordReview(recordId), 'rating');
      else tx.hset(redisKeys.recordReview(recordId), 'rating', String(patch.rating));
    }
    if (patch.review) tx.hset(redisKeys.recordReview(recordId), 'review', patch.review);
    await tx.exec();
    return this.get(recordId);
  }

  /** On or off the show's public page, and who did it. */
  async publish(recordId: string, published: boolean, by: string): Promise<RecordReview> {
    const key = redisKeys.recordReview(recordId);
    if (published) await this.redis.hset(key, 'publishedBy', by, 'publishedAt', String(Date.now()));
    else await this.redis.hdel(key, 'publishedBy', 'publishedAt');
    return this.get(recordId);
  }

  /** Whether each RECord is published, in one round trip. */
  async arePublished(recordIds: string[]): Promise<boolean[]> {
    if (recordIds.length === 0) return [];
    const tx = this.redis.pipeline();
    for (const id of recordIds) tx.hexists(redisKeys.recordReview(id), 'publishedAt');
    return ((await tx.exec()) ?? []).map(([err, n]) => {
      if (err) throw err;
      return n === 1;
    });
  }

  async addNote(recordId: string, note: ReviewNote): Promise<void> {
    await this.redis.rpush(redisKeys.recordNotes(recordId), JSON.stringify(note));
  }
}
