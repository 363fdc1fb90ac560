/**
 * `bench:capture --nodes N`: the same simulated phones, placed by showrec's placement
 * (nodes/placement.ts over the NodeRegistry in Redis) on one node and then on N nodes, each node a
 * process of its own with its own mediasoup workers (one per core, a show-server's default),
 * recorders and disk (node-host.ts). On one machine N nodes do not hold N times the streams (they
 * share its cores); what it shows is that
 * placement spreads the phones, each node records its own, and nothing is lost or refused that
 * one node alone would have held.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '@showrec/infra';
import type { RtpTarget } from '@showrec/infra';
import { NodeRegistry } from '@showrec/show-server/src/nodes/node-registry.ts';
import { choosePlacement } from '@showrec/show-server/src/nodes/placement.ts';
import type { NodeReport, NodeRequest } from './node-host.ts';
import { totalCpuSeconds } from './cpu.ts';
import { RtpLoad, type ClipPackets } from './rtp-load.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface NodeHost {
  id: string;
  child: ChildProcess;
  ask<T>(request: NodeRequest): Promise<T>;
}

function startNodeHost(index: number, env: Record<string, string>): Promise<NodeHost> {
  const child = fork(path.join(import.meta.dirname, 'node-host.ts'), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let seq = 0;
  const ready = new Promise<void>((resolve) =>
    waiting.set(0, { resolve: () => resolve(), reject: () => undefined }),
  );
  child.on('message', (m: { seq: number; answer?: unknown; error?: string }) => {
    const pending = waiting.get(m.seq);
    waiting.delete(m.seq);
    if (m.error) pending?.reject(new Error(`node ${index}: ${m.error}`));
    else pending?.resolve(m.answer);
  });
  const host: NodeHost = {
    id: env.BENCH_NODE_ID!,
    child,
    ask: <T>(request: NodeRequest) =>
      new Promise<T>((resolve, reject) => {
        seq += 1;
        waiting.set(seq, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ seq, request });
      }),
  };
  return ready.then(() => host);
}

export async function benchNodes(options: {
  nodes: number;
  levels: number[];
  seconds: number;
  dir: string;
  packets: ClipPackets;
  phoneBps: number;
  capacityStreams: number;
  segmentSeconds: number;
}): Promise<void> {
  const redis = await startEmbeddedRedis({ dir: path.join(options.dir, 'redis') });
  const client = new Redis(redis.url);
  const registry = new NodeRegistry(client);
  // Every node as a show-server runs by default: a mediasoup worker per core.
  const workersPerNode = os.cpus().length;
  const hosts = await Promise.all(
    Array.from({ length: options.nodes }, (_, i) =>
      startNodeHost(i, {
        REDIS_URL: redis.url,
        BENCH_NODE_ID: `bench-node-${i}`,
        BENCH_NODE_DIR: path.join(options.dir, `node-${i}`),
        BENCH_WORKERS: String(workersPerNode),
        BENCH_PHONE_BPS: String(options.phoneBps),
        BENCH_CAPACITY_STREAMS: String(options.capacityStreams),
        BENCH_SEGMENT_SECONDS: String(options.segmentSeconds),
        BENCH_RTC_MIN_PORT: String(40000 + i * 2000),
        BENCH_RTC_MAX_PORT: String(41999 + i * 2000),
      }),
    ),
  );
  console.log(
    `--nodes ${options.nodes}: each node a process with ${workersPerNode} mediasoup worker(s), capacity ${options.capacityStreams} streams; phones placed by showrec's placement; one node, then all ${options.nodes}, per level`,
  );
  for (const streams of options.levels) {
    const rows = [];
    for (const count of [1, options.nodes]) {
      const used = hosts.slice(0, count);
      const ids = new Set(used.map((h) => h.id));
      const load = new RtpLoad(options.packets);
      let refused = 0;
      for (let i = 0; i < streams; i++) {
        const best = choosePlacement(
          (await registry.list()).filter((n) => ids.has(n.id)),
          '',
        );
        if (!best) {
          refused += 1;
          continue;
        }
        await registry.reserve(best.id);
        const host = used.find((h) => h.id === best.id)!;
        load.add(await host.ask<[RtpTarget, RtpTarget]>({ type: 'add' }));
      }
      await sleep(1500);
      await Promise.all(used.map((h) => h.ask({ type: 'record' })));
      const senderStart = totalCpuSeconds([load.pid]);
      await sleep(options.seconds * 1000);
      const reports = await Promise.all(used.map((h) => h.ask<NodeReport>({ type: 'stop' })));
      const senderCpu = totalCpuSeconds([load.pid]) - senderStart;
      await load.close();
      const recorded = reports.reduce((n, r) => n + r.phones, 0);
      const packets = reports.reduce((n, r) => n + r.packets, 0);
      const lost = reports.reduce((n, r) => n + r.lost, 0);
      const expected = options.seconds * 30;
      const frames = reports.flatMap((r) => r.frames);
      const cpuPerStream =
        (reports.reduce((s, r) => s + r.cpuSeconds / r.wallSeconds, 0) / Math.max(1, recorded)) *
        100;
      rows.push({
        streams,
        nodes: count,
        'phones per node': reports.map((r) => r.phones).join(' / '),
        refused,
        'loss %': (packets > 0 ? (lost / (packets + lost)) * 100 : 100).toFixed(3),
        'files complete': `${frames.filter((f) => f >= expected * 0.99).length}/${recorded}`,
        'open on a keyframe': `${reports.reduce((n, r) => n + r.keyframeFirst, 0)}/${recorded}`,
        'worst A/V end gap ms': Math.max(...reports.map((r) => r.worstEndGapMs)).toFixed(0),
        'showrec CPU %/stream': cpuPerStream.toFixed(2),
        'senders CPU %/stream': (
          (senderCpu / options.seconds / Math.max(1, recorded)) *
          100
        ).toFixed(2),
      });
    }
    console.table(rows);
  }
  for (const host of hosts) host.child.disconnect();
  await Promise.all(hosts.map((h) => new Promise((r) => h.child.once('exit', r))));
  client.disconnect();
  await redis.stop();
}
