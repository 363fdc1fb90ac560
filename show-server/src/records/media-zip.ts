import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { MediaStore } from '@showrec/media-store';
import { ZipArchive } from 'archiver';
import type { RECord } from '@showrec/protocol';

/**
 * Streams a ZIP of RECords' videos under the names given, then the small files beside them.
 * Videos are stored, not deflated: MP4 does not compress further, and the first bytes leave at
 * once however large the set. Each video is read from the store only when the one before it is
 * in the archive, so a large set holds one download open, not hundreds.
 */
export async function writeMediaZip(
  out: Writable,
  media: MediaStore,
  videos: Array<{ record: RECord; name: string }>,
  files: Array<{ name: string; content: string }>,
): Promise<void> {
  const archive = new ZipArchive({ store: true });
  const done = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    archive.on('error', reject);
  });
  archive.pipe(out);
  for (const { record, name } of videos) {
    const added = once(archive, 'entry');
    archive.append(await media.read(`records/${record.id}/video.mp4`), { name });
    await added;
  }
  for (const file of files) archive.append(file.content, { name: file.name });
  await archive.finalize();
  await done;
}
