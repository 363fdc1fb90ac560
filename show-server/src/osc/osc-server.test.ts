import dgram from 'node:dgram';
import { toBuffer } from 'osc-min';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import type { ShowCreated, ShowView } from '@showrec/protocol';
import { apiClient, createTestShow } from '../test-support/api-client.js';
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
      SHOWREC_OSC_HOST: '127.0.0.1',
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
    await send(message(`/show/${show.id}/go`));
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
    expect(await liveCue()).toBe(before);
    await send(message(`/show/${show.id}/go`));
    await waitFor('the next cue', async () => (await liveCue()) === before + 1);
  });
});
