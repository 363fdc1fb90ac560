import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { childExit, stopChild } from '../child-exit.js';
import { freeTcpPort } from '../free-port.js';
import { boundToParent } from '../processes/bound-to-parent.js';

const run = promisify(execFile);

/** What an S3 client needs to reach the store (see ../shared/notes/object-store.md). */
export interface S3Endpoint {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SwiftServer extends S3Endpoint {
  /** Stops every server by its pid (Swift's servers leave their process group). */
  stop(): Promise<void>;
  /** Starts the stopped store again: same address, same objects (a store that was unreachable). */
  start(): Promise<void>;
  /**
   * Its processes, for a benchmark to count the store's CPU apart from showrec's: memcached, the
   * account, container and object servers, then the proxy.
   */
  pids(): number[];
}

const SERVERS = ['account', 'container', 'object'] as const;

/**
 * Each server's ring (part power 10, one replica, one device) in one Python process with Swift's
 * own RingBuilder: nine `swift-ring-builder` runs took 7 s of every start.
 */
const RING_BUILDER = `
import sys
from swift.common.ring import RingBuilder
for spec in sys.argv[2:]:
    name, port = spec.split(':')
    builder = RingBuilder(10, 1, 1)
    builder.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': int(port), 'device': 'd1', 'weight': 1})
    builder.rebalance()
    builder.get_ring().save(f'{sys.argv[1]}/{name}.ring.gz')
`;

/**
 * A private single-node OpenStack Swift with its S3 API, on loopback, storing under `dir`: the
 * real S3-compatible store the tests and benchmarks run against. Installed by
 * `infra/setup.sh --for-tests`; the hash prefix and suffix come from /etc/swift/swift.conf,
 * which that script writes, whatever `swift_dir` says.
 */
export async function startSwift(options: {
  dir: string;
  /** Where its S3 endpoint listens (default loopback), e.g. a test network's gateway. */
  host?: string;
}): Promise<SwiftServer> {
  if (!existsSync('/usr/bin/swift-proxy-server'))
    throw new Error('OpenStack Swift is not installed: run `bash infra/setup.sh --for-tests`');
  // A port found free can be taken by another process before Swift binds it (tests start many
  // servers at once): each server gives up at once, and the store starts again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchSwift(path.resolve(options.dir), options.host ?? '127.0.0.1');
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

async function launchSwift(dir: string, host: string): Promise<SwiftServer> {
  const etc = path.join(dir, 'etc');
  await rm(etc, { recursive: true, force: true });
  await mkdir(path.join(dir, 'node', 'd1'), { recursive: true });
  await mkdir(path.join(dir, 'run'), { recursive: true });
  await mkdir(etc, { recursive: true });
  const ports = {
    proxy: await freeTcpPort(),
    memcached: await freeTcpPort(),
    account: await freeTcpPort(),
    container: await freeTcpPort(),
    object: await freeTcpPort(),
  };
  const user = userInfo().username;
  const common = [
    '[DEFAULT]',
    `devices = ${path.join(dir, 'node')}`,
    'mount_check = false',
    'disable_fallocate = true',
    `user = ${user}`,
    `swift_dir = ${etc}`,
    'workers = 0',
    'bind_timeout = 1',
    'log_level = WARNING',
  ];
  for (const server of SERVERS) {
    await writeFile(
      path.join(etc, `${server}-server.conf`),
      [
        ...common,
        'bind_ip = 127.0.0.1',
        `bind_port = ${ports[server]}`,
        '',
        '[pipeline:main]',
        `pipeline = ${server}-server`,
        '',
        `[app:${server}-server]`,
        `use = egg:swift#${server}`,
        '',
      ].join('\n'),
    );
  }
  await run('/usr/bin/python3', [
    '-c',
    RING_BUILDER,
    etc,
    ...SERVERS.map((server) => `${server}:${ports[server]}`),
  ]);
  await writeFile(
    path.join(etc, 'proxy-server.conf'),
    [
      ...common,
      `bind_ip = ${host}`,
      `bind_port = ${ports.proxy}`,
      '',
      '[pipeline:main]',
      'pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo versioned_writes symlink proxy-logging proxy-server',
      '',
      '[app:proxy-server]',
      'use = egg:swift#proxy',
      'account_autocreate = true',
      // The proxy stops asking a node for 60 s after 10 errors. With one node per ring that
      // turns a backend up a second after the proxy (a loaded machine, a restart) into a minute
      // of 503s, so this store never sets its only node aside.
      'error_suppression_interval = 0',
      '',
      '[filter:tempauth]',
      'use = egg:swift#tempauth',
      'user_test_tester = testing .admin',
      '',
      '[filter:s3api]',
      'use = egg:swift#s3api',
      '',
      '[filter:cache]',
      'use = egg:swift#memcache',
      `memcache_servers = 127.0.0.1:${ports.memcached}`,
      ...[
        'catch_errors',
        'gatekeeper',
        'healthcheck',
        'proxy-logging',
        'listing_formats',
        'copy',
        'slo',
        'dlo',
        'versioned_writes',
        'symlink',
      ].flatMap((f) => ['', `[filter:${f}]`, `use = egg:swift#${f.replace('-', '_')}`]),
      '',
    ].join('\n'),
  );

  let children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => stopChild(c, 'SIGTERM', 5000)));
    children = [];
  };
  const spawnServer = (command: string, args: string[]) => {
    // Bound to this process: a test killed outright does not leave its store behind.
    const child = spawn(...boundToParent(command, args), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    children.push(child);
    return childExit(child).then(() => {
      throw new Error(`${command} exited at start: ${stderr.trim()}`);
    });
  };
  const endpoint: S3Endpoint = {
    endpoint: `http://${host}:${ports.proxy}`,
    region: 'us-east-1',
    accessKeyId: 'test:tester',
    secretAccessKey: 'testing',
  };
  const start = async () => {
    try {
      const exits = [
        spawnServer('memcached', [
          ...['-l', '127.0.0.1', '-p', String(ports.memcached), '-U', '0', '-m', '32'],
          ...['-u', user],
        ]),
        ...SERVERS.map((s) =>
          spawnServer(`swift-${s}-server`, [path.join(etc, `${s}-server.conf`)]),
        ),
        spawnServer('swift-proxy-server', [path.join(etc, 'proxy-server.conf')]),
      ];
      for (const exit of exits) exit.catch(() => undefined);
      await Promise.race([waitForHealth(endpoint), ...exits]);
    } catch (err) {
      await stop();
      throw err;
    }
  };
  await start();
  return { ...endpoint, stop, start, pids: () => children.map((c) => c.pid!) };
}

