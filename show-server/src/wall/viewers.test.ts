import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShowCreated, ShowView, WallState } from '@showrec/protocol';
import {
  apiClient,
  connectSocket,
  createTestShow,
  emit,
  type TestSocket,
} from '../test-support/api-client.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

/** Who may watch the phones, and what a stranger on the venue Wi-Fi gets for trying (real server, real mediasoup). */
describe('the wall from outside', () => {
  let server: ServerWithRedis;
  let show: ShowCreated;
  const sockets: TestSocket[] = [];
  const connect = (auth: object) => {
    const socket = connectSocket(server.baseUrl, auth);
    sockets.push(socket);
    return socket;
  };
  const stage = () => connect({ role: 'stage', showId: show.id });
  const host = () => connect({ role: 'host', showId: show.id, key: show.hostKey });
  const api = () => apiClient(server.baseUrl);

  beforeAll(async () => {
    server = await startServerWithRedis({ SHOWREC_WALL_MAX_VIEWERS: '3' });
    show = await createTestShow(server.baseUrl, server.adminToken, 'Wall');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server?.stop();
  });

  it('phones may not watch or steer the wall; the stage may watch but not steer', async () => {
    const phone = connect({ role: 'audience' });
    for (const event of ['viewer:join', 'wall:set'] as const)
      expect(await emit(phone, event, {})).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await emit(phone, 'consent', { showOnStage: false })).toMatchObject({
      ok: false,
      code: 'conflict',
    });
    const screen = stage();
    expect(await emit(screen, 'wall:set', { featured: null })).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    expect(await emit(screen, 'viewer:watch', { width: 1280, height: 720 })).toMatchObject({
      ok: false,
      code: 'conflict',
    });
    const joined = await emit(screen, 'viewer:join', {});
    expect(joined).toMatchObject({
      ok: true,
      data: { state: { program: { kind: 'cue' }, page: null } },
    });
    screen.disconnect();
  });

  it('refuses capabilities, transports and watches that are not what a browser sends', async () => {
    const screen = stage();
    const joined = await emit(screen, 'viewer:join', {});
    if (!joined.ok) throw new Error(joined.error);
    const caps = joined.data.routerRtpCapabilities as {
      codecs: object[];
      headerExtensions: object[];
    };
    const bad = [
      { codecs: [{ kind: 'video', mimeType: 'video/VP8\r\na=x', clockRate: 90000 }] },
      {
        codecs: [
          { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'evil\n': 1 } },
        ],
      },
      { codecs: Array.from({ length: 65 }, () => caps.codecs[0]) },
      { codecs: caps.codecs, extra: true },
    ];
    for (const rtpCapabilities of bad)
      expect(await emit(screen, 'viewer:transport', { rtpCapabilities })).toMatchObject({
        ok: false,
        code: 'invalid',
      });
    const made = await emit(screen, 'viewer:transport', { rtpCapabilities: caps });
    expect(made).toMatchObject({ ok: true, data: { id: expect.any(String) } });
    expect(
      await emit(screen, 'viewer:connect', {
        transportId: '00000000-0000-4000-8000-000000000000',
        dtlsParameters: {
          fingerprints: [{ algorithm: 'sha-256', value: Array(32).fill('AB').join(':') }],
        },
      }),
    ).toMatchObject({ ok: false, code: 'not-found' });
    for (const watch of [
      { width: 0, height: 720 },
      { width: 1280, height: 720, page: -1 },
      { width: 1280, height: 720, visible: Array.from({ length: 49 }, (_, i) => `phone${i}abcde`) },
      { width: 1280, height: 720, preview: '../../x' },
    ])
      expect(await emit(screen, 'viewer:watch', watch)).toMatchObject({
        ok: false,
        code: 'invalid',
      });
    expect(await emit(screen, 'viewer:watch', { width: 1280, height: 720 })).toMatchObject({
      ok: true,
      data: { live: [] },
    });
    screen.disconnect();
  });

  it('a show has a bounded number of screens watching: the next is refused until one leaves', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const screens = [stage(), stage(), host()];
    for (const s of screens) {
      const answer = await emit(s, 'viewer:join', {});
      expect(answer.ok ? 'joined' : answer.error).toBe('joined');
    }
    const extra = stage();
    expect(await emit(extra, 'viewer:join', {})).toMatchObject({
      ok: false,
      code: 'too-many-requests',
      error: expect.stringContaining('3 screens'),
    });
    screens[0]!.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    expect(await emit(extra, 'viewer:join', {})).toMatchObject({ ok: true });
    for (const s of [...screens, extra]) s.disconnect();
  });

  it('two hosts pressing at once: every change lands, none overwrites the other', async () => {
    const [a, b] = [host(), host()];
    const pins = ['pinned0abcde', 'pinned1abcde'];
    for (let round = 0; round < 5; round++) {
      const layout = round % 2 === 0 ? 16 : 4;
      const answers = await Promise.all([
        emit(a, 'wall:set', { layout }),
        emit(b, 'wall:set', { pinned: [pins[round % 2]!] }),
      ]);
      for (const answer of answers) expect(answer.ok).toBe(true);
      const { wall } = (await api()<ShowView>('GET', `/api/shows/${show.id}`, show.hostKey)).body;
      expect(wall).toMatchObject({ layout, pinned: [pins[round % 2]] });
    }
  });

  it('the wall over HTTP: the host may set it, the crew and strangers may not, a bad layout is refused', async () => {
    const path = `/api/shows/${show.id}/wall`;
    expect(
      (await api()<WallState>('PATCH', path, show.hostKey, { layout: 9, rotateSeconds: 20 })).body,
    ).toMatchObject({
      layout: 9,
      rotateSeconds: 20,
    });
    expect((await api()('PATCH', path, show.crewKey, { layout: 4 })).status).toBe(403);
    expect((await api()('PATCH', path, undefined, { layout: 4 })).status).toBe(401);
    for (const body of [
      { layout: 7 },
      { rotateSeconds: -1 },
      {},
      { featured: 'x'.repeat(500) },
      { onStage: 'yes' },
    ])
      expect((await api()('PATCH', path, show.hostKey, body)).status).toBe(400);
  });
});
