import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeTcpPort, startEmbeddedRedis, stopChild } from '@showrec/infra';
import type { MediaStore } from '@showrec/media-store';
import { startTestStore, type TestStore } from '@showrec/media-store/testing';

export interface ServerProcess {
  baseUrl: string;
  port: number;
  dataDir: string;
  adminToken: string;
  /** Where the server keeps media: the data directory, or (SHOWREC_TEST_STORAGE=s3) a Swift. */
  media: MediaStore;
  child: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * The built show-server as its own process, exactly as the stack runs it, with a media store of
 * its own unless it is given one (two servers sharing a store).
 */
export async function startServerProcess(
  env: Record<string, string>,
  shared?: TestStore,
): Promise<ServerProcess> {
  const dataDir = env.SHOWREC_DATA_DIR ?? (await mkdtemp(path.join(tmpdir(), 'showrec-server-')));
  const store = shared ?? (await startTestStore(dataDir));
  // Only once the store listens: a free port picked before could become one of its own.
  const port = await freeTcpPort();
  const adminToken = 'test-admin-token-0123456789';
  const child = spawn(
    process.execPath,
    [path.join(import.meta.dirname, '..', '..', 'dist', 'main.js')],
    {
      env: {
        ...process.env,
        PORT: String(port),
        SHOWREC_DATA_DIR: dataDir,
        SHOWREC_ADMIN_TOKEN: adminToken,
        SHOWREC_MEDIASOUP_WORKERS: '1',
        SHOWREC_RTC_LISTEN_IP: '127.0.0.1',
        SHOWREC_RTC_ANNOUNCED_IP: '127.0.0.1',
        SHOWREC_OSC_PORT: 'off',
        SHOWREC_MIN_FREE_MB: '16',
        ...store.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const ca = env.SHOWREC_TLS_CERT ? await readFile(env.SHOWREC_TLS_CERT, 'utf8') : null;
  const baseUrl = `${ca ? 'https' : 'http'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      if (!shared) await store.stop();
      throw new Error(`show-server exited at start: ${output}`);
    }
    const up = await (
      ca ? httpsStatus(`${baseUrl}/healthz`, ca) : fetch(`${baseUrl}/healthz`)
    ).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      // A server that never listened must not outlive the test that started it.
      await stopChild(child, 'SIGKILL');
      if (!shared) await store.stop();
      throw new Error(`show-server did not listen: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    port,
    dataDir,
    adminToken,
    media: store.media,
    child,
    logs: () => output,
    async stop() {
      await stopChild(child);
      if (!shared) await store.stop();
    },
  };
}

/** GET over https trusting `ca` (a test's own certificate); resolves with the status. */
export function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

/** A private Redis and a show-server on it, as most server tests want; stop() stops both. */
export type ServerWithRedis = ServerProcess & { redisUrl: string };

export async function startServerWithRedis(
  env: Record<string, string> = {},
): Promise<ServerWithRedis> {
  const redis = await startEmbeddedRedis({
    dir: await mkdtemp(path.join(tmpdir(), 'showrec-redis-')),
  });
  const server = await startServerProcess({ REDIS_URL: redis.url, ...env }).catch(
    async (err: unknown) => {
      await redis.stop();
      throw err;
    },
  );
  return {
    ...server,
    redisUrl: redis.url,
    async stop() {
      await server.stop();
      await redis.stop();
    },
  };
}
