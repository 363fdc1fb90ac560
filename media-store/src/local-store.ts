import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  assertKey,
  MissingObjectError,
  type CheckedOut,
  type MediaStore,
  type PutOptions,
  type StoredObject,
} from './media-store.js';

/**
 * The data directory as the store (the default): an object is the file at its key, so putting a
 * file already in place costs nothing and ffmpeg reads objects where they lie.
 */
export class LocalStore implements MediaStore {
  readonly kind = 'local';
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  get location(): string {
    return this.root;
  }

  pathOf(key: string): string {
    return path.join(this.root, assertKey(key));
  }

  async putFile(key: string, file: string, options: PutOptions = {}): Promise<StoredObject> {
    const target = this.pathOf(key);
    if (path.resolve(file) !== target) {
      await mkdir(path.dirname(target), { recursive: true });
      const partial = `${target}.partial`;
      if (options.keepLocal) {
        await copyFile(file, partial);
        await rename(partial, target);
      } else {
        await rename(file, target).catch(async (err: NodeJS.ErrnoException) => {
          // Another filesystem: copy under a temporary name so a reader never sees half a file.
          if (err.code !== 'EXDEV') throw err;
          await copyFile(file, partial);
          await rename(partial, target);
          await rm(file);
        });
      }
    }
    return { key, bytes: (await stat(target)).size };
  }

  async checkout(key: string): Promise<CheckedOut> {
    const file = this.pathOf(key);
    await this.#statOrMissing(key);
    return { path: file, release: async () => undefined };
  }

  async locate(key: string): Promise<string> {
    await this.#statOrMissing(key);
    return this.pathOf(key);
  }

  async head(key: string): Promise<StoredObject | null> {
    const found = await stat(this.pathOf(key)).catch(() => null);
    return found?.isFile() ? { key, bytes: found.size } : null;
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const base = prefix.endsWith('/') ? prefix : path.posix.dirname(prefix) + '/';
    const dir = base === './' ? this.root : this.pathOf(base);
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    const found: StoredObject[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.endsWith('.partial')) continue;
      const full = path.join(entry.parentPath, entry.name);
      const key = path.relative(this.root, full).split(path.sep).join('/');
      if (!key.startsWith(prefix)) continue;
      found.push({ key, bytes: (await stat(full)).size });
    }
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Readable> {
    await this.#statOrMissing(key);
    return createReadStream(this.pathOf(key), range);
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async downloadUrl(): Promise<null> {
    return null;
  }

  close(): void {}

  async #statOrMissing(key: string): Promise<void> {
    const found = await stat(this.pathOf(key)).catch(() => null);
    if (!found?.isFile()) throw new MissingObjectError(key);
  }
}
