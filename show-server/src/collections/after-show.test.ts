import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '@showrec/infra';
import {
  EDIT_RECORD_QUEUE,
  redisKeys,
  type Claimed,
  type ClaimLink,
  type Collection,
  type CreditsRoll,
  type CrewInvite,
  type PublicRecords,
  type RECord,
  type ShowCreated,
  type ShowSummary,
  type Statement,
  type YourRecords,
} from '@showrec/protocol';
import { apiClient, createTestShow } from '../test-support/api-client.js';
import { storeBytes, storeRecord, testRecord } from '../test-support/records.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

const run = promisify(execFile);

describe('after the show: crew, publishing, contributors, collections (real server, Redis)', () => {
  let server: ServerWithRedis;
  let client: Redis;
  let edits: Queue;
  let show: ShowCreated;
  let other: ShowCreated;
  let api: ReturnType<typeof apiClient>;
  let sam: CrewInvite;
  const adaPhone = randomBytes(24).toString('base64url');
  const boPhone = randomBytes(24).toString('base64url');

  const ada = { participantId: 'part-ada001', name: 'Ada', role: 'recorded' as const };
  const bo = { participantId: 'part-bo0001', name: 'Bo', role: 'recorded' as const };

  beforeAll(async () => {
    server = await startServerWithRedis();
    client = new Redis(server.redisUrl);
    edits = new Queue(EDIT_RECORD_QUEUE, { connection: client });
    api = apiClient(server.baseUrl);
    other = await createTestShow(server.baseUrl, server.adminToken, 'Matinee');
    show = await createTestShow(server.baseUrl, server.adminToken, 'Cabaret');
    const records = [
      testRecord('rec-take-ada001', show.id, { contributors: [ada], title: 'Cabaret · Ada' }),
      testRecord('rec-take-bo0001', show.id, { contributors: [bo], title: 'Cabaret · Bo' }),
      testRecord('rec-take-cy0001', other.id, {
        contributors: [{ participantId: 'part-cy0001', name: 'Cy', role: 'recorded' }],
      }),
    ];
    for (const r of records) {
      await storeRecord(client, r);
      await storeBytes(server.media, `records/${r.id}/video.mp4`, Buffer.from(`video of ${r.id}`));
    }
    // The phones as the server knows them after they joined: a token's hash → its participant.
    for (const [token, participant] of [
      [adaPhone, ada.participantId],
      [boPhone, bo.participantId],
    ] as const) {
      await client.hset(
        redisKeys.showDevices(show.id),
        createHash('sha256').update(token).digest('hex'),
        participant,
      );
    }
  });
  afterAll(async () => {
    await edits?.close();
    client?.disconnect();
    await server?.stop();
  });

  it('lists every show for the admin, newest first, with its state and counts', async () => {
    const listed = await api<{ shows: ShowSummary[] }>('GET', '/api/shows', server.adminToken);
    expect(listed.body.shows.map((s) => [s.title, s.state, s.records])).toEqual([
      ['Cabaret', 'not started', 2],
      ['Matinee', 'not started', 1],
    ]);
    expect((await api('GET', '/api/shows', show.hostKey)).status).toBe(403);
    expect((await api('GET', '/api/shows')).status).toBe(401);
  });

  it('invites named crew, whose verdicts, notes and trims carry their name', async () => {
    const invited = await api<CrewInvite>('POST', `/api/shows/${show.id}/crew`, show.hostKey, {
      name: 'Sam',
    });
    expect(invited.status).toBe(201);
    sam = invited.body;
    expect(sam.reviewUrl).toBe(`${server.baseUrl}/review/${show.id}#key=${sam.key}`);
    expect(
      (await api('POST', `/api/shows/${show.id}/crew`, show.hostKey, { name: 'sam' })).status,
    ).toBe(409);
    expect(
      (await api('POST', `/api/shows/${show.id}/crew`, show.crewKey, { name: 'Eve' })).status,
    ).toBe(403);
    expect(
      (await api('POST', `/api/shows/${show.id}/crew`, other.hostKey, { name: 'Eve' })).status,
    ).toBe(403);
    const crew = await api<{ crew: object[] }>('GET', `/api/shows/${show.id}/crew`, show.hostKey);
    expect(crew.body.crew).toEqual([{ id: sam.id, name: 'Sam', invitedAt: expect.any(String) }]);

    const rated = await api<{ review: object }>('PATCH', '/api/records/rec-take-ada001', sam.key, {
      review: 'selected',
    });
    expect(rated.body.review).toMatchObject({ review: 'selected', reviewedBy: 'Sam' });
    const note = await api('POST', '/api/records/rec-take-ada001/notes', sam.key, {
      atMs: 1000,
      text: 'lovely wide shot',
    });
    expect(note.body).toMatchObject({ by: 'Sam' });
    expect(
      (await api('PATCH', '/api/records/rec-take-cy0001', sam.key, { rating: 2 })).status,
    ).toBe(403);

    const trim = await api<{ recordId: string }>(
      'POST',
      '/api/records/rec-take-ada001/trim',
      sam.key,
      {
        inMs: 500,
        outMs: 2500,
      },
    );
    expect(trim.status).toBe(202);
    expect((await edits.getJob(trim.body.recordId))?.data).toMatchObject({ editor: 'Sam' });
    const shared = await api<{ error: string }>(
      'POST',
      '/api/records/rec-take-ada001/trim',
      show.crewKey,
      { inMs: 0, outMs: 1000 },
    );
    expect(shared.status).toBe(400);
    expect(shared.body.error).toMatch(/name the editor: this key is shared/);
  });

  it('keeps unpublished media from strangers; serves it to the crew, its own phone, signed links', async () => {
    const video = '/media/records/rec-take-ada001/video.mp4';
    const get = (url: string, token?: string) =>
      fetch(`${server.baseUrl}${url}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    expect((await get(video)).status).toBe(404);
    expect((await get(video, other.crewKey)).status).toBe(404);
    expect((await get(video, boPhone)).status).toBe(404);
    expect((await get(`${video}?expires=99999999999999&sig=forged`)).status).toBe(404);
    for (const bypass of [
      '/media/records/rec-take-ada001//video.mp4',
      '/media/records/rec-take-ada001%2Fvideo.mp4',
      '/media/records/rec-take-ada001/video.mp4/',
    ]) {
      const res = await get(bypass);
      expect(res.status, bypass).toBeGreaterThanOrEqual(400);
      expect(await res.text()).not.toContain('video of');
    }
    expect(await (await get(video, show.crewKey)).text()).toBe('video of rec-take-ada001');
    expect(await (await get(video, adaPhone)).text()).toBe('video of rec-take-ada001');

    const listed = await api<{ records: RECord[] }>(
      'GET',
      `/api/shows/${show.id}/records`,
      sam.key,
    );
    const signed = listed.body.records.find((r) => r.id === 'rec-take-ada001')!.media.video;
    expect(signed).toMatch(/^\/media\/records\/rec-take-ada001\/video\.mp4\?expires=\d+&sig=/);
    expect(await (await get(signed)).text()).toBe('video of rec-take-ada001');
    // Signed links for one RECord do not open another.
    expect((await get(signed.replace('rec-take-ada001', 'rec-take-bo0001'))).status).toBe(404);
  });

  it('publishes: the public page lists only published RECords, their media open to all', async () => {
    expect(
      (await api('PUT', '/api/records/rec-take-ada001/published', undefined, { published: true }))
        .status,
    ).toBe(401);
    expect(
      (
        await api('PUT', '/api/records/rec-take-ada001/published', other.crewKey, {
          published: true,
        })
      ).status,
    ).toBe(403);
    const published = await api<{ published: { by: string } }>(
      'PUT',
      '/api/records/rec-take-ada001/published',
      sam.key,
      { published: true },
    );
    expect(published.body.published).toMatchObject({ by: 'Sam' });
    const page = await api<PublicRecords>('GET', `/api/public/shows/${show.id}`);
    expect(page.body.records.map((r) => [r.record.id, r.credits.map((c) => c.name)])).toEqual([
      ['rec-take-ada001', ['Ada']],
    ]);
    const open = await fetch(`${server.baseUrl}/media/records/rec-take-ada001/video.mp4`);
    expect(await open.text()).toBe('video of rec-take-ada001');
    expect((await fetch(`${server.baseUrl}/media/records/rec-take-bo0001/video.mp4`)).status).toBe(
      404,
    );
  });

  it('gives a phone its RECords back, and a one-time claim link that moves them', async () => {
    const mine = await api<YourRecords>('GET', `/api/shows/${show.id}/mine`, adaPhone);
    expect(mine.body.participant).toEqual({ id: 'part-ada001', name: 'Ada' });
    expect(mine.body.records.map((r) => r.id)).toEqual(['rec-take-ada001']);
    expect((await api('GET', `/api/shows/${show.id}/mine`)).status).toBe(401);
    expect((await api('GET', `/api/shows/${show.id}/mine`, 'a'.repeat(32))).status).toBe(403);
    expect((await api('GET', `/api/shows/${other.id}/mine`, adaPhone)).status).toBe(403);

    const link = await api<ClaimLink>('POST', `/api/shows/${show.id}/mine/claim`, adaPhone);
    expect(link.status).toBe(201);
    const code = link.body.url.split('/claim/')[1]!;
    expect(link.body.url).toBe(`${server.baseUrl}/claim/${code}`);
    const claimed = await api<Claimed>('POST', `/api/claims/${code}`);
    expect(claimed.body).toEqual({
      showId: show.id,
      joinCode: show.joinCode,
      deviceToken: expect.any(String),
    });
    expect((await api('POST', `/api/claims/${code}`)).status).toBe(404);
    expect((await api('POST', '/api/claims/not-a-code')).status).toBe(400);
    expect((await api('GET', `/api/shows/${show.id}/mine`, adaPhone)).status).toBe(403);
    const moved = await api<YourRecords>(
      'GET',
      `/api/shows/${show.id}/mine`,
      claimed.body.deviceToken,
    );
    expect(moved.body.records.map((r) => r.id)).toEqual(['rec-take-ada001']);
  });

  it('lets a contributor remix published RECords, credited by the name they recorded under', async () => {
    const file = path.join(server.dataDir, 'remix.mkv');
    await makeClip(file, { seconds: 1, width: 160, height: 120 });
    const bytes = await readFile(file);
    const upload = async (token: string, parents: string) => {
      const form = new FormData();
      form.append('title', 'Ada, reversed');
      form.append('contributor', 'Somebody Else');
      form.append('parents', parents);
      form.append('file', new Blob([new Uint8Array(bytes)]), 'remix.mkv');
      const res = await fetch(`${server.baseUrl}/api/shows/${show.id}/records`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      return {
        status: res.status,
        body: (await res.json()) as { recordId: string; error: string },
      };
    };
    const unpublished = await upload(boPhone, 'rec-take-bo0001');
    expect(unpublished.status).toBe(400);
    expect(unpublished.body.error).toBe(
      'parent rec-take-bo0001 is not a published RECord of this show',
    );
    expect((await upload(randomBytes(24).toString('base64url'), 'rec-take-ada001')).status).toBe(
      403,
    );
    const accepted = await upload(boPhone, 'rec-take-ada001');
    expect(accepted.status).toBe(202);
    expect((await edits.getJob(accepted.body.recordId))?.data).toMatchObject({
      contributor: 'Bo',
      participantId: 'part-bo0001',
      parents: ['rec-take-ada001'],
    });
    await writeFile(file, '');
  });

  it('assembles collections, rolls their credits by role and exports them as a ZIP', async () => {
    const remix = testRecord('rec-remix-bo001', show.id, {
      title: 'Ada, reversed',
      contributors: [{ ...bo, role: 'remixed' }],
      parents: ['rec-take-ada001'],
      source: 'upload',
    });
    await storeRecord(client, remix);
    await storeBytes(server.media, `records/${remix.id}/video.mp4`, Buffer.from('remix'));
    const mixed = { title: 'Both shows', records: ['rec-take-cy0001', 'rec-take-ada001'] };
    expect((await api('POST', '/api/collections', sam.key, mixed)).status).toBe(403);
    expect((await api('POST', '/api/collections', server.adminToken, mixed)).status).toBe(201);
    const made = await api<Collection>('POST', '/api/collections', sam.key, {
      title: 'RECollection Vol. 1',
      records: [remix.id, 'rec-take-bo0001'],
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ showIds: [show.id], createdBy: 'Sam' });
    const id = made.body.id;
    expect((await api('GET', `/api/collections/${id}`, other.crewKey)).status).toBe(403);

    const roll = await api<CreditsRoll>('GET', `/api/collections/${id}/credits`, sam.key);
    expect(roll.body.roles).toEqual([
      {
        role: 'recorded',
        people: [
          { name: 'Ada', records: [remix.id] },
          { name: 'Bo', records: ['rec-take-bo0001'] },
        ],
      },
      { role: 'remixed', people: [{ name: 'Bo', records: [remix.id] }] },
    ]);

    const zipPath = `/api/collections/${id}/export.zip`;
    expect(
      (await api('POST', '/api/download-links', other.crewKey, { path: zipPath })).status,
    ).toBe(403);
    const link = await api<{ url: string }>('POST', '/api/download-links', sam.key, {
      path: zipPath,
    });
    const zip = await fetch(`${server.baseUrl}${link.body.url}`);
    expect(zip.status).toBe(200);
    const zipFile = path.join(server.dataDir, 'collection.zip');
    await writeFile(zipFile, Buffer.from(await zip.arrayBuffer()));
    const { stdout } = await run('python3', [
      '-c',
      'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
      zipFile,
    ]);
    expect(stdout.trim().split('\n')).toEqual([
      `1 - Ada, reversed - ${remix.id}.mp4`,
      '2 - Cabaret - Bo - rec-take-bo0001.mp4',
      'credits.json',
      'credits.csv',
      'credits.html',
    ]);
  });

  it('proposes split statements, finalizes one at a time, and carries remainders on', async () => {
    const [collection] = (
      await api<{ collections: Collection[] }>('GET', '/api/collections', server.adminToken)
    ).body.collections.filter((c) => c.title === 'RECollection Vol. 1');
    const base = `/api/collections/${collection!.id}/statements`;
    const input = {
      currency: 'USD',
      revenue: 10_001,
      costs: [{ label: 'pressing', amount: 1_000 }],
      weights: [
        { recordId: 'rec-remix-bo001', weightBp: 7_000, creditLine: 'the single' },
        { recordId: 'rec-take-bo0001', weightBp: 3_000, creditLine: 'the b-side' },
      ],
      payoutThreshold: 1_000,
    };
    const first = await api<Statement>('POST', base, sam.key, input);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      state: 'proposed',
      previous: null,
      net: 9_001,
      pool: 4_500,
    });
    expect(first.body.lines.map((l) => [l.name, l.earned, l.payable, l.heldOut])).toEqual([
      ['Ada', 630, 0, 630],
      ['Bo', 3_870, 3_870, 0],
    ]);
    const again = await api<Statement>('POST', base, sam.key, input);
    expect([again.status, again.body.id]).toEqual([200, first.body.id]);
    const bad = await api<{ error: string }>('POST', base, sam.key, {
      ...input,
      weights: [{ recordId: 'rec-take-cy0001', weightBp: 10_000, creditLine: 'x' }],
    });
    expect(bad.body.error).toBe('RECord rec-take-cy0001 is not in this collection');

    const rival = await api<Statement>('POST', base, sam.key, { ...input, revenue: 20_000 });
    const finals = await Promise.all(
      [first.body.id, rival.body.id].map((sid) =>
        api<Statement>('POST', `${base}/${sid}/final`, show.hostKey),
      ),
    );
    expect(finals.map((f) => f.status).sort()).toEqual([200, 409]);
    const winner = finals.find((f) => f.status === 200)!.body;
    expect(winner).toMatchObject({ state: 'final', finalizedBy: 'host' });

    const next = await api<Statement>('POST', base, sam.key, { ...input, revenue: 3_000 });
    expect(next.body.previous).toBe(winner.id);
    const adaHeld = winner.lines.find((l) => l.name === 'Ada')!.heldOut;
    expect(next.body.lines.find((l) => l.name === 'Ada')!.heldIn).toBe(adaHeld);
    await api('POST', `${base}/${next.body.id}/final`, sam.key);

    const csv = await fetch(
      `${server.baseUrl}${base}.csv?person=${encodeURIComponent('participant:part-ada001')}`,
      { headers: { authorization: `Bearer ${sam.key}` } },
    );
    const rows = (await csv.text()).trim().split('\n');
    expect(rows[0]).toBe(
      'statement,finalized_at,currency,pool,person,name,exact,earned,held_in,payable,held_out',
    );
    expect(rows.slice(1).map((r) => r.split(',')[5])).toEqual(['Ada', 'Ada']);
  });
});