/** Ready once an object can be written and removed through Swift's own API (every server answers). */
async function waitForHealth(endpoint: S3Endpoint, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await roundTrip(endpoint).catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`Swift at ${endpoint.endpoint} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Signs in with Swift's own auth (tempauth): the account's URL and the header that opens it. */
export async function swiftAccount(
  endpoint: S3Endpoint,
): Promise<{ url: string; headers: { 'X-Auth-Token': string } } | null> {
  const auth = await fetch(`${endpoint.endpoint}/auth/v1.0`, {
    headers: { 'X-Auth-User': endpoint.accessKeyId, 'X-Auth-Key': endpoint.secretAccessKey },
  });
  const token = auth.headers.get('x-auth-token');
  const url = auth.headers.get('x-storage-url');
  return auth.ok && token && url ? { url, headers: { 'X-Auth-Token': token } } : null;
}

async function roundTrip(endpoint: S3Endpoint): Promise<boolean> {
  const account = await swiftAccount(endpoint);
  if (!account) return false;
  const container = `${account.url}/showrec-ready`;
  const steps: Array<[string, string]> = [
    ['PUT', container],
    ['PUT', `${container}/probe`],
    ['DELETE', `${container}/probe`],
    ['DELETE', container],
  ];
  for (const [method, url] of steps) {
    const res = await fetch(url, {
      method,
      headers: account.headers,
      body: method === 'PUT' ? '' : undefined,
    });
    if (!res.ok) return false;
  }
  return true;
}
