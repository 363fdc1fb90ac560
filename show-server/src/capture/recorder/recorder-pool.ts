import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ChildProcesses, OwnedChild, ProcessIdentity } from '@showrec/infra/processes';
import type { Logger } from '../../logger.js';
import type { FromRecorder, ToRecorder } from './recorder-messages.js';
import { rtcpBye } from './rtp-packet.js';
import type { WrittenStream } from './take-writer.js';

/**
 * One recorder process per two cores. On two cores at 150 phones × 2.5 Mb/s, one process cost
 * 0.32 % of a core per phone against 0.40–0.41 for two, side by side, reading with dgram (it reads
 * more packets per wake-up); with the batched receiver, 0.23–0.26 against 0.35 in one run of two.
 * One used under half a core: one per two cores keeps each well within a core on a larger machine
 * too.
 */
export const DEFAULT_RECORDER_PROCESSES = Math.max(1, Math.floor(os.availableParallelism() / 2));

/** A take that does not listen within this long has failed to start. */
const START_TIMEOUT_MS = 10_000;
/** The closing BYE goes again this often until the take has ended (a full socket drops it). */
const BYE_AGAIN_MS = 500;

export interface RecordingEvents {
  /** The phone should send a keyframe: frames were lost. */
  keyframe: [];
  /**
   * The take ended without being stopped: its recorder process died, or could not write. Its file
   * holds everything up to its last cluster.
   */
  died: [failure: string];
}

/** One take being written by a recorder process. */
export class Recording extends EventEmitter<RecordingEvents> {
  #ended: ((failure: string | null) => void) | null = null;
  readonly #endedOnce: Promise<string | null>;
  #stopping = false;

  constructor(
    readonly takeId: string,
    readonly port: number,
    private readonly host: RecorderHost,
  ) {
    super();
    this.#endedOnce = new Promise((resolve) => (this.#ended = resolve));
  }

  /** The process writing the take, so recovery after a crash stops exactly it. */
  get process(): ProcessIdentity | null {
    return this.host.child.identity;
  }

  /**
   * Ends the take once every packet the SFU has sent to it is written: call it after the SFU has
   * paused the take's consumers. Resolves with why the take's file is short, or null.
   */
  async stop(): Promise<string | null> {
    this.#stopping = true;
    this.host.send({ type: 'stop', takeId: this.takeId });
    const bye = () => this.host.pool.sendBye(this.port);
    bye();
    const again = setInterval(bye, BYE_AGAIN_MS);
    try {
      return await this.#endedOnce;
    } finally {
      clearInterval(again);
    }
  }

  /** @internal the process reported the take ended, or died. */
  ended(failure: string | null): void {
    if (!this.#stopping) this.emit('died', failure ?? 'the recorder ended the take unasked');
    this.#stopping = true;
    this.#ended?.(failure);
  }
}

interface Starting {
  resolve: (port: number) => void;
  reject: (err: Error) => void;
}

/** One recorder process and the takes it writes. */
class RecorderHost {
  readonly recordings = new Map<string, Recording>();
  readonly #starting = new Map<string, Starting>();
  #stderr = '';

  constructor(
    readonly child: OwnedChild,
    readonly pool: RecorderPool,
  ) {
    child.process.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    child.process.on('message', (message: FromRecorder) => this.#receive(message));
    void child.exited.then(({ code, signal }) => {
      const failure = `the recorder process exited unexpectedly (code ${code}, signal ${signal}): ${this.#stderr.trim() || 'no output'}`;
      for (const starting of this.#starting.values()) starting.reject(new Error(failure));
      this.#starting.clear();
      for (const recording of this.recordings.values()) recording.ended(failure);
      this.recordings.clear();
      pool.forget(this);
    });
  }

  get load(): number {
    return this.recordings.size + this.#starting.size;
  }

  send(message: ToRecorder): void {
    if (this.child.process.connected) this.child.process.send(message);
  }

  async open(
    takeId: string,
    start: Omit<Extract<ToRecorder, { type: 'start' }>, 'type' | 'takeId'>,
  ): Promise<Recording> {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#starting.delete(takeId);
        reject(
          new Error(`the recorder process did not open a socket within ${START_TIMEOUT_MS} ms`),
        );
      }, START_TIMEOUT_MS);
      this.#starting.set(takeId, {
        resolve: (p) => (clearTimeout(timer), resolve(p)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.send({ type: 'start', takeId, ...start });
    });
    const recording = new Recording(takeId, port, this);
    this.recordings.set(takeId, recording);
    return recording;
  }

