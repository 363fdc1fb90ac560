import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cue, ShowCreated, ShowView } from '@showrec/protocol';
import {
  apiClient,
  connectSocket,
  createTestShow,
  emit,
  nextEvent,
  type TestSocket,
} from '../test-support/api-client.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

describe('run of show (real server process, real Redis)', () => {
  let server: ServerWithRedis;
  let api: ReturnType<typeof apiClient>;
  let show: ShowCreated;
  const sockets: TestSocket[] = [];
  const connect = (auth: object) => {
    const socket = connectSocket(server.baseUrl, auth);
    sockets.push(socket);
    return socket;
  };
  const addCue = async (body: object) =>
    (await api<Cue>('POST', `/api/shows/${show.id}/cues`, show.hostKey, body)).body;

  beforeAll(async () => {
    server = await startServerWithRedis();
    api = apiClient(server.baseUrl);
    show = await createTestShow(server.baseUrl, server.adminToken, 'Cabaret');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server?.stop();
  });

  it('builds a cue list: append, edit, reorder, delete; the crew may read but not edit', async () => {
    const title = await addCue({ kind: 'title', text: 'Welcome to Cabaret', notes: 'lights up' });
    expect(title).toMatchObject({
      kind: 'title',
      text: 'Welcome to Cabaret',
      performer: '',
      prompt: '',
      plannedDurationSec: null,
      captureStopsOnNextGo: true,
    });
    const join = await addCue({ kind: 'join', text: 'Join with your phone' });
    const song = await addCue({
      kind: 'capture',
      text: 'Song',
      performer: 'Nina',
      prompt: 'Film the stage now',
    });
    const credits = await addCue({ kind: 'credits', text: 'Thank you' });

    expect(
      (await api('POST', `/api/shows/${show.id}/cues`, show.hostKey, { kind: 'fireworks' })).status,
    ).toBe(400);
    expect(
      (await api('POST', `/api/shows/${show.id}/cues`, show.crewKey, { kind: 'title' })).status,
    ).toBe(403);
    const read = await api<ShowView>('GET', `/api/shows/${show.id}`, show.crewKey);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: show.id,
      title: 'Cabaret',
      joinCode: show.joinCode,
      currentCueIndex: -1,
      capture: { running: false, takes: 0 },
    });

    const edited = await api<Cue>('PATCH', `/api/shows/${show.id}/cues/${song.id}`, show.hostKey, {
      plannedDurationSec: 180,
    });
    expect(edited.body).toMatchObject({
      id: song.id,
      performer: 'Nina',
      prompt: 'Film the stage now',
      plannedDurationSec: 180,
    });
    expect(
      (await api('PATCH', `/api/shows/${show.id}/cues/${song.id}`, show.hostKey, {})).status,
    ).toBe(400);

    const bad = await api<{ error: string }>(
      'PUT',
      `/api/shows/${show.id}/cues/order`,
      show.hostKey,
      { ids: [song.id, title.id] },
    );
    expect(bad).toEqual({
      status: 409,
      body: { error: 'the new order must list every cue of the show exactly once' },
    });
    const order = [title.id, join.id, song.id, credits.id];
    const extra = await addCue({ kind: 'message', text: 'Intermission' });
    const reordered = await api<{ cues: Cue[] }>(
      'PUT',
      `/api/shows/${show.id}/cues/order`,
      show.hostKey,
      { ids: [extra.id, ...order] },
    );
    expect(reordered.body.cues.map((c) => c.id)).toEqual([extra.id, ...order]);
    expect(
      (await api('DELETE', `/api/shows/${show.id}/cues/${extra.id}`, show.hostKey)).status,
    ).toBe(204);
    expect(
      (await api('DELETE', `/api/shows/${show.id}/cues/${extra.id}`, show.hostKey)).status,
    ).toBe(409);

    const view = (await api<ShowView>('GET', `/api/shows/${show.id}`, show.hostKey)).body;
    expect(view.cues.map((c) => c.id)).toEqual(order);
    expect(view.cues[0]!.notes).toBe('lights up');
  });

  it('GO, back and jump move the live cue; capture follows capture cues; stage and phones never see host notes', async () => {
    const stage = connect({ role: 'stage', showId: show.id });
    const host = connect({ role: 'host', showId: show.id, key: show.hostKey });
    const initial = await nextEvent(stage, 'show:state');
    expect(initial.cues[0]!.notes).toBe('');

    const onStage = nextEvent(stage, 'show:state', (v) => v.currentCueIndex === 0);
    const went = await emit(host, 'go', { expectedCueId: null });
    expect(went).toMatchObject({ ok: true, data: { currentCueIndex: 0 } });
    expect(went.ok && went.data.cues[0]!.notes).toBe('lights up');
    expect((await onStage).cues[0]!.notes).toBe('');

    const capturing = await api<ShowView>('POST', `/api/shows/${show.id}/cue/2`, show.hostKey);
    expect(capturing.body).toMatchObject({ currentCueIndex: 2, capture: { running: true } });
    const from2 = { expectedCueId: capturing.body.cues[2]!.id };
    const after = await api<ShowView>('POST', `/api/shows/${show.id}/go`, show.hostKey, from2);
    expect(after.body).toMatchObject({ currentCueIndex: 3, capture: { running: false } });
    // The same GO again (a double press, a retry): nothing moves, the answer is the show as it is.
    const again = await api<ShowView>('POST', `/api/shows/${show.id}/go`, show.hostKey, from2);
    expect(again).toMatchObject({
      status: 200,
      body: { currentCueIndex: 3, cueStartedAt: after.body.cueStartedAt },
    });
    const unnamed = await api('POST', `/api/shows/${show.id}/go`, show.hostKey);
    expect(unnamed).toMatchObject({ status: 400, body: { error: 'invalid request' } });
    expect(JSON.stringify(unnamed.body)).toContain('name the cue this GO moves from');
    expect(
      (await api<ShowView>('POST', `/api/shows/${show.id}/back`, show.hostKey)).body,
    ).toMatchObject({ currentCueIndex: 2, capture: { running: true } });
    expect((await api('POST', `/api/shows/${show.id}/cue/9`, show.hostKey)).body).toEqual({
      error: 'there is no cue 9: the show has cues 0 to 3',
    });
    expect((await api('POST', `/api/shows/${show.id}/go`, show.crewKey, from2)).status).toBe(403);
  });

  it('standby locks GO; messages reach every phone and the stage; an ended show refuses GO', async () => {
    const stage = connect({ role: 'stage', showId: show.id });
    const host = connect({ role: 'host', showId: show.id, key: show.hostKey });
    await nextEvent(stage, 'show:state');
    expect(await emit(host, 'standby', { on: true })).toMatchObject({
      ok: true,
      data: { standby: true },
    });
    expect(await emit(host, 'go', { expectedCueId: null })).toEqual({
      ok: false,
      code: 'conflict',
      error: 'the show is on standby: release standby first',
    });
    await emit(host, 'standby', { on: false });

    const message = nextEvent(stage, 'show:message');
    expect(await emit(host, 'message:send', { text: '  ' })).toMatchObject({ ok: false });
    await emit(host, 'message:send', { text: 'Turn around and film the audience' });
    expect((await message).text).toBe('Turn around and film the audience');

    expect(await emit(stage as never, 'go', {})).toEqual({
      ok: false,
      code: 'forbidden',
      error: '"go" is not allowed on a stage connection',
    });
    const crew = connect({ role: 'crew', showId: show.id, key: show.crewKey });
    expect(await emit(crew as never, 'go', {})).toEqual({
      ok: false,
      code: 'forbidden',
      error: '"go" is not allowed on a crew connection',
    });
    const crewAsHost = connect({ role: 'host', showId: show.id, key: show.crewKey });
    await expect(
      new Promise((_, reject) => crewAsHost.on('connect_error', reject)),
    ).rejects.toThrow('wrong host key for this show');

    expect(await emit(host, 'show:end', {})).toMatchObject({
      ok: true,
      data: { ended: true, capture: { running: false } },
    });
    expect(
      (await api('POST', `/api/shows/${show.id}/go`, show.hostKey, { expectedCueId: null })).body,
    ).toEqual({ error: 'the show has ended' });
  });

  it('duplicates a show as a template: same details and cues, its own code, keys and fresh state', async () => {
    // Only the admin makes shows: a host key (or a crew key) cannot mint new ones.
    for (const key of [show.hostKey, show.crewKey])
      expect((await api('POST', `/api/shows/${show.id}/duplicate`, key)).status).toBe(403);
    const copy = (
      await api<ShowCreated>('POST', `/api/shows/${show.id}/duplicate`, server.adminToken)
    ).body;
    expect(copy.id).not.toBe(show.id);
    expect(copy.joinCode).not.toBe(show.joinCode);
    const original = (await api<ShowView>('GET', `/api/shows/${show.id}`, show.hostKey)).body;
    const view = (await api<ShowView>('GET', `/api/shows/${copy.id}`, copy.hostKey)).body;
    expect(view).toMatchObject({
      title: 'Cabaret',
      currentCueIndex: -1,
      ended: false,
      capture: { running: false },
    });
    expect(view.cues.map(({ id: _id, ...rest }) => rest)).toEqual(
      original.cues.map(({ id: _id, ...rest }) => rest),
    );
    expect(view.cues.map((c) => c.id)).not.toEqual(original.cues.map((c) => c.id));
    expect((await api('GET', `/api/shows/${copy.id}`, show.hostKey)).status).toBe(403);
  });
});
