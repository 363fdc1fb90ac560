import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { childExit, stopChild } from './child-exit.js';
import { boundToParent } from './processes/bound-to-parent.js';
import { freeTcpPort } from './free-port.js';

export interface EmbeddedRedis {
  url: string;
  port: number;
  pid: number;
  /** Shuts Redis down (it flushes the AOF first) and waits for the process to exit. */
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  /** Redis keeps its AOF here. */
  dir: string;
  /** Defaults to a free local port; pass the old one to restart on the same address. */
  port?: number;
  /** More redis-server options, e.g. `['--replicaof', host, port]` for a replica. */
  args?: string[];
  /** The address it listens on (default loopback), e.g. a test network's for nodes in other namespaces. */
  host?: string;
}

/**
 * A private redis-server for one stack or one test: loopback only, AOF on (fsync every second),
 * no RDB snapshots, data under `dir`.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  await mkdir(options.dir, { recursive: true });
  const port = options.port ?? (await freeTcpPort());
  const host = options.host ?? '127.0.0.1';
  // prettier-ignore
  // Bound to its parent: a stack or a test killed outright does not leave its Redis behind.
  const child = spawn(
    ...boundToParent('redis-server', [
      '--port', String(port),
      '--bind', host,
      // Off loopback only on a test network of this machine's own (see testing/test-network.ts).
      '--protected-mode', host === '127.0.0.1' ? 'yes' : 'no',
      '--dir', path.resolve(options.dir),
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--save', '',
      '--daemonize', 'no',
      '--loglevel', 'warning',
      ...(options.args ?? []),
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error(
              'redis-server is not installed: run `npm run setup` (it apt-installs redis-server)',
            )
          : err,
      ),
    );
  });
  await spawned;
  const url = `redis://${host}:${port}`;
  const exited = childExit(child).then(() => {
    throw new Error(`redis-server exited at start (port ${port}): ${output.trim()}`);
  });
  await Promise.race([waitForPing(url), exited]);
  exited.catch(() => undefined);
  return { url, port, pid: child.pid!, stop: () => stopChild(child, 'SIGTERM') };
}

/** Waits until the Redis at `url` (a server or a sentinel) answers PING. */
export async function waitForPing(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`redis at ${url} did not answer PING`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}
