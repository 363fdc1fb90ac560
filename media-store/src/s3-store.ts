import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { create as contentDisposition } from 'content-disposition';
import { lookup as mimeType } from 'mime-types';
import { PART_SIZE, SINGLE_PUT_MAX, storedEtag } from './checksum.js';
import {
  assertKey,
  MissingObjectError,
  type CheckedOut,
  type MediaStore,
  type PutOptions,
  type StoredObject,
} from './media-store.js';
import type { S3Settings } from './store-config.js';

/** Any S3-compatible store (tested against OpenStack Swift's s3api). */
export class S3Store implements MediaStore {
  readonly kind = 's3';
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #endpoint: string;

  private constructor(settings: S3Settings) {
    this.#bucket = settings.bucket;
    this.#endpoint = settings.endpoint;
    this.#client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials: {
        accessKeyId: settings.accessKeyId,
        secretAccessKey: settings.secretAccessKey,
      },
      // Stores other than AWS (Swift's s3api among them) refuse the SDK's default aws-chunked
      // bodies; integrity is checked by Content-MD5 and the returned ETag instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: settings.maxAttempts,
    });
  }

  /** Opens the store, creating its bucket when it does not exist yet. */
  static async open(settings: S3Settings): Promise<S3Store> {
    const store = new S3Store(settings);
    try {
      await store.#client.send(new HeadBucketCommand({ Bucket: settings.bucket }));
    } catch (err) {
      if (statusOf(err) !== 404) {
        store.close();
        throw new Error(
          `the object store at ${settings.endpoint} (bucket ${settings.bucket}) is not usable: ${describe(err)}`,
          { cause: err },
        );
      }
      // Every service creates the bucket it finds missing; when several start at once, all but
      // one are told it is theirs already.
      await store.#client
        .send(new CreateBucketCommand({ Bucket: settings.bucket }))
        .catch((created: unknown) => {
          if ((created as { name?: string }).name === 'BucketAlreadyOwnedByYou') return;
          store.close();
          throw created;
        });
    }
    return store;
  }

  get location(): string {
    return `${this.#endpoint}/${this.#bucket}`;
  }

  async putFile(key: string, file: string, options: PutOptions = {}): Promise<StoredObject> {
    assertKey(key);
    const bytes = (await stat(file)).size;
    // Larger files go up in parts, two at a time, so a 4 GB phone copy never sits in memory.
    const multipart = bytes > SINGLE_PUT_MAX;
    const { etag, md5Base64 } = await storedEtag(file, bytes);
    // The store serves it with this type: a poster must reach the browser as image/jpeg.
    const ContentType = mimeType(key) || 'application/octet-stream';
    let answered: string | undefined;
    if (multipart) {
      const upload = new Upload({
        client: this.#client,
        params: { Bucket: this.#bucket, Key: key, Body: createReadStream(file), ContentType },
        partSize: PART_SIZE,
        queueSize: 2,
        leavePartsOnError: false,
      });
      answered = (await upload.done()).ETag;
    } else {
      // The store checks the bytes against Content-MD5 and refuses the PUT when they differ.
      const put = await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: createReadStream(file),
          ContentLength: bytes,
          ContentMD5: md5Base64,
          ContentType,
        }),
      );
      answered = put.ETag;
    }
    if (unquote(answered) !== etag)
      throw new Error(`the store's checksum of ${key} (${answered}) is not the file's (${etag})`);
    const stored = await this.head(key);
    if (stored?.bytes !== bytes)
      throw new Error(`the store holds ${stored?.bytes ?? 'no'} bytes of ${key}, not ${bytes}`);
    if (!options.keepLocal) await rm(file, { force: true });
    return stored;
  }

  async checkout(key: string, scratchDir: string): Promise<CheckedOut> {
    await mkdir(scratchDir, { recursive: true });
    const file = path.join(scratchDir, `${randomUUID()}-${path.posix.basename(key)}`);
    try {
      await pipeline(await this.read(key), createWriteStream(file));
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    return { path: file, release: () => rm(file, { force: true }) };
  }

  async locate(key: string, ttlS: number): Promise<string> {
    if (!(await this.head(key))) throw new MissingObjectError(key);
    return this.downloadUrl(key, { ttlS });
  }

  async head(key: string): Promise<StoredObject | null> {
    try {
      const found = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: assertKey(key) }),
      );
      return { key, bytes: found.ContentLength ?? 0, etag: unquote(found.ETag) };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key) found.push({ key: o.Key, bytes: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Readable> {
    try {
      const got = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: assertKey(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return got.Body as Readable;
    } catch (err) {
      if (statusOf(err) === 404) throw new MissingObjectError(key);
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: assertKey(key) }));
  }

  async downloadUrl(key: string, options: { ttlS: number; filename?: string }): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.#bucket,
      Key: assertKey(key),
      // The same header express's res.download writes, so both backends name a download alike.
      ResponseContentDisposition: options.filename
        ? contentDisposition(options.filename)
        : undefined,
    });
    return getSignedUrl(this.#client, command, { expiresIn: options.ttlS });
  }

  close(): void {
    this.#client.destroy();
  }
}

function statusOf(err: unknown): number | undefined {
  return err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
}

function describe(err: unknown): string {
  if (err instanceof S3ServiceException)
    return `${err.name} (HTTP ${err.$metadata.httpStatusCode ?? '?'})${err.message ? `: ${err.message}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '');
}
