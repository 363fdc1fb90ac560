import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import { JOIN_CODE_ALPHABET, showCreatedSchema, type ShowCreated } from '@showrec/protocol';
import { connectSocket, emit as emitEvent, type TestSocket } from '../test-support/api-client.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

describe('REST and socket edges (real server process, real Redis)', () => {
  let server: ServerWithRedis;
  let show: ShowCreated;
  const sockets: TestSocket[] = [];

  const api = (method: string, url: string, token?: string, body?: string) =>
    fetch(`${server.baseUrl}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'content-type': 'application/json',
      },
      body,
    });

  function connect(auth: object): TestSocket {
    const socket = connectSocket(server.baseUrl, auth);
    sockets.push(socket);
    return socket;
  }
  const emit = (socket: TestSocket, event: string, payload: unknown) =>
    emitEvent(socket, event as never, payload);

  beforeAll(async () => {
    server = await startServerWithRedis();
    const res = await api(
      'POST',
      '/api/shows',
      server.adminToken,
      JSON.stringify({ title: 'Late Night Open Mic' }),
    );
    expect(res.status).toBe(201);
    show = showCreatedSchema.parse(await res.json());
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server?.stop();
  });

  it('creates a show for the admin: a 6-character join code, its URL and a host key', () => {
    expect(show.joinCode).toMatch(new RegExp(`^[${JOIN_CODE_ALPHABET}]{6}$`));
    expect(show.joinUrl).toBe(`${server.baseUrl}/join/${show.joinCode}`);
    expect(show.hostKey.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses to create a show without, or with wrong, credentials, or with a bad body', async () => {
    const body = JSON.stringify({ title: 'x' });
    expect((await api('POST', '/api/shows', undefined, body)).status).toBe(401);
    expect((await api('POST', '/api/shows', 'wrong-token', body)).status).toBe(403);
    expect((await api('POST', '/api/shows', show.hostKey, body)).status).toBe(403);
    const empty = await api('POST', '/api/shows', server.adminToken, JSON.stringify({ title: '' }));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({
      error: 'invalid request',
      details: [{ path: 'title', message: 'title is required' }],
    });
    const broken = await api('POST', '/api/shows', server.adminToken, '{"title":');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: 'the request body is not valid JSON' });
  });

  it('looks shows up by join code, in any case, and says so for unknown codes', async () => {
    const found = await api('GET', `/api/join/${show.joinCode.toLowerCase()}`);
    expect(await found.json()).toEqual({
      id: show.id,
      title: 'Late Night Open Mic',
      joinCode: show.joinCode,
    });
    const missing = await api('GET', '/api/join/ZZZZZZ');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no show has the join code ZZZZZZ' });
    expect((await api('GET', '/join/ZZZZZZ')).status).toBe(404);
    expect((await api('GET', `/join/${show.joinCode}`)).status).toBe(200);
  });

  it('lets the admin and that show’s host control capture and list RECords, nobody else', async () => {
    const other = showCreatedSchema.parse(
      await (
        await api('POST', '/api/shows', server.adminToken, JSON.stringify({ title: 'Other' }))
      ).json(),
    );
    expect((await api('POST', `/api/shows/${show.id}/capture/start`, other.hostKey)).status).toBe(
      403,
    );
    const started = await api('POST', `/api/shows/${show.id}/capture/start`, show.hostKey);
    expect(await started.json()).toEqual({ running: true, takeIds: [] });
    const stopped = await api('POST', `/api/shows/${show.id}/capture/stop`, server.adminToken);
    expect(await stopped.json()).toEqual({ running: false, takeIds: [] });
    expect(await (await api('GET', `/api/shows/${show.id}/records`, show.hostKey)).json()).toEqual({
      records: [],
    });
    expect((await api('GET', `/api/shows/${show.id}/records`)).status).toBe(401);
    expect((await api('GET', '/api/shows/nosuchshow1/records', server.adminToken)).status).toBe(
      404,
    );
  });

  it('serves no file outside the media folder', async () => {
    for (const url of [
      '/media/records/..%2f..%2fadmin-token',
      '/media/records/../../admin-token',
      '/media/records/%2e%2e/admin-token',
    ]) {
      const res = await api('GET', url);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(await res.text()).not.toContain(server.adminToken);
    }
  });

  it('refuses host actions from an audience socket, and logs it', async () => {
    const audience = connect({ role: 'audience' });
    const answer = await emit(audience, 'capture:start', {});
    expect(answer).toEqual({
      ok: false,
      code: 'forbidden',
      error: '"capture:start" is not allowed on a audience connection',
    });
    // pino writes asynchronously: wait for the line rather than race it.
    await waitFor('the refusal in the log', async () =>
      server.logs().includes('refused an event this role may not send'),
    );
  });

  it('rejects malformed socket payloads with the reason, and unknown join codes', async () => {
    const audience = connect({ role: 'audience' });
    const bad = await emit(audience, 'join', { joinCode: 'ABC', name: '' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(
      /^invalid join payload: joinCode: not a join code; name: your name is required/,
    );
    expect(await emit(audience, 'join', 'not an object')).toMatchObject({ ok: false });
    expect(await emit(audience, 'join', { joinCode: 'ZZZZZZ', name: 'Ada' })).toEqual({
      ok: false,
      code: 'not-found',
      error: 'no show has the join code ZZZZZZ',
    });
    expect(await emit(audience, 'transport:create', {})).toEqual({
      ok: false,
      code: 'conflict',
      error: 'join a show first',
    });
    const joined = await emit(audience, 'join', { joinCode: show.joinCode, name: 'Ada' });
    expect(joined).toMatchObject({
      ok: true,
      data: { show: { id: show.id }, recording: { state: 'standby' } },
    });
    expect(await emit(audience, 'media:ready', {})).toEqual({
      ok: false,
      code: 'conflict',
      error: 'nothing is being sent yet: produce audio or video first',
    });
  });

  it('accepts host sockets only with the show’s key', async () => {
    const impostor = connect({ role: 'host', showId: show.id, key: 'guess' });
    await expect(new Promise((_, reject) => impostor.on('connect_error', reject))).rejects.toThrow(
      'wrong host key for this show',
    );
    const host = connect({ role: 'host', showId: show.id, key: show.hostKey });
    expect(await emit(host, 'capture:start', {})).toEqual({
      ok: true,
      data: { running: true, takeIds: [] },
    });
    expect(await emit(host, 'join', { joinCode: show.joinCode, name: 'x' })).toMatchObject({
      ok: false,
    });
    expect(await emit(host, 'capture:stop', {})).toEqual({
      ok: true,
      data: { running: false, takeIds: [] },
    });
  });
});
