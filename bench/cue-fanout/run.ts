/**
 * bench/cue-fanout: how fast a GO reaches every screen and phone.
 *
 * N simulated clients (socket.io, as the stage display and phones connect) watch one show on a
 * real show-server process (Redis adapter on, as in production). A host socket jumps between two
 * cues; each client notes when the new cue arrives. In the same run, the same N clients' worth
 * of connections receive the same payload from a bare socket.io broadcast in its own process —
 * the floor for this machine. Rounds alternate between the two, and the ratio is the figure.
 *
 *   npm run bench:cue-fanout -- --clients 500,2000 --rounds 20
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import { startEmbeddedRedis } from '@showrec/infra';
import type { ShowView } from '@showrec/protocol';
import { apiClient, createTestShow } from '@showrec/show-server/src/test-support/api-client.ts';
import { startServerProcess } from '@showrec/show-server/src/test-support/server-process.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '500,2000' },
    rounds: { type: 'string', default: '20' },
  },
});
const levels = values.clients.split(',').map(Number);
const rounds = Number(values.rounds);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function connectAll(url: string, count: number, auth: object): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = Array.from({ length: Math.min(100, count - start) }, () =>
      connect(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true }),
    );
    await Promise.all(
      batch.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            s.once('connect', () => resolve());
            s.once('connect_error', reject);
          }),
      ),
    );
    sockets.push(...batch);
  }
  return sockets;
}

/** Sends one trigger and resolves with each client's delay until `arrived` says the cue is there. */
async function round(
  clients: Socket[],
  trigger: () => Promise<unknown>,
  arrived: (payload: ShowView) => boolean,
): Promise<number[]> {
  const delays: number[] = [];
  let started = 0;
  const done = new Promise<void>((resolve) => {
    for (const client of clients) {
      const listener = (payload: ShowView) => {
        if (!arrived(payload)) return;
        delays.push(performance.now() - started);
        client.off('show:state', listener);
        if (delays.length === clients.length) resolve();
      };
      client.on('show:state', listener);
    }
  });
  started = performance.now();
  await trigger();
  await done;
  return delays;
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'showrec-fanout-'));
const redis = await startEmbeddedRedis({ dir: path.join(dataDir, 'redis') });
const server = await startServerProcess({
  REDIS_URL: redis.url,
  SHOWREC_DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
});
const bare = spawn(
  process.execPath,
  ['--import', 'tsx', path.join(import.meta.dirname, 'bare-server.ts')],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const barePort = await new Promise<number>((resolve) =>
  bare.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
);
const bareUrl = `http://127.0.0.1:${barePort}`;

const show = await createTestShow(server.baseUrl, server.adminToken, 'Fan-out');
const api = apiClient(server.baseUrl);
for (const text of ['Cue A', 'Cue B'])
  await api('POST', `/api/shows/${show.id}/cues`, show.hostKey, { kind: 'title', text });
const host = (
  await connectAll(server.baseUrl, 1, { role: 'host', showId: show.id, key: show.hostKey })
)[0]!;
const trigger = (await connectAll(bareUrl, 1, {}))[0]!;
const payload = (await api<ShowView>('GET', `/api/shows/${show.id}`, show.hostKey)).body;

console.log(
  `bench/cue-fanout: ${os.cpus().length} cores, ${rounds} rounds per level, payload ${JSON.stringify(payload).length} bytes`,
);
const rows = [];
for (const count of levels) {
  const showrecClients = await connectAll(server.baseUrl, count, {
    role: 'stage',
    showId: show.id,
  });
  const bareClients = await connectAll(bareUrl, count, {});
  const showrec: number[] = [];
  const baseline: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const index = (r + 1) % 2;
    showrec.push(
      ...(await round(
        showrecClients,
        () => host.timeout(10_000).emitWithAck('cue:jump', { index }),
        (v) => v.currentCueIndex === index,
      )),
    );
    baseline.push(
      ...(await round(
        bareClients,
        () => trigger.timeout(10_000).emitWithAck('go', { ...payload, currentCueIndex: index }),
        (v) => v.currentCueIndex === index,
      )),
    );
  }
  for (const s of [...showrecClients, ...bareClients]) s.disconnect();
  showrec.sort((a, b) => a - b);
  baseline.sort((a, b) => a - b);
  const row = {
    clients: count,
    'showrec p50 ms': percentile(showrec, 50).toFixed(1),
    'showrec p99 ms': percentile(showrec, 99).toFixed(1),
    'bare p50 ms': percentile(baseline, 50).toFixed(1),
    'bare p99 ms': percentile(baseline, 99).toFixed(1),
    'ratio p50': (percentile(showrec, 50) / percentile(baseline, 50)).toFixed(2),
    'ratio p99': (percentile(showrec, 99) / percentile(baseline, 99)).toFixed(2),
  };
  rows.push(row);
  console.table([row]);
}
host.disconnect();
trigger.disconnect();
bare.kill();
await server.stop();
await redis.stop();
