import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import { childPidsOf } from '@showrec/infra/processes';
import type { ShowCreated, ShowView, TakeManifest } from '@showrec/protocol';
import {
  apiClient,
  connectSocket,
  createTestShow,
  emit,
  type TestSocket,
} from '../test-support/api-client.js';
import { udpPortsHeldBy } from '../capture/udp-sockets.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

const RTC_MIN = 43500;
const RTC_MAX = 43599;

/**
 * UDP ports in the server's RTC range held by its own mediasoup worker. Other processes on this
 * machine (another test file's workers, any socket given an ephemeral port) may bind ports in
 * that range too.
 */
async function rtcPortsBound(serverPid: number): Promise<number> {
  const workers = childPidsOf(serverPid, 'mediasoup-worker');
  if (workers.length === 0) throw new Error(`no mediasoup worker under process ${serverPid}`);
  return (await udpPortsHeldBy(workers)).filter((port) => port >= RTC_MIN && port <= RTC_MAX)
    .length;
}

/** An audio producer as a phone would describe it, whose phone never sends a packet. */
const silentOpus = {
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 100,
      clockRate: 48000,
      channels: 2,
      parameters: { useinbandfec: 1 },
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [],
  encodings: [{ ssrc: 22_334_455 }],
  rtcp: { cname: 'silent+phone/1', reducedSize: true },
};

describe('what one address may do to a show (real server process, real mediasoup)', () => {
  let server: ServerWithRedis;
  let show: ShowCreated;
  const sockets: TestSocket[] = [];
  const phone = (address = '10.1.0.1') => {
    const socket = connectSocket(
      server.baseUrl,
      { role: 'audience' },
      { 'x-forwarded-for': address },
    );
    sockets.push(socket);
    return socket;
  };
  const view = async () =>
    (await apiClient(server.baseUrl)<ShowView>('GET', `/api/shows/${show.id}`, show.hostKey)).body;
  const join = (socket: TestSocket, name = 'Ada') =>
    emit(socket, 'join', { joinCode: show.joinCode, name });

  beforeAll(async () => {
    server = await startServerWithRedis({
      SHOWREC_JOIN_LIMIT_PER_MIN: '8',
      SHOWREC_MAX_PHONES_PER_ADDRESS: '2',
      SHOWREC_MAX_PHONES_PER_SHOW: '4',
      SHOWREC_RTC_MIN_PORT: String(RTC_MIN),
      SHOWREC_RTC_MAX_PORT: String(RTC_MAX),
    });
    show = await createTestShow(server.baseUrl, server.adminToken, 'Limits');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server?.stop();
  });

  it('socket joins and HTTP lookups share one per-address limit on missed join codes', async () => {
    // Phones behind one address join and rejoin as often as they need: a valid code never counts.
    const venue = phone('10.9.9.9');
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${server.baseUrl}/api/join/${show.joinCode}`, {
        headers: { 'x-forwarded-for': '10.9.9.9' },
      });
      expect(res.status).toBe(200);
      expect(await join(venue, 'Venue phone')).toMatchObject({ ok: true });
    }
    venue.disconnect();
    const guesser = phone('10.9.9.9');
    const guesses: Array<string | number> = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.baseUrl}/api/join/ZZZZZ${i + 2}`, {
        headers: { 'x-forwarded-for': '10.9.9.9' },
      });
      guesses.push(res.status);
    }
    for (let i = 0; i < 4; i++) {
      const ack = await emit(guesser, 'join', { joinCode: `YYYYY${i + 2}`, name: 'Guess' });
      guesses.push(ack.ok ? 'joined' : ack.code);
    }
    expect(guesses).toEqual([
      404,
      404,
      404,
      404,
      404,
      'not-found',
      'not-found',
      'not-found',
      'too-many-requests',
    ]);
    const refused = await fetch(`${server.baseUrl}/api/join/${show.joinCode}`, {
      headers: { 'x-forwarded-for': '10.9.9.9' },
    });
    expect(refused.status).toBe(429);
  });

  it('caps the phones of one address and of one show, and a phone coming back keeps its place', async () => {
    const [a, b, c] = [phone('10.1.0.1'), phone('10.1.0.1'), phone('10.1.0.1')];
    expect(await join(a, 'A1')).toMatchObject({ ok: true });
    const second = await join(b, 'A2');
    expect(second).toMatchObject({ ok: true });
    expect(await join(c, 'A3')).toEqual({
      ok: false,
      code: 'too-many-requests',
      error: 'too many phones have joined from this address (2)',
    });
    // The same phone joining again (its device token) replaces itself.
    const deviceToken = second.ok && 'deviceToken' in second.data ? second.data.deviceToken : '';
    expect(
      await emit(b, 'join', { joinCode: show.joinCode, name: 'A2', deviceToken }),
    ).toMatchObject({ ok: true });
    expect(await join(phone('10.2.0.1'), 'B1')).toMatchObject({ ok: true });
    expect(await join(phone('10.3.0.1'), 'C1')).toMatchObject({ ok: true });
    expect(await join(phone('10.4.0.1'), 'D1')).toEqual({
      ok: false,
      code: 'too-many-requests',
      error: 'this show is full: 4 phones have joined',
    });
    for (const s of sockets.splice(0)) s.disconnect();
    await waitFor('every phone gone', async () => (await view()).phones.joined === 0);
  });

  it('a phone that drops while joining, or while its transport is made, leaves nothing behind', async () => {
    for (let i = 0; i < 5; i++) {
      const socket = phone(`10.5.0.${i}`);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      void join(socket, `Drop ${i}`).catch(() => undefined);
      socket.disconnect();
    }
    const steady = phone('10.6.0.1');
    expect(await join(steady, 'Steady')).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++) {
      const socket = phone(`10.7.0.${i}`);
      expect(await join(socket, `Transport ${i}`)).toMatchObject({ ok: true });
      void emit(socket, 'transport:create', {}).catch(() => undefined);
      socket.disconnect();
    }
    await new Promise((r) => setTimeout(r, 1500));
    const now = await view();
    expect(now.phones.list.map((p) => p.name)).toEqual(['Steady']);
    expect(await rtcPortsBound(server.child.pid!)).toBe(0);
    for (const s of sockets.splice(0)) s.disconnect();
  });

  it('a producer that never sends a packet costs no take and no recorder', async () => {
    const socket = phone('10.8.0.1');
    expect(await join(socket, 'Silent')).toMatchObject({ ok: true });
    const transport = await emit(socket, 'transport:create', {});
    if (!transport.ok) throw new Error(transport.error);
    const produced = await emit(socket, 'produce', {
      transportId: transport.data.id,
      kind: 'audio',
      rtpParameters: silentOpus,
    });
    expect(produced).toMatchObject({ ok: true });
    expect(await emit(socket, 'media:ready', {})).toEqual({ ok: true, data: { state: 'standby' } });
    const api = apiClient(server.baseUrl);
    expect((await api('POST', `/api/shows/${show.id}/capture/start`, show.hostKey)).status).toBe(
      200,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const takes = await api<{ takes: TakeManifest[] }>(
      'GET',
      `/api/shows/${show.id}/takes`,
      show.hostKey,
    );
    expect(takes.body.takes).toEqual([]);
    expect((await view()).phones.list).toMatchObject([{ name: 'Silent', state: 'standby' }]);
    await api('POST', `/api/shows/${show.id}/capture/stop`, show.hostKey);
  });
});

