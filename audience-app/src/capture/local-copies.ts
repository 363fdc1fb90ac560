/** What the phone keeps of a take it recorded, beside the media itself. */
export interface LocalCopyInfo {
  takeId: string;
  joinCode: string;
  startedAt: number;
  mimeType: string;
  bytes: number;
}

const ROOT = 'showrec-takes';
const META = 'meta.json';

/** The browser refused to store more: the phone says so and records over WebRTC only. */
export class StorageFull extends Error {}

function isQuotaError(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'QuotaExceededError';
}

/**
 * A take being written to the phone's own storage, one file per MediaRecorder chunk: a chunk
 * lands in a file of its own and is committed when that file closes, so nothing already written
 * is rewritten (appending to one big file would copy it whole at every commit) and a reload or a
 * crashed tab loses at most the chunk in flight.
 */
export class LocalCopyWriter {
  #next = 0;
  #pending: Promise<void> = Promise.resolve();

  constructor(private readonly dir: FileSystemDirectoryHandle) {}

  /** Queued behind the chunks before it; rejects with StorageFull when the quota is reached. */
  append(chunk: Blob): Promise<void> {
    const index = this.#next++;
    this.#pending = this.#pending.then(async () => {
      try {
        const file = await this.dir.getFileHandle(`chunk-${String(index).padStart(6, '0')}`, {
          create: true,
        });
        const out = await file.createWritable();
        await out.write(chunk);
        await out.close();
      } catch (err) {
        throw isQuotaError(err) ? new StorageFull('this phone’s storage is full') : err;
      }
    });
    return this.#pending;
  }
}

/**
 * The phone's own recordings, in the browser's origin-private file system: they survive a reload
 * or a crashed tab and cost no memory, until they are sent (or the browser is told to forget them).
 */
export class LocalCopies {
  private constructor(private readonly root: FileSystemDirectoryHandle) {}

  /** Null where the browser has no origin-private file system (then copies stay in memory). */
  static async open(): Promise<LocalCopies | null> {
    if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory) return null;
    try {
      const origin = await navigator.storage.getDirectory();
      // Asked once: a persisted origin is not evicted when the phone runs low on space.
      void navigator.storage.persist?.().catch(() => false);
      return new LocalCopies(await origin.getDirectoryHandle(ROOT, { create: true }));
    } catch {
      return null;
    }
  }

  async begin(info: Omit<LocalCopyInfo, 'bytes'>): Promise<LocalCopyWriter> {
    const dir = await this.root.getDirectoryHandle(info.takeId, { create: true });
    const meta = await (await dir.getFileHandle(META, { create: true })).createWritable();
    await meta.write(JSON.stringify(info));
    await meta.close();
    return new LocalCopyWriter(dir);
  }

  /** The copies kept for a show, oldest first. */
  async list(joinCode: string): Promise<LocalCopyInfo[]> {
    const found: LocalCopyInfo[] = [];
    for await (const [takeId, handle] of this.root.entries()) {
      if (handle.kind !== 'directory') continue;
      const copy = await this.#read(takeId);
      if (copy && copy.info.joinCode === joinCode)
        found.push({ ...copy.info, bytes: copy.blob.size });
    }
    return found.sort((a, b) => a.startedAt - b.startedAt);
  }

  /** The whole copy of a take, its chunks in order (disk-backed: read as it is sent). */
  async copyOf(takeId: string): Promise<Blob | null> {
    return (await this.#read(takeId))?.blob ?? null;
  }

  async remove(takeId: string): Promise<void> {
    await this.root.removeEntry(takeId, { recursive: true }).catch(() => undefined);
  }

  async #read(takeId: string): Promise<{ info: LocalCopyInfo; blob: Blob } | null> {
    try {
      const dir = await this.root.getDirectoryHandle(takeId);
      const info = JSON.parse(
        await (await (await dir.getFileHandle(META)).getFile()).text(),
      ) as LocalCopyInfo;
      const chunks: Array<[string, File]> = [];
      for await (const [name, handle] of dir.entries()) {
        if (handle.kind === 'file' && name.startsWith('chunk-'))
          chunks.push([name, await (handle as FileSystemFileHandle).getFile()]);
      }
      chunks.sort(([a], [b]) => (a < b ? -1 : 1));
      return {
        info,
        blob: new Blob(
          chunks.map(([, f]) => f),
          { type: info.mimeType },
        ),
      };
    } catch {
      return null;
    }
  }
}