  #receive(message: FromRecorder): void {
    if (message.type === 'listening') {
      this.#starting.get(message.takeId)?.resolve(message.port);
      this.#starting.delete(message.takeId);
    } else if (message.type === 'keyframe') {
      this.recordings.get(message.takeId)?.emit('keyframe');
    } else {
      const starting = this.#starting.get(message.takeId);
      this.#starting.delete(message.takeId);
      starting?.reject(new Error(message.failure ?? 'the take ended before it started'));
      this.recordings.get(message.takeId)?.ended(message.failure);
      this.recordings.delete(message.takeId);
    }
  }
}

/** Where a recorder process's code is: the built file, or under tsx (tests) its source. */
function recorderEntry(): { file: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  return {
    file: fileURLToPath(new URL(`./recorder-process.${fromSource ? 'ts' : 'js'}`, import.meta.url)),
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  };
}

/**
 * The recorder processes of this show-server: up to `size` of them (DEFAULT_RECORDER_PROCESSES),
 * each writing many takes, started as takes need them. A take goes to the process writing the
 * fewest. A process that dies ends only its own takes (each keeps its file up to its last
 * cluster; the capture service starts the phone a new take), and the next take starts another.
 */
export class RecorderPool {
  readonly #hosts = new Set<RecorderHost>();
  readonly #spawning = new Set<Promise<RecorderHost>>();
  readonly #processes: ChildProcesses;
  readonly #size: number;
  readonly #log: Logger;
  #byeSocket: Promise<dgram.Socket> | null = null;

  constructor(processes: ChildProcesses, options: { size: number; logger: Logger }) {
    this.#processes = processes;
    this.#size = Math.max(1, options.size);
    this.#log = options.logger.child({ component: 'recorder-pool' });
  }

  /** Starts writing a take; resolves once its socket listens (its port is where the SFU sends). */
  async open(
    takeId: string,
    take: { dir: string; segmentSeconds: number; streams: WrittenStream[] },
  ): Promise<Recording> {
    const [host, byePort] = await Promise.all([this.#host(), this.#byePort()]);
    return host.open(takeId, { ...take, byePort });
  }

  /** @internal */
  forget(host: RecorderHost): void {
    this.#hosts.delete(host);
  }

  /** @internal */
  sendBye(port: number): void {
    void this.#byeSocket?.then((udp) => udp.send(rtcpBye(0), port, '127.0.0.1'));
  }

  /** Stops every recorder process: each ends its takes first. */
  async close(): Promise<void> {
    await Promise.all([...this.#hosts].map((h) => h.child.stop('SIGTERM', 5000)));
    const udp = await this.#byeSocket;
    udp?.close();
    this.#byeSocket = null;
  }

  #byePort(): Promise<number> {
    this.#byeSocket ??= new Promise((resolve, reject) => {
      const udp = dgram.createSocket('udp4');
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => {
        udp.unref();
        resolve(udp);
      });
    });
    return this.#byeSocket.then((udp) => udp.address().port);
  }

  async #host(): Promise<RecorderHost> {
    if (this.#hosts.size + this.#spawning.size < this.#size) {
      const spawning = this.#spawn();
      this.#spawning.add(spawning);
      try {
        return await spawning;
      } finally {
        this.#spawning.delete(spawning);
      }
    }
    if (this.#hosts.size === 0) await Promise.race(this.#spawning);
    return [...this.#hosts].reduce((a, b) => (b.load < a.load ? b : a));
  }

  async #spawn(): Promise<RecorderHost> {
    const { file, execArgv } = recorderEntry();
    const child = await this.#processes.spawn(process.execPath, [...execArgv, file], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const host = new RecorderHost(child, this);
    this.#hosts.add(host);
    this.#log.info({ recorder: child.identity }, 'recorder process started');
    return host;
  }
}