describe('a show-server at capacity (real server process)', () => {
  it('refuses the phone that would overload it, keeps the others, and tells the host', async () => {
    const server = await startServerWithRedis({ SHOWREC_CAPACITY_STREAMS: '2' });
    const phones: TestSocket[] = [];
    try {
      const show = await createTestShow(server.baseUrl, server.adminToken, 'Full house');
      const join = (i: number) => {
        const socket = connectSocket(
          server.baseUrl,
          { role: 'audience' },
          { 'x-forwarded-for': `10.10.0.${i}` },
        );
        phones.push(socket);
        return emit(socket, 'join', { joinCode: show.joinCode, name: `Phone ${i}` });
      };
      expect(await join(1)).toMatchObject({ ok: true });
      expect(await join(2)).toMatchObject({ ok: true });
      const refused = await join(3);
      expect(refused).toMatchObject({ ok: false, code: 'unavailable' });
      expect(!refused.ok && refused.error).toMatch(/^this show-server is at capacity \(2 phones/);
      const view = (
        await apiClient(server.baseUrl)<ShowView>('GET', `/api/shows/${show.id}`, show.hostKey)
      ).body;
      expect(view.phones.joined).toBe(2);
      expect(view.warnings).toEqual([
        expect.stringMatching(/^1 phone could not join: this show-server is at capacity/),
      ]);
    } finally {
      for (const p of phones) p.disconnect();
      await server.stop();
    }
  });
});
