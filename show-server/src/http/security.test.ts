import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShowCreated } from '@showrec/protocol';
import {
  connectSocket,
  createTestShow,
  emit,
  nextEvent,
  type TestSocket,
} from '../test-support/api-client.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

describe('security edges (real server process)', () => {
  let server: ServerWithRedis;
  let show: ShowCreated;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    server = await startServerWithRedis({
      SHOWREC_CORS_ORIGINS: 'https://console.example',
      SHOWREC_JOIN_LIMIT_PER_MIN: '5',
      SHOWREC_SOCKET_EVENTS_PER_SEC: '5',
    });
    show = await createTestShow(server.baseUrl, server.adminToken, 'Secure show');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server?.stop();
  });

  it('sends security headers, without forcing https on a venue network', async () => {
    const res = await fetch(`${server.baseUrl}/control`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('allows cross-origin calls only from the configured origins', async () => {
    const allowed = await fetch(`${server.baseUrl}/healthz`, {
      headers: { origin: 'https://console.example' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example');
    const other = await fetch(`${server.baseUrl}/healthz`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits how fast one address can try join codes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await fetch(`${server.baseUrl}/api/join/ZZZZZ${i + 2}`)).status);
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const refused = await fetch(`${server.baseUrl}/api/join/ZZZZZZ`);
    expect(await refused.json()).toEqual({
      error: 'too many join attempts from this address: wait a minute and try again',
    });
  });

  it('refuses a socket flooding events, and the socket recovers after a pause', async () => {
    const socket = connectSocket(server.baseUrl, { role: 'audience' });
    sockets.push(socket);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => emit(socket, 'media:ready', {})),
    );
    const slowed = answers.filter(
      (a) => !a.ok && a.error === 'too many requests: slow down',
    ).length;
    expect(slowed).toBeGreaterThanOrEqual(15);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await emit(socket, 'media:ready', {})).toEqual({
      ok: false,
      code: 'conflict',
      error: 'join a show first',
    });
  });

  it('never writes a secret to its logs', async () => {
    const host = connectSocket(server.baseUrl, {
      role: 'host',
      showId: show.id,
      key: show.hostKey,
    });
    sockets.push(host);
    await nextEvent(host, 'show:state');
    await fetch(`${server.baseUrl}/api/shows/${show.id}`, {
      headers: { authorization: `Bearer ${show.crewKey}` },
    });
    await fetch(`${server.baseUrl}/api/shows/${show.id}/go`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-key-attempt' },
    });
    await new Promise((r) => setTimeout(r, 300));
    const logs = server.logs();
    expect(logs).toContain('request refused');
    for (const secret of [server.adminToken, show.hostKey, show.crewKey, 'wrong-key-attempt'])
      expect(logs).not.toContain(secret);
  });
});
