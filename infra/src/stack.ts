import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childExit, stopChild } from './child-exit.js';
import { boundToParent } from './processes/bound-to-parent.js';
import { startEmbeddedRedis, type EmbeddedRedis } from './embedded-redis.js';
import { describeRedis, redisEnvironment, type RedisSettings } from './redis/redis-settings.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackOptions {
  dataDir: string;
  port: number;
  /** An external Redis (a URL, or Sentinel); without it the stack runs its own under `dataDir/redis`. */
  redis?: RedisSettings;
  /** Extra environment for the show-server and the media-worker. */
  env?: Record<string, string>;
  /** Where each service writes its log; without it they write to this process's stdout. */
  logDir?: string;
  /**
   * The media-worker's own data directory, as on another machine (it then needs an object store
   * in `env`); by default it shares the show-server's.
   */
  workerDataDir?: string;
  /**
   * Runs both services inside this network namespace, reached at `host` (see
   * testing/test-network.ts): a host of its own on this machine.
   */
  netns?: { name: string; host: string };
}

export interface Stack {
  baseUrl: string;
  /** The embedded Redis's URL, or the external one as described for logs. */
  redisUrl: string;
  adminToken: string;
  server: ChildProcess;
  worker: ChildProcess;
  redis: EmbeddedRedis | null;
  /** Services in order: server (finishes takes, enqueues them), worker, then Redis. */
  stop(): Promise<void>;
  /** Starts a new show-server (after the old one was stopped or killed) and waits until it is healthy. */
  restartServer(): Promise<void>;
  /** Stops the media-worker (it finishes its current jobs first). */
  stopWorker(): Promise<void>;
  /** Starts a media-worker again after `stopWorker`. */
  startWorker(): Promise<void>;
  /**
   * Stops the embedded Redis (it flushes its AOF) and starts it again on the same port and data,
   * or, given `rollBackTo` (from `snapshotRedis`), on that older copy of its data: the writes
   * since are gone, as after a failover to a replica that had not received them.
   */
  restartRedis(options?: { rollBackTo?: string }): Promise<void>;
  /** Restarts the embedded Redis, keeping a copy of its data as it was; returns the copy's path. */
  snapshotRedis(): Promise<string>;
}

/** Starts what `npm start` runs: Redis (unless given), the show-server and one media-worker. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const redis = options.redis
    ? null
    : await startEmbeddedRedis({ dir: path.join(dataDir, 'redis') });
  const settings = options.redis ?? { kind: 'url', url: redis!.url };
  if (options.logDir) await mkdir(options.logDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    PORT: String(options.port),
    SHOWREC_DATA_DIR: dataDir,
    REDIS_URL: undefined,
    REDIS_SENTINELS: undefined,
    ...redisEnvironment(settings),
  };
  const workerEnv = options.workerDataDir
    ? { ...env, SHOWREC_DATA_DIR: path.resolve(options.workerDataDir) }
    : env;
  const start = (service: string, serviceEnv: NodeJS.ProcessEnv) =>
    launch(service, serviceEnv, options.logDir, options.netns?.name);
  const server = await start('show-server', env);
  const worker = await start('media-worker', workerEnv);
  // With SHOWREC_TLS_CERT the show-server serves https only.
  const baseUrl = `${env.SHOWREC_TLS_CERT ? 'https' : 'http'}://${options.netns?.host ?? '127.0.0.1'}:${options.port}`;
  const stack: Stack = {
    baseUrl,
    redisUrl: settings.kind === 'url' ? settings.url : describeRedis(settings),
    adminToken: '',
    server,
    worker,
    redis,
    async stop() {
      await stopChild(stack.server);
      await stopChild(stack.worker);
      await stack.redis?.stop();
    },
    async stopWorker() {
      await stopChild(stack.worker);
    },
    async startWorker() {
      stack.worker = await start('media-worker', workerEnv);
    },
    async restartServer() {
      await stopChild(stack.server);
      stack.server = await start('show-server', env);
      await waitForHealthy(baseUrl, stack.server);
    },
    async restartRedis(restart = {}) {
      if (!stack.redis) throw new Error('this stack uses an external Redis');
      const dir = path.join(dataDir, 'redis');
      await stack.redis.stop();
      if (restart.rollBackTo) {
        await rm(dir, { recursive: true, force: true });
        await cp(restart.rollBackTo, dir, { recursive: true });
      }
      stack.redis = await startEmbeddedRedis({ dir, port: stack.redis.port });
    },
    async snapshotRedis() {
      if (!stack.redis) throw new Error('this stack uses an external Redis');
      const copy = path.join(dataDir, `redis-snapshot-${Date.now()}`);
      await stack.redis.stop();
      await cp(path.join(dataDir, 'redis'), copy, { recursive: true });
      stack.redis = await startEmbeddedRedis({
        dir: path.join(dataDir, 'redis'),
        port: stack.redis.port,
      });
      return copy;
    },
  };
  try {
    await waitForHealthy(baseUrl, server);
    stack.adminToken =
      options.env?.SHOWREC_ADMIN_TOKEN ??
      process.env.SHOWREC_ADMIN_TOKEN ??
      (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

async function launch(
  service: string,
  env: NodeJS.ProcessEnv,
  logDir?: string,
  netns?: string,
): Promise<ChildProcess> {
  const entry = path.join(repoRoot, service, 'dist', 'main.js');
  const [command, args] = boundToParent(process.execPath, [entry]);
  // `ip netns exec` enters the namespace and execs the command: the pid stays the service's.
  const [file, argv]: [string, string[]] = netns
    ? ['ip', ['netns', 'exec', netns, command, ...args]]
    : [command, args];
  // Own process group: Ctrl-C reaches only the launcher, which stops the services in order; if
  // the launcher dies without doing so, the kernel tells the service (SIGTERM) all the same.
  const child = spawn(file, argv, {
    env,
    cwd: repoRoot,
    detached: true,
    stdio: logDir ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  if (logDir) {
    const log = createWriteStream(path.join(logDir, `${service}.log`), { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
  }
  await spawned;
  return child;
}

/**
 * The status of our own child's health check. Over https the certificate is for the public
 * hostname, not 127.0.0.1, so it is not verified: this only asks whether the process is up.
 */
function healthStatus(url: string): Promise<number> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

async function waitForHealthy(
  baseUrl: string,
  server: ChildProcess,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void childExit(server).then(() => (exited = true));
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the show-server exited during start (code ${server.exitCode})`);
    try {
      const status = await healthStatus(`${baseUrl}/healthz`);
      if (status === 200) return;
      last = `status ${status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the stack did not become healthy within ${timeoutMs} ms: ${last}`);
}
