import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDIT_RECORD_QUEUE, redisKeys, type RECord, type ShowCreated } from '@showrec/protocol';
import { apiClient, createTestShow } from '../test-support/api-client.js';
import { storeRecord, testRecord } from '../test-support/records.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

describe('crew work on RECords (real server process, real Redis)', () => {
  let server: ServerWithRedis;
  let client: Redis;
  let show: ShowCreated;
  let other: ShowCreated;
  let api: ReturnType<typeof apiClient>;

  const record = (id: string, extra: Partial<RECord> = {}): RECord =>
    testRecord(id, show.id, { takeId: 'take-src001', ...extra });

  beforeAll(async () => {
    server = await startServerWithRedis();
    client = new Redis(server.redisUrl);
    api = apiClient(server.baseUrl);
    show = await createTestShow(server.baseUrl, server.adminToken, 'Cabaret');
    other = await createTestShow(server.baseUrl, server.adminToken, 'Another show');
    const source = record('rec-take-src001');
    const trim = record('trim-abc123def456', {
      parents: [source.id],
      contributors: [...source.contributors, { participantId: null, name: 'Sam', role: 'edited' }],
    });
    const remix = record('rec-remix00001', {
      parents: [trim.id],
      contributors: [{ participantId: 'part-bo00001', name: 'Bo', role: 'recorded' }],
    });
    for (const r of [source, trim, remix]) await storeRecord(client, r);
    await client.sadd(redisKeys.recordChildren(source.id), trim.id);
    await client.sadd(redisKeys.recordChildren(trim.id), remix.id);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('rates, selects and rejects; only the show’s crew, host or admin may', async () => {
    const rated = await api<RECord & { review: unknown }>(
      'PATCH',
      '/api/records/rec-take-src001',
      show.crewKey,
      { rating: 4, review: 'selected' },
    );
    expect(rated.body.review).toMatchObject({
      rating: 4,
      review: 'selected',
      notes: [],
      reviewedBy: 'crew',
      published: null,
    });
    const cleared = await api<{ review: unknown }>(
      'PATCH',
      '/api/records/rec-take-src001',
      show.hostKey,
      { rating: null },
    );
    expect(cleared.body.review).toMatchObject({
      rating: null,
      review: 'selected',
      reviewedBy: 'host',
    });
    expect(
      (await api('PATCH', '/api/records/rec-take-src001', show.crewKey, { rating: 6 })).status,
    ).toBe(400);
    expect((await api('PATCH', '/api/records/rec-take-src001', show.crewKey, {})).status).toBe(400);
    expect(
      (await api('PATCH', '/api/records/rec-take-src001', show.crewKey, { review: 'maybe' }))
        .status,
    ).toBe(400);
    expect(
      (await api('PATCH', '/api/records/rec-take-src001', undefined, { rating: 1 })).status,
    ).toBe(401);
    expect(
      (await api('PATCH', '/api/records/rec-take-src001', other.crewKey, { rating: 1 })).status,
    ).toBe(403);
    expect(
      (await api('PATCH', '/api/records/rec-nosuch0001', show.crewKey, { rating: 1 })).status,
    ).toBe(404);
  });

  it('pins notes to a timecode within the RECord', async () => {
    const note = await api<{ atMs: number; text: string }>(
      'POST',
      '/api/records/rec-take-src001/notes',
      show.crewKey,
      { atMs: 1500, text: 'great angle' },
    );
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ atMs: 1500, text: 'great angle' });
    expect(
      (
        await api('POST', '/api/records/rec-take-src001/notes', show.crewKey, {
          atMs: 9000,
          text: 'late',
        })
      ).body,
    ).toEqual({
      error: 'atMs is past the end of the RECord (5000 ms)',
    });
    const rated = await api<{ review: { notes: unknown[] } }>(
      'PATCH',
      '/api/records/rec-take-src001',
      show.crewKey,
      { review: 'pending' },
    );
    expect(rated.body.review.notes).toEqual([
      expect.objectContaining({ atMs: 1500, text: 'great angle' }),
    ]);
  });

  it('queues a trim as a new RECord id derived from the cut, once however often asked, and refuses bad spans', async () => {
    const body = { inMs: 1000, outMs: 3500, editor: 'Sam' };
    const first = await api<{ recordId: string; parents: string[] }>(
      'POST',
      '/api/records/rec-take-src001/trim',
      show.crewKey,
      body,
    );
    expect(first.status).toBe(202);
    expect(first.body.recordId).toMatch(/^trim-[0-9a-f]{16}$/);
    expect(first.body.parents).toEqual(['rec-take-src001']);
    const second = await api<{ recordId: string }>(
      'POST',
      '/api/records/rec-take-src001/trim',
      show.crewKey,
      body,
    );
    expect(second.body.recordId).toBe(first.body.recordId);
    const queue = new Queue(EDIT_RECORD_QUEUE, { connection: client });
    expect((await queue.getJob(first.body.recordId))?.data).toEqual({
      sourceId: 'rec-take-src001',
      recordId: first.body.recordId,
      ...body,
    });
    expect(await queue.count()).toBe(1);
    await queue.close();

    expect(
      (
        await api('POST', '/api/records/rec-take-src001/trim', show.crewKey, {
          ...body,
          outMs: 900,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api('POST', '/api/records/rec-take-src001/trim', show.crewKey, {
          ...body,
          outMs: 6000,
        })
      ).body,
    ).toEqual({
      error: 'outMs is past the end of the RECord (5000 ms)',
    });
    expect(
      (
        await api('POST', '/api/records/rec-take-src001/trim', show.crewKey, {
          inMs: 0,
          outMs: 100,
        })
      ).status,
    ).toBe(400);
  });

  it('follows lineage both ways, and credits everyone on the RECords it was made from', async () => {
    const lineage = await api<{ ancestors: RECord[]; descendants: RECord[]; credits: unknown[] }>(
      'GET',
      '/api/records/rec-remix00001/lineage',
      show.crewKey,
    );
    expect(lineage.body.ancestors.map((r) => r.id)).toEqual([
      'trim-abc123def456',
      'rec-take-src001',
    ]);
    expect(lineage.body.descendants).toEqual([]);
    expect(lineage.body.credits).toEqual([
      { participantId: 'part-bo00001', name: 'Bo', role: 'recorded' },
      { participantId: 'part-ada001', name: 'Ada', role: 'recorded' },
      { participantId: null, name: 'Sam', role: 'edited' },
    ]);
    const down = await api<{ descendants: RECord[] }>(
      'GET',
      '/api/records/rec-take-src001/lineage',
      show.crewKey,
    );
    expect(down.body.descendants.map((r) => r.id)).toEqual(['trim-abc123def456', 'rec-remix00001']);
  });
});
