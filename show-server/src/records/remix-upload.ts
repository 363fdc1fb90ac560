import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { REMIX_EXTENSIONS, remixFieldsSchema, type StoredShow } from '@showrec/protocol';
import type { DiskGuard } from '../capture/disk-guard.js';
import type { Logger } from '../logger.js';
import { requireVideo } from '../media/probe-media.js';
import { Refusal } from '../refusal.js';
import type { ShowStore } from '../shows/show-store.js';
import { newId } from '../shows/secrets.js';
import type { EditRequests } from './edit-requests.js';
import type { RecordReader } from './record-reader.js';

export interface RemixUploadsDeps {
  dataDir: string;
  /** A remix is refused while the disk is below the floor kept for recording takes. */
  disk: DiskGuard;
  maxBytes: number;
  shows: ShowStore;
  records: RecordReader;
  requests: EditRequests;
  logger: Logger;
}

type RemixFields = ReturnType<typeof remixFieldsSchema.parse>;

/**
 * A remix the crew uploads: multipart fields first (show, title, contributor, parents), then the
 * file. The fields and the caller's key are checked before a byte of the file is written; the
 * file is written under a temporary name, checked with ffprobe, and only then moved beside the
 * show's other uploads and queued for filing. A refused upload leaves nothing behind.
 */
export class RemixUploads {
  readonly #incomingDir: string;

  constructor(private readonly deps: RemixUploadsDeps) {
    this.#incomingDir = path.join(deps.dataDir, 'uploads', '.incoming');
  }

  /**
   * Removes what a crashed process was receiving. Only files older than an hour: another process
   * sharing the data directory may be receiving one now.
   */
  async sweep(): Promise<number> {
    const names = await readdir(this.#incomingDir).catch(() => []);
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.#incomingDir, name);
      const { mtimeMs } = await stat(file);
      if (Date.now() - mtimeMs > 3600_000) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async accept(
    req: Request,
    authorize: (show: StoredShow) => void,
  ): Promise<{ recordId: string; showId: string; parents: string[] }> {
    if (!req.is('multipart/form-data')) {
      throw new Refusal(
        'send a remix as multipart/form-data: the fields showId, title, contributor and parents, then the file',
        415,
      );
    }
    const space = await this.deps.disk.check();
    if (!space.ok) {
      throw new Refusal(
        `the server's disk is below its floor (${space.freeMb} MB free, floor ${space.floorMb} MB): remixes are refused until space is freed`,
        507,
      );
    }
    const recordId = `remix-${newId()}`;
    const incoming = path.join(this.#incomingDir, recordId);
    try {
      const { fields, extension } = await this.#receive(req, incoming, authorize);
      try {
        await requireVideo(incoming);
      } catch (err) {
        throw new Refusal(`the file is not a playable video: ${(err as Error).message}`, 422);
      }
      const file = path.join('uploads', fields.showId, `${recordId}.${extension}`);
      await mkdir(path.dirname(path.join(this.deps.dataDir, file)), { recursive: true });
      await rename(incoming, path.join(this.deps.dataDir, file));
      const { showId, title, contributor, parents } = fields;
      try {
        await this.deps.requests.fileUpload({
          recordId,
          showId,
          file,
          title,
          contributor,
          parents,
        });
      } catch (err) {
        await rm(path.join(this.deps.dataDir, file), { force: true });
        throw err;
      }
      this.deps.logger.info({ recordId, showId, parents }, 'remix uploaded');
      return { recordId, showId, parents };
    } finally {
      await rm(incoming, { force: true });
    }
  }

  #receive(
    req: Request,
    incoming: string,
    authorize: (show: StoredShow) => void,
  ): Promise<{ fields: RemixFields; extension: string }> {
    return new Promise((resolve, reject) => {
      const parser = busboy({
        headers: req.headers,
        limits: { files: 1, fields: 8, fieldSize: 4096, fileSize: this.deps.maxBytes },
      });
      const raw: Record<string, string> = {};
      let received: Promise<{ fields: RemixFields; extension: string }> | null = null;
      parser.on('field', (name, value) => (raw[name] = value));
      parser.on('file', (name, stream, info) => {
        if (name !== 'file' || received) {
          stream.resume();
          return;
        }
        received = (async () => {
          const fields = await this.#checkFields(raw, authorize);
          const filename = info.filename ?? '';
          const extension = path.extname(filename).slice(1).toLowerCase();
          if (!(REMIX_EXTENSIONS as readonly string[]).includes(extension)) {
            throw new Refusal(
              `"${filename.slice(0, 100)}" is not a video file: a remix must be ${REMIX_EXTENSIONS.map((e) => `.${e}`).join(', ')}`,
              415,
            );
          }
          let tooLarge = false;
          stream.on('limit', () => (tooLarge = true));
          await mkdir(this.#incomingDir, { recursive: true });
          await pipeline(stream, createWriteStream(incoming));
          if (tooLarge) {
            throw new Refusal(
              `the file is larger than the ${Math.round(this.deps.maxBytes / 1048576)} MB allowed`,
              413,
            );
          }
          return { fields, extension };
        })();
        // A refused file is still read to its end, so the answer reaches the client.
        received.catch(() => stream.resume());
      });
      parser.on('close', () => {
        if (received) received.then(resolve, reject);
        else
          reject(
            new Refusal(
              'the request has no "file" part: send the media file after the fields',
              400,
            ),
          );
      });
      parser.on('error', (err: Error) =>
        reject(new Refusal(`the upload is not valid multipart: ${err.message}`, 400)),
      );
      req.pipe(parser);
    });
  }

  /** The show exists, the caller may add to it, and every parent is a RECord of that show. */
  async #checkFields(
    raw: Record<string, string>,
    authorize: (show: StoredShow) => void,
  ): Promise<RemixFields> {
    const fields = remixFieldsSchema.parse(raw);
    const show = await this.deps.shows.get(fields.showId);
    if (!show) throw new Refusal(`no show with id ${fields.showId}`, 404);
    authorize(show);
    for (const id of fields.parents) {
      const parent = await this.deps.records.get(id);
      if (parent?.showId !== show.id)
        throw new Refusal(`parent ${id} is not a RECord of this show`, 400);
    }
    return fields;
  }
}
