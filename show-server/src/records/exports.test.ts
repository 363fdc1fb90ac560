import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, waitFor } from '@showrec/infra';
import { redisKeys, type DownloadLink, type RECord, type ShowCreated } from '@showrec/protocol';
import { apiClient, createTestShow } from '../test-support/api-client.js';
import { storeBytes, storeRecord, testRecord } from '../test-support/records.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

const run = promisify(execFile);

describe('exports: originals, videos, credits sheets, selects ZIP (real server process, Redis)', () => {
  let server: ServerWithRedis;
  let client: Redis;
  let show: ShowCreated;
  let other: ShowCreated;
  let cueId: string;
  const videos = new Map<string, Buffer>();

  async function file(record: RECord, original?: Buffer) {
    const video = Buffer.from(`video of ${record.id}`);
    videos.set(record.id, video);
    await storeBytes(server.media, `records/${record.id}/video.mp4`, video);
    if (original && record.original) await storeBytes(server.media, record.original, original);
    await storeRecord(client, record);
  }

  const record = (id: string, extra: Partial<RECord>): RECord =>
    testRecord(id, show.id, {
      cueId,
      createdAt: new Date(Date.parse('2026-11-21T20:00:00Z') + videos.size * 1000).toISOString(),
      ...extra,
    });

  /** As the review page downloads: a signed link asked for with the key, then followed. */
  const download = async (url: string, key?: string) => {
    if (!key) return fetch(`${server.baseUrl}${url}`);
    const minted = await apiClient(server.baseUrl)<DownloadLink>(
      'POST',
      '/api/download-links',
      key,
      {
        path: url,
      },
    );
    if (minted.status !== 200) return new Response(null, { status: minted.status });
    return fetch(`${server.baseUrl}${minted.body.url}`);
  };

  beforeAll(async () => {
    server = await startServerWithRedis();
    client = new Redis(server.redisUrl);
    const api = apiClient(server.baseUrl);
    show = await createTestShow(server.baseUrl, server.adminToken, 'Cabaret: night 1');
    other = await createTestShow(server.baseUrl, server.adminToken, 'Another show');
    cueId = (
      await api<{ id: string }>('POST', `/api/shows/${show.id}/cues`, show.hostKey, {
        kind: 'capture',
        text: 'Song',
        performer: 'Ada',
      })
    ).body.id;
    const takeFile = path.join(server.dataDir, 'clip.mkv');
    await makeClip(takeFile, { seconds: 1, width: 160, height: 120 });
    await file(
      record('rec-take-ada0001', {
        takeId: 'take-ada0001',
        title: 'Cabaret · Ada',
        original: `takes/${show.id}/take-ada0001.mkv`,
        contributors: [{ participantId: 'part-ada001', name: 'Ada', role: 'recorded' }],
      }),
      await readFile(takeFile),
    );
    await file(
      record('rec-take-mal0001', {
        takeId: 'take-mal0001',
        title: 'Cabaret · Mallory',
        original: `takes/${show.id}/take-mal0001.mkv`,
        contributors: [{ participantId: 'part-mal001', name: '=HYPERLINK("x")', role: 'recorded' }],
      }),
      Buffer.from('mallory original'),
    );
    await file(
      record('trim-0123456789abcdef', {
        takeId: 'take-ada0001',
        title: 'Cabaret · Ada · trim',
        parents: ['rec-take-ada0001'],
        contributors: [
          { participantId: 'part-ada001', name: 'Ada', role: 'recorded' },
          { participantId: null, name: 'Sam', role: 'edited' },
        ],
      }),
    );
    await file(
      record('remix-bo000001', {
        title: 'Ada, reversed',
        source: 'upload',
        original: `uploads/${show.id}/remix-bo000001.webm`,
        parents: ['trim-0123456789abcdef'],
        contributors: [{ participantId: null, name: 'Bo', role: 'remixed' }],
      }),
      Buffer.from('bo original'),
    );
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('downloads a RECord’s original as recorded and its transcoded video, as attachments', async () => {
    const original = await download('/api/records/rec-take-ada0001/original', show.crewKey);
    expect(original.status).toBe(200);
    expect(original.headers.get('content-disposition')).toMatch(
      /attachment; filename="Cabaret - Ada - original\.mkv"/,
    );
    expect(Buffer.from(await original.arrayBuffer())).toEqual(
      await readFile(path.join(server.dataDir, 'clip.mkv')),
    );
    const video = await download('/api/records/remix-bo000001/video', show.hostKey);
    expect(video.headers.get('content-disposition')).toMatch(/filename="Ada, reversed\.mp4"/);
    expect(Buffer.from(await video.arrayBuffer())).toEqual(videos.get('remix-bo000001'));
    const trim = await download('/api/records/trim-0123456789abcdef/original', show.crewKey);
    expect(trim.status).toBe(404);
    expect(((await trim.json()) as { error: string }).error).toMatch(/has no original of its own/);
  });

  it('writes the credits sheet with everyone each RECord credits, inherited credits included', async () => {
    const res = await download(`/api/shows/${show.id}/credits.json`, show.crewKey);
    const sheet = (await res.json()) as {
      show: { title: string };
      records: Array<{
        recordId: string;
        cue: string;
        credits: Array<{ name: string; role: string }>;
      }>;
    };
    expect(sheet.show.title).toBe('Cabaret: night 1');
    const remix = sheet.records.find((r) => r.recordId === 'remix-bo000001')!;
    expect(remix.cue).toBe('1. Song · Ada');
    expect(remix.credits.map((c) => `${c.name}/${c.role}`)).toEqual([
      'Bo/remixed',
      'Ada/recorded',
      'Sam/edited',
    ]);

    const csv = await (await download(`/api/shows/${show.id}/credits.csv`, show.crewKey)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'record_id,title,cue,name,role,participant_id,review,parents,created_at,on_screen_s',
    );
    expect(lines).toHaveLength(1 + 1 + 1 + 2 + 3);
    expect(
      lines.find(
        (l) =>
          l.startsWith('remix-bo000001,Ada\\, reversed') ||
          l.startsWith('remix-bo000001,"Ada, reversed"'),
      ),
    ).toContain(',Bo,remixed,,pending,trim-0123456789abcdef,');
    // A name that looks like a spreadsheet formula stays text.
    expect(lines.find((l) => l.startsWith('rec-take-mal0001'))).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('zips the selected takes, a folder per cue, with the credits beside them', async () => {
    expect((await download(`/api/shows/${show.id}/selects.zip`, show.crewKey)).status).toBe(409);
    const api = apiClient(server.baseUrl);
    for (const id of ['rec-take-ada0001', 'remix-bo000001'])
      await api('PATCH', `/api/records/${id}`, show.crewKey, { review: 'selected' });
    await api('PATCH', '/api/records/rec-take-mal0001', show.crewKey, { review: 'rejected' });

    const res = await download(`/api/shows/${show.id}/selects.zip`, show.crewKey);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = path.join(server.dataDir, 'selects.zip');
    await writeFile(zip, Buffer.from(await res.arrayBuffer()));
    const { stdout } = await run('python3', [
      '-c',
      'import json,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({n: z.read(n).decode("latin-1") for n in z.namelist()}))',
      zip,
    ]);
    const entries = JSON.parse(stdout) as Record<string, string>;
    expect(Object.keys(entries).sort()).toEqual([
      '1. Song - Ada/Ada - rec-take-ada0001.mp4',
      '1. Song - Ada/Bo - remix-bo000001.mp4',
      'credits.csv',
      'credits.json',
    ]);
    expect(entries['1. Song - Ada/Bo - remix-bo000001.mp4']).toBe('video of remix-bo000001');
    const credits = JSON.parse(entries['credits.json']!) as {
      records: Array<{ recordId: string }>;
    };
    expect(credits.records.map((r) => r.recordId)).toEqual(['rec-take-ada0001', 'remix-bo000001']);
  });

  it('downloads by short-lived signed links for exactly one path; a key in the URL opens nothing', async () => {
    const path = `/api/shows/${show.id}/credits.csv`;
    expect((await fetch(`${server.baseUrl}${path}?key=${show.crewKey}`)).status).toBe(401);
    const minted = await apiClient(server.baseUrl)<DownloadLink>(
      'POST',
      '/api/download-links',
      show.crewKey,
      { path },
    );
    expect(minted.status).toBe(200);
    expect(minted.body.url).not.toContain(show.crewKey);
    expect(minted.body.expiresAt - Date.now()).toBeLessThanOrEqual(600_000);
    expect((await fetch(`${server.baseUrl}${minted.body.url}`)).status).toBe(200);
    const elsewhere = minted.body.url.replace('credits.csv', 'credits.json');
    expect((await fetch(`${server.baseUrl}${elsewhere}`)).status).toBe(403);
    // One character of the signature changed (to another: a signature may start with an A).
    const tampered = minted.body.url.replace(/sig=(.)/, (_, c: string) =>
      c === 'A' ? 'sig=B' : 'sig=A',
    );
    expect((await fetch(`${server.baseUrl}${tampered}`)).status).toBe(403);
    // Signed right but expired.
    const key = Buffer.from((await client.get(redisKeys.downloadLinkKey()))!, 'base64');
    const past = Date.now() - 1000;
    const sig = createHmac('sha256', key).update(`${path}\n${past}`).digest('base64url');
    const expired = await fetch(`${server.baseUrl}${path}?expires=${past}&sig=${sig}`);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: string }).error).toMatch(/expired/);
    // Links are only for downloads, and only for those who may download.
    for (const [body, token, status] of [
      [{ path: `/api/shows/${show.id}` }, show.crewKey, 404],
      [{ path }, other.crewKey, 403],
      [{ path: '/api/records/rec-take-ada0001/video' }, other.hostKey, 403],
    ] as const)
      expect(
        (await apiClient(server.baseUrl)('POST', '/api/download-links', token, body)).status,
      ).toBe(status);
  });

  it('only the show’s crew, host or admin may download, with the key in a header or a signed link', async () => {
    expect((await download(`/api/shows/${show.id}/credits.csv`)).status).toBe(401);
    expect((await download(`/api/shows/${show.id}/credits.csv`, other.crewKey)).status).toBe(403);
    expect((await download('/api/records/rec-take-ada0001/video', other.hostKey)).status).toBe(403);
    const header = await fetch(`${server.baseUrl}/api/shows/${show.id}/credits.json`, {
      headers: { authorization: `Bearer ${show.crewKey}` },
    });
    expect(header.status).toBe(200);
    expect((await download('/api/records/rec-nosuch0001/video', show.crewKey)).status).toBe(404);
    // A refused link is logged without its signature.
    await fetch(`${server.baseUrl}/api/records/rec-take-ada0001/video?expires=1&sig=secret-ish`);
    await waitFor('the refusal logged', async () =>
      server.logs().includes('rec-take-ada0001/video?expires=1&sig=[redacted]'),
    );
    expect(server.logs()).not.toContain('secret-ish');
    expect(server.logs()).not.toContain(show.crewKey);
  });
});
