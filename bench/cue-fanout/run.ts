/**
 * bench/cue-fanout: how fast a GO reaches every screen and phone.
 *
 * N simulated clients (socket.io, as the stage display and phones connect) watch one show,
 * spread evenly over `--nodes` real show-server processes on one Redis (its adapter on, as in
 * production). A host socket on the first node jumps between two cues; each client notes when
 * the new cue arrives. In the same run, the same N clients connect to as many bare socket.io
 * processes on the same Redis adapter, and a trigger on the first one broadcasts the same
 * payload — the floor for this machine. The two alternate in blocks of rounds (one set of
 * clients connected at a time: 10,000 sockets each way is what one process may open), and the
 * ratio is the figure.
 *
 *   npm run bench:cue-fanout -- --clients 500,2000 --rounds 20
 *   npm run bench:cue-fanout -- --nodes 2 --clients 10000 --rounds 10
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
    nodes: { type: 'string', default: '1' },
  },
});
const levels = values.clients.split(',').map(Number);
const rounds = Number(values.rounds);
const nodes = Number(values.nodes);
/** Rounds per block: each block connects one side's clients, runs its rounds, disconnects them. */
const BLOCK = 5;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `count` clients, dealt in turn to each of `urls`. */
async function connectAll(urls: string[], count: number, auth: object): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = Array.from({ length: Math.min(100, count - start) }, (_, i) =>
      connect(urls[(start + i) % urls.length]!, {
        auth,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      }),
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
const servers = await Promise.all(
  Array.from({ length: nodes }, (_, i) =>
    startServerProcess({
      REDIS_URL: redis.url,
      SHOWREC_DATA_DIR: path.join(dataDir, `node-${i}`),
      SHOWREC_RTC_MIN_PORT: String(40000 + i * 1000),
      SHOWREC_RTC_MAX_PORT: String(40999 + i * 1000),
      LOG_LEVEL: 'warn',
    }),
  ),
);
const bares = Array.from({ length: nodes }, () =>
  spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'bare-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, REDIS_URL: redis.url },
  }),
);
const bareUrls = await Promise.all(
  bares.map(
    (bare) =>
      new Promise<string>((resolve) =>
        bare.stdout.once('data', (d: Buffer) =>
          resolve(`http://127.0.0.1:${Number(d.toString().trim())}`),
        ),
      ),
  ),
);
const serverUrls = servers.map((s) => s.baseUrl);
const first = servers[0]!;

const show = await createTestShow(first.baseUrl, first.adminToken, 'Fan-out');
const api = apiClient(first.baseUrl);
for (const text of ['Cue A', 'Cue B'])
  await api('POST', `/api/shows/${show.id}/cues`, show.hostKey, { kind: 'title', text });
const host = (
  await connectAll([first.baseUrl], 1, { role: 'host', showId: show.id, key: show.hostKey })
)[0]!;
const trigger = (await connectAll([bareUrls[0]!], 1, {}))[0]!;
const payload = (await api<ShowView>('GET', `/api/shows/${show.id}`, show.hostKey)).body;

console.log(
  `bench/cue-fanout: ${os.cpus().length} cores, ${nodes} node${nodes === 1 ? '' : 's'} (and as many bare processes), ${rounds} rounds per level, payload ${JSON.stringify(payload).length} bytes`,
);
const rows = [];
let index = 0;
/**
 * Connects `count` clients to `urls`, runs `block` rounds, each triggered by `jump` (given the
 * cue index to go to), and disconnects them; returns every client's delay in every round.
 */
async function block(
  urls: string[],
  auth: object,
  count: number,
  rounds: number,
  jump: (index: number) => Promise<unknown>,
): Promise<number[]> {
  const clients = await connectAll(urls, count, auth);
  const delays: number[] = [];
  for (let r = 0; r < rounds; r++) {
    index = (index + 1) % 2;
    const want = index;
    delays.push(
      ...(await round(
        clients,
        () => jump(want),
        (v) => v.currentCueIndex === want,
      )),
    );
  }
  for (const s of clients) s.disconnect();
  return delays;
}
for (const count of levels) {
  const showrec: number[] = [];
  const baseline: number[] = [];
  for (let done = 0; done < rounds; done += BLOCK) {
    const size = Math.min(BLOCK, rounds - done);
    showrec.push(
      ...(await block(serverUrls, { role: 'stage', showId: show.id }, count, size, (want) =>
        host.timeout(10_000).emitWithAck('cue:jump', { index: want }),
      )),
    );
    baseline.push(
      ...(await block(bareUrls, {}, count, size, (want) =>
        trigger.timeout(10_000).emitWithAck('go', { ...payload, currentCueIndex: want }),
      )),
    );
  }
  showrec.sort((a, b) => a - b);
  baseline.sort((a, b) => a - b);
  const row = {
    nodes,
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
for (const bare of bares) bare.kill();
await Promise.all(servers.map((s) => s.stop()));
await redis.stop();
