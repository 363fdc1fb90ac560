import type { Readable } from 'node:stream';

/** An object in the store: its key (a relative path such as `takes/<show>/<take>/seg-00000.mkv`) and size. */
export interface StoredObject {
  key: string;
  bytes: number;
  /** The store's checksum of the bytes (S3's ETag), where the store keeps one. */
  etag?: string;
}

/** A local file holding an object's bytes, for ffmpeg; `release` removes it when it was downloaded. */
export interface CheckedOut {
  path: string;
  release(): Promise<void>;
}

export interface PutOptions {
  /** Copy rather than move: the local file stays (a migration keeps its source). */
  keepLocal?: boolean;
}

/**
 * Where takes, phone copies, remix uploads and RECord media live. Keys are the paths the local
 * data directory has always used, so both backends hold the same tree.
 */
export interface MediaStore {
  readonly kind: 'local' | 's3';
  /** For logs: a directory, or an endpoint and bucket. */
  readonly location: string;
  /**
   * Moves a finished local file into the store under `key` and returns only once the store
   * confirmed it (size, and for S3 the checksum the store computed); the local file is removed
   * only then, so a failed put leaves it where it was.
   */
  putFile(key: string, file: string, options?: PutOptions): Promise<StoredObject>;
  /** The object as a local file under `scratchDir` (the file itself for the local backend). */
  checkout(key: string, scratchDir: string): Promise<CheckedOut>;
  /**
   * Where ffmpeg can read the object without a copy: its file, or a presigned URL (ffmpeg reads
   * it over HTTP with range requests, so it fetches only the parts it decodes).
   */
  locate(key: string, ttlS: number): Promise<string>;
  head(key: string): Promise<StoredObject | null>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<StoredObject[]>;
  read(key: string, range?: { start: number; end: number }): Promise<Readable>;
  remove(key: string): Promise<void>;
  /**
   * Where a browser fetches the object: a presigned URL (range requests work on it), or null
   * for the local backend, whose files the show-server serves itself.
   */
  downloadUrl(key: string, options: { ttlS: number; filename?: string }): Promise<string | null>;
  close(): void;
}

/** A key that is not in the store. */
export class MissingObjectError extends Error {
  readonly code = 'ENOENT';
  constructor(readonly key: string) {
    super(`${key} is not in the media store`);
  }
}

const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\/?$/;

/**
 * Keys name files below the data directory: no absolute paths, no `..`, no hidden names, so a
 * key can never reach outside it whichever backend serves it.
 */
export function assertKey(key: string): string {
  if (!KEY.test(key) || key.length > 512)
    throw new Error(`not a media key: ${JSON.stringify(key.slice(0, 100))}`);
  return key;
}
