import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childExit, freeTcpPort, processAlive, repoRoot } from '@showrec/infra';
import { healthSchema } from '@showrec/protocol';
import { waitFor } from './support/test-stack.js';

/** Every process below `pid`, with its command line. */
function descendants(pid: number): Array<{ pid: number; cmd: string }> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)!)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), cmd: m[3]! }));
  const found: Array<{ pid: number; cmd: string }> = [];
  const walk = (parent: number) => {
    for (const row of rows.filter((r) => r.ppid === parent)) {
      found.push({ pid: row.pid, cmd: row.cmd });
      walk(row.pid);
    }
  };
  walk(pid);
  return found;
}

describe('npm start (infra/dist/start-stack.js)', () => {
  it('runs redis, the show-server and a media-worker, prints the URLs, and Ctrl-C leaves no process behind', async () => {
    const port = await freeTcpPort();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-start-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      SHOWREC_DATA_DIR: dataDir,
    };
    delete env.REDIS_URL;
    delete env.SHOWREC_ADMIN_TOKEN;
    const launcher = spawn(
      process.execPath,
      [path.join(repoRoot, 'infra', 'dist', 'start-stack.js')],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    launcher.stdout.on('data', (c: Buffer) => (out += c.toString()));
    launcher.stderr.on('data', (c: Buffer) => (out += c.toString()));

    await waitFor('the banner', async () => out.includes('showrec is running'), 60_000);
    for (const url of ['/control', '/stage', '/join', '/healthz'])
      expect(out).toContain(`http://localhost:${port}${url}`);
    const token = /Admin token\s+(\S+)/.exec(out)?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    expect(healthSchema.parse(await res.json())).toMatchObject({
      redis: 'up',
      mediasoup: { status: 'up' },
    });

    const tree = descendants(launcher.pid!);
    expect(tree.some((p) => p.cmd.includes('redis-server'))).toBe(true);
    expect(tree.some((p) => p.cmd.includes('mediasoup-worker'))).toBe(true);
    expect(tree.some((p) => p.cmd.includes('show-server/dist/main.js'))).toBe(true);
    expect(tree.some((p) => p.cmd.includes('media-worker/dist/main.js'))).toBe(true);

    launcher.kill('SIGINT');
    await childExit(launcher);
    expect(launcher.exitCode).toBe(0);
    expect(tree.filter((p) => processAlive(p.pid))).toEqual([]);
  });

  it('kill -9 of `npm start`, or of the launcher itself, leaves nothing running, and the next start works', async () => {
    const port = await freeTcpPort();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-kill-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      SHOWREC_DATA_DIR: dataDir,
      SHOWREC_OSC_PORT: String(await freeTcpPort()),
    };
    delete env.REDIS_URL;
    /** Starts it, waits for the banner, and answers with every process it started. */
    const run = async (command: string, args: string[]) => {
      const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      await waitFor('the banner', async () => out.includes('showrec is running'), 120_000);
      const tree = descendants(child.pid!);
      for (const part of ['redis-server', 'show-server/dist/main.js', 'media-worker/dist/main.js'])
        expect(tree.some((p) => p.cmd.includes(part))).toBe(true);
      return { child, tree };
    };
    const gone = (tree: Array<{ pid: number }>) =>
      waitFor(
        'every process of the stack gone',
        async () => (tree.every((p) => !processAlive(p.pid)) ? true : null),
        // Past the show-server's own 20-s limit on stopping, so a stop that hangs shows as such.
        30_000,
      );

    const npm = await run('npm', ['start']);
    process.kill(npm.child.pid!, 'SIGKILL');
    await gone(npm.tree);

    const launcher = await run(process.execPath, [
      path.join(repoRoot, 'infra', 'dist', 'start-stack.js'),
    ]);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    launcher.child.kill('SIGKILL');
    await gone(launcher.tree);
  });
});
