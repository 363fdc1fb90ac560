import dgram from 'node:dgram';
import os from 'node:os';
import { toBuffer } from 'osc-min';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import type { ShowCreated, ShowView } from '@showrec/protocol';
import { apiClient, connectSocket, createTestShow, emit } from '../test-support/api-client.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

describe('OSC remote control (real UDP)', () => {
  let server: ServerWithRedis;
  let show: ShowCreated;
  let oscPort: number;
  const sender = dgram.createSocket('udp4');
  const send = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) =>
      sender.send(bytes, oscPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  const message = (
    address: string,
    args: Array<{ type: 'integer' | 'string'; value: number | string }> = [],
  ) => new Uint8Array(toBuffer({ oscType: 'message', address, args } as never).buffer);
  const liveCue = async () =>
    (await apiClient(server.baseUrl)<ShowView>('GET', `/api/shows/${show.id}`, show.hostKey)).body
      .currentCueIndex;

  beforeAll(async () => {
    oscPort = await freeUdpPort();
    server = await startServerWithRedis({
      SHOWREC_OSC_PORT: String(oscPort),
      // Every interface, so the test can also send as a stranger on the LAN would.
      SHOWREC_OSC_HOST: '0.0.0.0',
      SHOWREC_OSC_PER_SEC: '50',
    });
    show = await createTestShow(server.baseUrl, server.adminToken, 'OSC show');
    const api = apiClient(server.baseUrl);
    for (const text of ['one', 'two', 'three', 'four']) {
      await api('POST', `/api/shows/${show.id}/cues`, show.hostKey, { kind: 'title', text });
    }
  });
  afterAll(async () => {
    sender.close();
    await server?.stop();
  });

  it('moves the show with /go, /back and /cue <index>', async () => {
    await send(message(`/show/${show.id}/go`, [{ type: 'integer', value: -1 }]));
    await waitFor('cue 0', async () => (await liveCue()) === 0);
    await send(message(`/show/${show.id}/cue`, [{ type: 'integer', value: 3 }]));
    await waitFor('cue 3', async () => (await liveCue()) === 3);
    await send(message(`/show/${show.id}/back`));
    await waitFor('cue 2', async () => (await liveCue()) === 2);
  });

  it('starts and stops capture', async () => {
    const running = async () =>
      (await apiClient(server.baseUrl)<ShowView>('GET', `/api/shows/${show.id}`, show.hostKey)).body
        .capture.running;
    await send(message(`/show/${show.id}/capture/start`));
    await waitFor('capture running', running);
    await send(message(`/show/${show.id}/capture/stop`));
    await waitFor('capture stopped', async () => !(await running()));
  });

  it('ignores and logs malformed packets, unknown addresses and bad arguments, and keeps serving', async () => {
    const before = await liveCue();
    await send(new Uint8Array([0x2f, 0x73, 0x68, 0x6f, 0x77, 0x00, 0xff, 0x01, 0x02]));
    await waitFor('the malformed packet in the log', async () =>
      server.logs().includes('ignored a malformed OSC packet'),
    );
    await send(message(`/show/${show.id}/explode`));
    await waitFor('the unknown address in the log', async () =>
      server.logs().includes('ignored an OSC message with an unknown address'),
    );
    await send(message(`/show/${show.id}/cue`, [{ type: 'string', value: 'three' }]));
    await waitFor('the bad argument in the log', async () =>
      server.logs().includes('ignored /cue without an integer cue index'),
    );
    await send(message(`/show/${show.id}/cue`, [{ type: 'integer', value: 99 }]));
    await waitFor('the refused jump in the log', async () =>
      server.logs().includes('OSC command refused'),
    );
    await send(message(`/show/${show.id}/go`));
    await waitFor('the GO without its cue in the log', async () =>
      server.logs().includes('ignored /go without the cue it moves from'),
    );
    expect(await liveCue()).toBe(before);
    await send(message(`/show/${show.id}/go`, [{ type: 'integer', value: before }]));
    await waitFor('the next cue', async () => (await liveCue()) === before + 1);
  });

  it('moves one cue for a bundle of GOs from the same cue, and ignores a stale GO', async () => {
    await send(message(`/show/${show.id}/cue`, [{ type: 'integer', value: 0 }]));
    await waitFor('cue 0', async () => (await liveCue()) === 0);
    const go = {
      oscType: 'message',
      address: `/show/${show.id}/go`,
      args: [{ type: 'integer', value: 0 }],
    };
    const bundle = toBuffer({
      oscType: 'bundle',
      timetag: [0, 1],
      elements: Array(8).fill(go),
    } as never);
    await send(new Uint8Array(bundle.buffer));
    await waitFor('cue 1', async () => (await liveCue()) === 1);
    await send(message(`/show/${show.id}/go`, [{ type: 'integer', value: 0 }]));
    await send(message(`/show/${show.id}/back`));
    await waitFor('back on cue 0', async () => (await liveCue()) === 0);
    expect(server.logs()).toContain('ignored a GO from a cue no longer live');
  });

  it('applies messages in the order they arrive', async () => {
    for (let round = 0; round < 5; round++) {
      for (const index of [3, 0, 2, 1]) {
        await send(message(`/show/${show.id}/cue`, [{ type: 'integer', value: index }]));
      }
      await send(message(`/show/${show.id}/go`, [{ type: 'integer', value: 1 }]));
      await waitFor('the last jump, then its GO', async () => (await liveCue()) === 2);
      await new Promise((r) => setTimeout(r, 100));
      expect(await liveCue()).toBe(2);
    }
  });

  it('takes commands from another machine only with the show’s OSC key in the address', async () => {
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
    expect(lan, 'this test needs a non-loopback IPv4 address').toBeTruthy();
    const stranger = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, lan, () => resolve()));
    const fromLan = (bytes: Uint8Array) =>
      new Promise<void>((resolve, reject) =>
        stranger.send(bytes, oscPort, lan, (err) => (err ? reject(err) : resolve())),
      );
    try {
      await send(message(`/show/${show.id}/cue`, [{ type: 'integer', value: 0 }]));
      await waitFor('cue 0', async () => (await liveCue()) === 0);
      await fromLan(message(`/show/${show.id}/cue`, [{ type: 'integer', value: 2 }]));
      await fromLan(
        message(`/show/${show.id}/wrong-key-0123456789/cue`, [{ type: 'integer', value: 2 }]),
      );
      await waitFor('both refusals in the log', async () =>
        server.logs().split('without this show’s OSC key').length > 2 ? true : null,
      );
      expect(await liveCue()).toBe(0);
      await fromLan(
        message(`/show/${show.id}/${show.oscKey}/cue`, [{ type: 'integer', value: 2 }]),
      );
      await waitFor('cue 2 from the keyed address', async () => (await liveCue()) === 2);
      expect(server.logs()).not.toContain(show.oscKey);
    } finally {
      stranger.close();
    }
  });

  it('refuses capture on a show on standby or ended', async () => {
    const api = apiClient(server.baseUrl);
    const other = await createTestShow(server.baseUrl, server.adminToken, 'Ending show');
    const running = async () =>
      (await api<ShowView>('GET', `/api/shows/${other.id}`, other.hostKey)).body.capture.running;
    const host = connectSocket(server.baseUrl, {
      role: 'host',
      showId: other.id,
      key: other.hostKey,
    });
    try {
      expect(await emit(host, 'standby', { on: true })).toMatchObject({ ok: true });
      expect(
        (await api('POST', `/api/shows/${other.id}/capture/start`, other.hostKey)).status,
      ).toBe(409);
      expect(await emit(host, 'capture:start', {})).toMatchObject({ ok: false, code: 'conflict' });
      await send(message(`/show/${other.id}/capture/start`));
      expect(await emit(host, 'standby', { on: false })).toMatchObject({ ok: true });
      expect(await emit(host, 'show:end', {})).toMatchObject({ ok: true });
      expect(
        (await api('POST', `/api/shows/${other.id}/capture/start`, other.hostKey)).status,
      ).toBe(409);
      await send(message(`/show/${other.id}/capture/start`));
      await waitFor('both OSC refusals in the log', async () =>
        server.logs().split('the show is on standby').length > 1 &&
        server.logs().split('the show has ended').length > 1
          ? true
          : null,
      );
      expect(await running()).toBe(false);
    } finally {
      host.disconnect();
    }
  });

  it('drops what one sender sends beyond its rate', async () => {
    const before = await liveCue();
    const flood = Array.from({ length: 200 }, () => message(`/show/${show.id}/nothing`));
    await Promise.all(flood.map(send));
    await waitFor('the rate limit in the log', async () =>
      server.logs().includes('ignored OSC messages over the rate limit'),
    );
    expect(await liveCue()).toBe(before);
  });
});
