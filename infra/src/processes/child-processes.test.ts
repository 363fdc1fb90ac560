import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChildProcesses, ChildProcessFailed } from './child-processes.js';
import { identityOf, isRunning, processAlive, signalExactly } from './process-identity.js';
import { childExit } from '../child-exit.js';
import { waitFor } from '../testing/wait-for.js';

const node = process.execPath;
const forever = ['-e', 'setInterval(() => {}, 1000)'];

describe('ChildProcesses (real processes)', () => {
  it('runs a program to its end with its output; a failure carries its exit and stderr', async () => {
    const processes = new ChildProcesses();
    const { stdout } = await processes.run(node, [
      '-e',
      'process.stdout.write("x".repeat(200000))',
    ]);
    expect(stdout.length).toBe(200_000);
    const failed = await processes
      .run(node, ['-e', 'console.error("bad input"); process.exit(3)'])
      .catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(ChildProcessFailed);
    expect((failed as ChildProcessFailed).exit.code).toBe(3);
    expect((failed as Error).message).toMatch(/exited with 3: bad input/);
    await expect(
      processes.run(node, ['-e', 'process.stdout.write("y".repeat(5000))'], { maxBuffer: 100 }),
    ).rejects.toThrow(/more than 100 bytes/);
    await expect(processes.run('/no/such/program', [])).rejects.toThrow(/ENOENT/);
    expect(processes.size).toBe(0);
  });

  it('stops a child when its work is aborted, and every child at shutdown', async () => {
    const processes = new ChildProcesses();
    const abort = new AbortController();
    const aborted = await processes.spawn(node, forever, { signal: abort.signal });
    const other = await processes.spawn(node, forever);
    const adopted = processes.adopt(spawn(node, forever));
    expect(processes.size).toBe(3);
    abort.abort();
    expect(await aborted.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(processes.size).toBe(2);
    await processes.stopAll();
    expect(await other.exited).toMatchObject({ signal: 'SIGTERM' });
    expect(await adopted.exited).toMatchObject({ signal: 'SIGTERM' });
    expect(processes.size).toBe(0);
  });

  it('names a process by pid and start time: a gone process is never signalled, even with its pid', async () => {
    const processes = new ChildProcesses();
    const child = await processes.spawn(node, forever);
    const identity = child.identity!;
    expect(identity).toEqual(identityOf(identity.pid));
    expect(isRunning(identity)).toBe(true);
    // The same pid with another start time is another process.
    expect(signalExactly({ ...identity, startTime: identity.startTime + 1 }, 'SIGKILL')).toBe(
      false,
    );
    expect(signalExactly({ ...identity, host: 'another-host' }, 'SIGKILL')).toBe(false);
    expect(isRunning(identity)).toBe(true);
    expect(signalExactly(identity, 'SIGKILL')).toBe(true);
    await child.exited;
    expect(isRunning(identity)).toBe(false);
    expect(signalExactly(identity, 'SIGKILL')).toBe(false);
  });

  it('does not count a zombie as running: it has exited, only nobody has reaped it yet', async () => {
    // The shell starts a short sleep, then becomes a long one, which never reaps the first.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(await new Promise<string>((r) => parent.stdout.once('data', r)));
      await waitFor('the orphaned child to exit', async () =>
        readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ') ? true : null,
      );
      expect(processAlive(pid)).toBe(false);
      expect(processAlive(parent.pid!)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      await childExit(parent);
    }
  });
});
