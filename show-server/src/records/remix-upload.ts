import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  REMIX_EXTENSIONS,
  remixFieldsSchema,
  type StoredShow,
  DomainError,
} from '@showrec/protocol';
import type { ChildProcesses } from '@showrec/infra/processes';
import type { MediaStore } from '@showrec/media-store';
import type { DiskGuard } from '../capture/disk-guard.js';
import type { Logger } from '../logger.js';
import { requireVideo } from '../media/probe-media.js';
import { newId } from '../shows/secrets.js';
import type { EditRequests } from './edit-requests.js';
import type { RecordReader } from './record-reader.js';
import type { ReviewStore } from './review-store.js';

/**
 * Who uploads a remix: the crew (any RECord of the show may be a parent; the contributor is
 * named in the form, or is the named crew member), or a contributor's phone (credited by the name
 * it recorded under; only published RECords may be parents).
 */
export interface Remixer {
  participantId: string | null;
  name: string | null;
  publishedOnly: boolean;
}

export interface RemixUploadsDeps {
  /** Uploads arrive below it; accepted ones go to `media`. */
  dataDir: string;
  media: MediaStore;
  /** A remix is refused while the disk is below the floor kept for recording takes. */
  disk: DiskGuard;
  maxBytes: number;
  processes: ChildProcesses;
  records: RecordReader;
  reviews: ReviewStore;
  requests: EditRequests;
  logger: Logger;
}

type RemixFields = Omit<ReturnType<typeof remixFieldsSchema.parse>, 'contributor'> & {
  contributor: string;
};
interface Admitted {
  fields: RemixFields;
  extension: string;
}

/**
 * Receives an upload's file into `path` (at most `maxBytes`), writing nothing before `admit`
 * accepts its fields; the http edge's multipart reader is one.
 */
export type RemixReceiver = (target: {
  path: string;
  maxBytes: number;
  admit: (fields: Record<string, string>, filename: string) => Promise<Admitted>;
}) => Promise<{ admitted: Admitted; truncated: boolean }>;

/**
 * A remix the crew uploads: multipart fields first (show, title, contributor, parents), then the
 * file. The fields and the caller's key are checked before a byte of the file is written; the
 * file is written under a temporary name, checked with ffprobe, and only then stored beside the
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

  /**
   * Takes one remix: `receive` writes the file to the path it is given once `admit` has accepted
   * the fields and the file's name, then the file is checked and queued for filing.
   */
  async accept(
    show: StoredShow,
    remixer: Remixer,
    receive: RemixReceiver,
  ): Promise<{ recordId: string; parents: string[] }> {
    const space = await this.deps.disk.check();
    if (!space.ok) {
      throw new DomainError(
        'insufficient-storage',
        `the server's disk is below its floor (${space.freeMb} MB free, floor ${space.floorMb} MB): remixes are refused until space is freed`,
      );
    }
    const recordId = `remix-${newId()}`;
    const incoming = path.join(this.#incomingDir, recordId);
    await mkdir(this.#incomingDir, { recursive: true });
    try {
      const { admitted, truncated } = await receive({
        path: incoming,
        maxBytes: this.deps.maxBytes,
        admit: (raw, filename) => this.#admit(raw, filename, show, remixer),
      });
      if (truncated) {
        throw new DomainError(
          'too-large',
          `the file is larger than the ${Math.round(this.deps.maxBytes / 1048576)} MB allowed`,
        );
      }
      const { fields, extension } = admitted;
      try {
        await requireVideo(this.deps.processes, incoming);
      } catch (err) {
        throw new DomainError(
          'unprocessable',
          `the file is not a playable video: ${(err as Error).message}`,
        );
      }
      const showId = show.id;
      const file = `uploads/${showId}/${recordId}.${extension}`;
      await this.deps.media.putFile(file, incoming);
      const { title, contributor, parents } = fields;
      try {
        await this.deps.requests.fileUpload({
          recordId,
          showId,
          file,
          title,
          contributor,
          participantId: remixer.participantId,
          parents,
        });
      } catch (err) {
        await this.deps.media.remove(file);
        throw err;
      }
      this.deps.logger.info({ recordId, showId, parents }, 'remix uploaded');
      return { recordId, parents };
    } finally {
      await rm(incoming, { force: true });
    }
  }

  async #admit(
    raw: Record<string, string>,
    filename: string,
    show: StoredShow,
    remixer: Remixer,
  ): Promise<Admitted> {
    const fields = await this.#checkFields(raw, show, remixer);
    const extension = path.extname(filename).slice(1).toLowerCase();
    if (!(REMIX_EXTENSIONS as readonly string[]).includes(extension)) {
      throw new DomainError(
        'unsupported',
        `"${filename.slice(0, 100)}" is not a video file: a remix must be ${REMIX_EXTENSIONS.map((e) => `.${e}`).join(', ')}`,
      );
    }
    return { fields, extension };
  }

  /** Every parent is a RECord of the show (a published one, for a contributor). */
  async #checkFields(
    raw: Record<string, string>,
    show: StoredShow,
    remixer: Remixer,
  ): Promise<RemixFields> {
    const fields = remixFieldsSchema.parse(raw);
    // A contributor is credited by the name they recorded under, whatever the form says.
    const contributor = remixer.participantId ? remixer.name : (fields.contributor ?? remixer.name);
    if (!contributor)
      throw new DomainError('invalid', 'the contributor’s name is required: this key is shared');
    const published = await this.deps.reviews.arePublished(fields.parents);
    for (const [i, id] of fields.parents.entries()) {
      const parent = await this.deps.records.get(id);
      if (parent?.showId !== show.id || (remixer.publishedOnly && !published[i]))
        throw new DomainError(
          'invalid',
          `parent ${id} is not a ${remixer.publishedOnly ? 'published ' : ''}RECord of this show`,
        );
    }
    return { ...fields, contributor };
  }
}
