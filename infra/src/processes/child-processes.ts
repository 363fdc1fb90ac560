import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { identityOf, type ProcessIdentity } from './process-identity.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process this service started and answers for. */
export interface OwnedChild {
  readonly process: ChildProcess;
  /** Null only when the child was gone before it could be read. */
  readonly identity: ProcessIdentity | null;
  readonly exited: Promise<ChildExit>;
  /** Signals the child, then SIGKILLs it if it is still there after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ChildExit>;
}

export class ChildProcessFailed extends Error {
  constructor(
    readonly command: string,
    readonly exit: ChildExit,
    readonly stderr: string,
  ) {
    const how = exit.signal ? `was stopped by ${exit.signal}` : `exited with ${exit.code}`;
    super(`${command} ${how}${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`);
  }
}

export interface SpawnOptions {
  stdio?: StdioOptions;
  /** Aborting stops the child (SIGKILL): a cancelled job or a closing worker. */
  signal?: AbortSignal;
  /** Told of the child once it runs (to store its identity, say). */
  onSpawn?: (child: OwnedChild) => void;
}

export interface RunOptions extends SpawnOptions {
  /** stdout beyond this many bytes fails the run (the child is killed). */
  maxBuffer?: number;
}

/**
 * The one owner of a service's child processes (ffmpeg, ffprobe). It spawns them or adopts those
 * a library spawned, keeps each handle until its exit, stops a child when its work is aborted,
 * and stops them all at shutdown. Each child's identity (pid and start time) can be stored, so a
 * process that outlives its parent is found again exactly, never by matching command lines.
 */
export class ChildProcesses {
  readonly #children = new Set<OwnedChild>();

  get size(): number {
    return this.#children.size;
  }

  /** Resolves once the child runs; rejects if it cannot start (no such program…). */
  async spawn(command: string, args: string[], options: SpawnOptions = {}): Promise<OwnedChild> {
    const child = spawn(command, args, { stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return this.adopt(child, options.signal, options.onSpawn);
  }

  /** Takes charge of a child that something else spawned (fluent-ffmpeg's). */
  adopt(
    child: ChildProcess,
    signal?: AbortSignal,
    onSpawn?: (child: OwnedChild) => void,
  ): OwnedChild {
    const exited = new Promise<ChildExit>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null)
        resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once('exit', (code, sig) => resolve({ code, signal: sig }));
    });
    const owned: OwnedChild = {
      process: child,
      identity: child.pid === undefined ? null : identityOf(child.pid),
      exited,
      stop: async (sig = 'SIGTERM', graceMs = 5000) => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill(sig);
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        return exited;
      },
    };
    this.#children.add(owned);
    onSpawn?.(owned);
    const onAbort = () => void owned.stop('SIGKILL');
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    void exited.then(() => {
      this.#children.delete(owned);
      signal?.removeEventListener('abort', onAbort);
    });
    return owned;
  }

  /** Runs a program to its end and returns its output; a non-zero exit rejects with its stderr. */
  async run(
    command: string,
    args: string[],
    options: RunOptions = {},
  ): Promise<{ stdout: Buffer; stderr: string }> {
    const owned = await this.spawn(command, args, options);
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let overflow = false;
    owned.process.stdout?.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.byteLength;
      if (options.maxBuffer !== undefined && stdoutBytes > options.maxBuffer) {
        overflow = true;
        owned.process.kill('SIGKILL');
      } else stdout.push(chunk);
    });
    owned.process.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    const exit = await owned.exited;
    // 'exit' can come before the pipes are drained.
    await Promise.all(
      [owned.process.stdout, owned.process.stderr].map(
        (stream) =>
          stream && !stream.closed && new Promise((resolve) => stream.once('close', resolve)),
      ),
    );
    if (overflow)
      throw new ChildProcessFailed(command, exit, `more than ${options.maxBuffer} bytes of output`);
    if (exit.code !== 0) throw new ChildProcessFailed(command, exit, stderr);
    return { stdout: Buffer.concat(stdout), stderr };
  }

  /** Stops every child still running (at shutdown). */
  async stopAll(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    await Promise.all([...this.#children].map((child) => child.stop(signal, graceMs)));
  }
}
