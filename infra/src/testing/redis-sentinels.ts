import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { childExit, stopChild } from '../child-exit.js';
import { startEmbeddedRedis, waitForPing, type EmbeddedRedis } from '../embedded-redis.js';
import { freeTcpPort } from '../free-port.js';
import { boundToParent } from '../processes/bound-to-parent.js';
import type { RedisSettings } from '../redis/redis-settings.js';

export interface SentinelRedis {
  /** What showrec's services are given: the sentinels and the primary's name. */
  settings: Extract<RedisSettings, { kind: 'sentinel' }>;
  /** The primary and its replica, in the order they were started (the primary first). */
  servers: EmbeddedRedis[];
  /** The address Sentinel names as primary now. */
  primary(): Promise<{ host: string; port: number }>;
  /** Kills the primary outright (SIGKILL) and waits until the sentinels have promoted the replica. */
  killPrimary(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}

const NAME = 'showrec';

/**
 * Redis as Sentinel runs it in production, on one machine: a primary, a replica of it (AOF on
 * both) and three sentinels that agree (quorum 2) on a failover one second after the primary
 * stops answering. Each keeps its files under `dir`.
 */
export async function startSentinelRedis(options: {
  dir: string;
  host?: string;
}): Promise<SentinelRedis> {
  const host = options.host ?? '127.0.0.1';
  const primary = await startEmbeddedRedis({ dir: path.join(options.dir, 'primary'), host });
  const replica = await startEmbeddedRedis({
    dir: path.join(options.dir, 'replica'),
    host,
    args: ['--replicaof', host, String(primary.port)],
  });
  const sentinels: Array<{ child: ChildProcess; port: number }> = [];
  try {
    for (let i = 0; i < 3; i++) {
      const dir = path.join(options.dir, `sentinel-${i}`);
      await mkdir(dir, { recursive: true });
      const port = await freeTcpPort();
      const conf = path.join(dir, 'sentinel.conf');
      // Sentinel rewrites this file as it learns the replicas and the other sentinels.
      await writeFile(
        conf,
        [
          `port ${port}`,
          `bind ${host}`,
          'protected-mode no',
          `dir ${dir}`,
          `sentinel monitor ${NAME} ${host} ${primary.port} 2`,
          `sentinel down-after-milliseconds ${NAME} 1000`,
          `sentinel failover-timeout ${NAME} 10000`,
          `sentinel parallel-syncs ${NAME} 1`,
          '',
        ].join('\n'),
      );
      const child = spawn(...boundToParent('redis-server', [conf, '--sentinel']), {
        stdio: 'ignore',
        detached: true,
      });
      sentinels.push({ child, port });
      await Promise.race([
        waitForPing(`redis://${host}:${port}`),
        childExit(child).then(() => {
          throw new Error(`a sentinel exited at start (port ${port})`);
        }),
      ]);
    }
  } catch (err) {
    for (const s of sentinels) await stopChild(s.child, 'SIGTERM');
    await replica.stop();
    await primary.stop();
    throw err;
  }
  const askSentinel = async (): Promise<{ host: string; port: number }> => {
    const client = new Redis({ host, port: sentinels[0]!.port, maxRetriesPerRequest: 1 });
    try {
      const [h, p] = (await client.call('SENTINEL', 'get-master-addr-by-name', NAME)) as string[];
      return { host: h!, port: Number(p) };
    } finally {
      client.disconnect();
    }
  };
  const servers = [primary, replica];
  // Ready when the replica is in sync and every sentinel knows of it: only then can it take over.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await Promise.all([
      infoOf(replica.url, 'replication').then((info) => info.includes('master_link_status:up')),
      ...sentinels.map(async (s) => {
        const client = new Redis({ host, port: s.port, maxRetriesPerRequest: 1 });
        try {
          return ((await client.call('SENTINEL', 'replicas', NAME)) as unknown[]).length === 1;
        } finally {
          client.disconnect();
        }
      }),
    ]);
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline)
      throw new Error('the replica or the sentinels were not ready in 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    settings: {
      kind: 'sentinel',
      sentinels: sentinels.map((s) => ({ host, port: s.port })),
      name: NAME,
      password: null,
    },
    servers,
    primary: askSentinel,
    async killPrimary() {
      const before = await askSentinel();
      const victim = servers.find((s) => s.port === before.port);
      if (!victim) throw new Error(`no server of this test runs the primary ${before.port}`);
      process.kill(victim.pid, 'SIGKILL');
      const deadline = Date.now() + 30_000;
      for (;;) {
        const now = await askSentinel();
        if (now.port !== before.port) return now;
        if (Date.now() > deadline) throw new Error('the sentinels did not fail over within 30 s');
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      for (const s of sentinels) await stopChild(s.child, 'SIGTERM');
      for (const server of servers) await server.stop().catch(() => undefined);
    },
  };
}

async function infoOf(url: string, section: string): Promise<string> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await client.info(section);
  } finally {
    client.disconnect();
  }
}
