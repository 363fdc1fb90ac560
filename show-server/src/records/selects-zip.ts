import path from 'node:path';
import type { Writable } from 'node:stream';
import { ZipArchive } from 'archiver';
import type { RECord } from '@showrec/protocol';
import { creditsCsv, type CreditsSheet } from './credits-sheet.js';
import { safeFileName } from './file-names.js';

/**
 * Streams a ZIP of the selected RECords' videos, a folder per cue, with the credits sheet beside
 * them. Videos are stored, not deflated: MP4 does not compress further, and the first bytes leave
 * at once however large the selection.
 */
export async function writeSelectsZip(
  out: Writable,
  recordsDir: string,
  selected: RECord[],
  cueTitle: (record: RECord) => string | null,
  sheet: CreditsSheet,
): Promise<void> {
  const archive = new ZipArchive({ store: true });
  const done = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    archive.on('error', reject);
  });
  archive.pipe(out);
  for (const record of selected) {
    const who = record.contributors.map((c) => c.name).join(', ');
    archive.file(path.join(recordsDir, record.id, 'video.mp4'), {
      name: `${safeFileName(cueTitle(record) ?? 'no cue')}/${safeFileName(who)} - ${record.id}.mp4`,
    });
  }
  archive.append(JSON.stringify(sheet, null, 2), { name: 'credits.json' });
  archive.append(creditsCsv(sheet), { name: 'credits.csv' });
  await archive.finalize();
  await done;
}
