import { stat } from 'node:fs/promises';
import path from 'node:path';
import { storedEtag } from './checksum.js';
import { LocalStore } from './local-store.js';
import type { MediaStore } from './media-store.js';

/** What a data directory holds that is media: recordings, phone copies, uploads, RECord media. */
const MEDIA_PREFIXES = ['takes/', 'uploads/', 'records/'];
/** Work in progress and the recorder's own notes, not media. */
const NOT_MEDIA = /(^|\/)\.|\.partial$|\/segments\.csv$|\/take\.sdp$/;

export interface MigrationReport {
  copied: number;
  skipped: number;
  failed: Array<{ key: string; error: string }>;
  bytes: number;
}

/**
 * Copies a data directory's media into a store under the same keys, so the RECords and take
 * manifests that name them (in Redis) find them there. Idempotent and resumable: an object the
 * store already holds with the same size and checksum is skipped, anything else is copied and
 * confirmed by the store (see MediaStore.putFile). The data directory is left as it was.
 */
export async function migrateMedia(
  dataDir: string,
  target: MediaStore,
  onObject: (key: string, outcome: 'copied' | 'skipped' | 'failed') => void = () => undefined,
): Promise<MigrationReport> {
  const source = new LocalStore(dataDir);
  const report: MigrationReport = { copied: 0, skipped: 0, failed: [], bytes: 0 };
  for (const prefix of MEDIA_PREFIXES) {
    for (const { key, bytes } of await source.list(prefix)) {
      if (NOT_MEDIA.test(key)) continue;
      const file = path.join(dataDir, key);
      try {
        if (await holds(target, key, file, bytes)) {
          report.skipped++;
          onObject(key, 'skipped');
          continue;
        }
        await target.putFile(key, file, { keepLocal: true });
        report.copied++;
        report.bytes += (await stat(file)).size;
        onObject(key, 'copied');
      } catch (err) {
        report.failed.push({ key, error: (err as Error).message });
        onObject(key, 'failed');
      }
    }
  }
  return report;
}

async function holds(
  target: MediaStore,
  key: string,
  file: string,
  bytes: number,
): Promise<boolean> {
  const stored = await target.head(key);
  if (stored?.bytes !== bytes) return false;
  return stored.etag === undefined || stored.etag === (await storedEtag(file, bytes)).etag;
}
