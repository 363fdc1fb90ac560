/** Finished copies kept for the server to ask for; older ones are dropped to bound memory. */
const KEEP = 5;

/**
 * The phone's own recording of each take (MediaRecorder, in memory), made alongside the WebRTC
 * stream. It keeps going through a network drop, so it holds what the server's copy missed.
 */
export class LocalTakeRecorder {
  #current: { takeId: string; recorder: MediaRecorder; done: Promise<Blob> } | null = null;
  readonly #finished = new Map<string, Blob>();

  constructor(private readonly stream: MediaStream) {}

  static get supported(): boolean {
    return typeof MediaRecorder !== 'undefined';
  }

  start(takeId: string): void {
    if (!LocalTakeRecorder.supported || this.#current?.takeId === takeId) return;
    void this.stop();
    const mimeType = ['video/webm;codecs=vp8,opus', 'video/webm', 'video/mp4'].find((t) =>
      MediaRecorder.isTypeSupported(t),
    );
    const recorder = new MediaRecorder(this.stream, mimeType ? { mimeType } : undefined);
    const chunks: Blob[] = [];
    const done = new Promise<Blob>((resolve) => {
      recorder.ondataavailable = (e) => e.data.size > 0 && chunks.push(e.data);
      recorder.onstop = () => resolve(new Blob(chunks, { type: recorder.mimeType }));
    });
    recorder.start(1000);
    this.#current = { takeId, recorder, done };
  }

  async stop(): Promise<void> {
    const current = this.#current;
    if (!current) return;
    this.#current = null;
    current.recorder.stop();
    this.#finished.set(current.takeId, await current.done);
    for (const takeId of [...this.#finished.keys()].slice(0, -KEEP)) this.#finished.delete(takeId);
  }

  /** The copy of a take; asking for the take still being recorded ends it first. */
  async copyOf(takeId: string): Promise<Blob | null> {
    if (this.#current?.takeId === takeId) await this.stop();
    return this.#finished.get(takeId) ?? null;
  }

  forget(takeId: string): void {
    this.#finished.delete(takeId);
  }
}
