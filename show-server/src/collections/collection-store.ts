import type { Redis } from 'ioredis';
import {
  DomainError,
  collectionSchema,
  redisKeys,
  statementSchema,
  type Collection,
  type Statement,
} from '@showrec/protocol';

/**
 * Makes a statement final only if the collection's last final statement is still the one it was
 * computed from: two people finalizing at once cannot both carry the same remainders on.
 */
const finalize = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local ids = redis.call('LRANGE', KEYS[2], 0, -1)
local last = ''
for i = #ids, 1, -1 do
  if redis.call('EXISTS', ARGV[3] .. ids[i] .. ':final') == 1 then last = ids[i] break end
end
if last ~= ARGV[2] then return -2 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

/**
 * Collections and their statements, in Redis. A statement's document is written once and never
 * changed; making it final is a separate key beside it.
 */
export class CollectionStore {
  constructor(private readonly redis: Redis) {}

  async put(collection: Collection): Promise<void> {
    await this.redis
      .multi()
      .set(redisKeys.collection(collection.id), JSON.stringify(collection))
      .zadd(redisKeys.collections(), Date.parse(collection.createdAt), collection.id)
      .exec();
  }

  async get(id: string): Promise<Collection | null> {
    const raw = await this.redis.get(redisKeys.collection(id));
    return raw ? collectionSchema.parse(JSON.parse(raw)) : null;
  }

  async list(): Promise<Collection[]> {
    const ids = await this.redis.zrevrange(redisKeys.collections(), 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => redisKeys.collection(id)));
    return raws.flatMap((r) => (r ? [collectionSchema.parse(JSON.parse(r))] : []));
  }

  /** The collection's statements, oldest first. */
  async statements(collectionId: string): Promise<Statement[]> {
    const ids = await this.redis.lrange(redisKeys.collectionStatements(collectionId), 0, -1);
    return this.#read(ids);
  }

  async statement(collectionId: string, id: string): Promise<Statement> {
    const [statement] = await this.#read([id]);
    if (statement?.collectionId !== collectionId)
      throw new DomainError('not-found', `no statement ${id.slice(0, 64)} in this collection`);
    return statement;
  }

  async lastFinal(collectionId: string): Promise<Statement | null> {
    return (await this.statements(collectionId)).findLast((s) => s.state === 'final') ?? null;
  }

  /** Appends a statement; the same inputs make the same id, so proposing twice stores it once. */
  async append(statement: Statement): Promise<{ statement: Statement; created: boolean }> {
    // The document never holds the state: making it final is a key of its own.
    const document = {
      ...statement,
      state: undefined,
      finalizedAt: undefined,
      finalizedBy: undefined,
    };
    const stored = await this.redis.set(
      redisKeys.statement(statement.id),
      JSON.stringify(document),
      'NX',
    );
    if (stored !== 'OK')
      return {
        statement: await this.statement(statement.collectionId, statement.id),
        created: false,
      };
    await this.redis.rpush(redisKeys.collectionStatements(statement.collectionId), statement.id);
    return { statement, created: true };
  }

  async finalize(collectionId: string, id: string, by: string): Promise<Statement> {
    const statement = await this.statement(collectionId, id);
    const result = await this.redis.eval(
      finalize,
      2,
      redisKeys.statementFinal(id),
      redisKeys.collectionStatements(collectionId),
      JSON.stringify({ at: new Date().toISOString(), by }),
      statement.previous ?? '',
      redisKeys.statement(''),
    );
    if (result === -2)
      throw new DomainError(
        'conflict',
        'another statement was made final since this one was proposed: propose it again',
      );
    return this.statement(collectionId, id);
  }

  async #read(ids: string[]): Promise<Statement[]> {
    if (ids.length === 0) return [];
    const docs = await this.redis.mget(ids.map((id) => redisKeys.statement(id)));
    const finals = await this.redis.mget(ids.map((id) => redisKeys.statementFinal(id)));
    return docs.flatMap((doc, i) => {
      if (!doc) return [];
      const final = finals[i] ? (JSON.parse(finals[i]) as { at: string; by: string }) : null;
      return [
        statementSchema.parse({
          ...JSON.parse(doc),
          state: final ? 'final' : 'proposed',
          finalizedAt: final?.at ?? null,
          finalizedBy: final?.by ?? null,
        }),
      ];
    });
  }
}
