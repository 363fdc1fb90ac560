import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { MediaStore } from '@showrec/media-store';
import { ZipArchive } from 'archiver';
import type { RECord } from '@showrec/protocol';
import { creditsCsv, type CreditsSheet } from './credits-sheet.js';
import { safeFileName } from './file-names.js';

/**
 * Streams a ZIP of the selected RECords' videos, a folder per cue, with the credits sheet beside
 * them. Videos are stored, not deflated: MP4 does not compress further, and the first bytes leave
 * at once however large the selection. Each video is read from the store only when the one
 * before it is in the archive, so a large selection holds one download open, not hundreds.
 */
export async function writeSelectsZip(
  out: Writable,
  media: MediaStore,
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
    const added = once(archive, 'entry');
    archive.append(await media.read(`records/${record.id}/video.mp4`), {
      name: `${safeFileName(cueTitle(record) ?? 'no cue')}/${safeFileName(who)} - ${record.id}.mp4`,
    });
    await added;
  }
  archive.append(JSON.stringify(sheet, null, 2), { name: 'credits.json' });
  archive.append(creditsCsv(sheet), { name: 'credits.csv' });
  await archive.finalize();
  await done;
}
