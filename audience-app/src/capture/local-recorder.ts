import { LocalCopies, StorageFull, type LocalCopyWriter } from './local-copies.js';

/** Without an origin-private file system, finished copies kept in memory; older ones are dropped. */
const KEEP_IN_MEMORY = 5;

/**
 * What the phone records for itself: full quality, not what the venue's network let through
 * (WebRTC sends at most 2.5 Mb/s and less when the network struggles).
 */
const LOCAL_VIDEO_BITS_PER_SECOND = 5_000_000;

interface Recording {
  takeId: string;
  recorder: MediaRecorder;
  done: Promise<void>;
}

/**
 * The phone's own recording of each take (MediaRecorder), made alongside the WebRTC stream. It
 * keeps going through a network drop, so it holds what the server's copy missed; it is written
 * chunk by chunk to the phone's storage, so it survives a reload and costs no memory. When the
 * storage is full the phone says so (`onStorageFull`) and records over WebRTC only.
 */
export class LocalTakeRecorder {
  #current: Recording | null = null;
  readonly #memory = new Map<string, Blob>();
  readonly #copies: Promise<LocalCopies | null>;
  #full = false;

  constructor(
    private readonly stream: MediaStream,
    private readonly joinCode: string,
    private readonly onStorageFull: () => void,
  ) {
    this.#copies = LocalCopies.open();
  }

  static get supported(): boolean {
    return typeof MediaRecorder !== 'undefined';
  }

  start(takeId: string): void {
    if (!LocalTakeRecorder.supported || this.#full || this.#current?.takeId === takeId) return;
    void this.stop();
    const mimeType = ['video/webm;codecs=vp8,opus', 'video/webm', 'video/mp4'].find((t) =>
      MediaRecorder.isTypeSupported(t),
    );
    const recorder = new MediaRecorder(this.stream, {
      ...(mimeType ? { mimeType } : {}),
      videoBitsPerSecond: LOCAL_VIDEO_BITS_PER_SECOND,
    });
    const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
    const done = this.#copies.then(async (copies) => {
      if (copies) return this.#toStorage(copies, takeId, recorder, stopped);
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => e.data.size > 0 && chunks.push(e.data);
      await stopped;
      this.#memory.set(takeId, new Blob(chunks, { type: recorder.mimeType }));
      for (const id of [...this.#memory.keys()].slice(0, -KEEP_IN_MEMORY)) this.#memory.delete(id);
    });
    recorder.start(1000);
    this.#current = { takeId, recorder, done };
  }

  async #toStorage(
    copies: LocalCopies,
    takeId: string,
    recorder: MediaRecorder,
    stopped: Promise<void>,
  ): Promise<void> {
    const writer: Promise<LocalCopyWriter> = copies.begin({
      takeId,
      joinCode: this.joinCode,
      startedAt: Date.now(),
      mimeType: recorder.mimeType,
    });
    let last: Promise<void> = Promise.resolve();
    recorder.ondataavailable = (e) => {
      if (e.data.size === 0) return;
      last = writer.then((w) => w.append(e.data));
      last.catch((err: unknown) => {
        if (!(err instanceof StorageFull) || this.#full) return;
        this.#full = true;
        if (recorder.state !== 'inactive') recorder.stop();
        this.onStorageFull();
      });
    };
    await stopped;
    await last.catch(() => undefined);
  }

  async stop(): Promise<void> {
    const current = this.#current;
    if (!current) return;
    this.#current = null;
    if (current.recorder.state !== 'inactive') current.recorder.stop();
    await current.done;
  }

  /** The copy of a take; asking for the take still being recorded ends it first. */
  async copyOf(takeId: string): Promise<Blob | null> {
    if (this.#current?.takeId === takeId) await this.stop();
    const copies = await this.#copies;
    return (copies ? await copies.copyOf(takeId) : this.#memory.get(takeId)) ?? null;
  }

  /** Sent: the server holds it now, so the phone's storage is given back. */
  async forget(takeId: string): Promise<void> {
    this.#memory.delete(takeId);
    await (await this.#copies)?.remove(takeId);
  }
}
