import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { SEGMENT_LIST } from './segment-uploader.js';

/** Where a take's segments are, in the media store and below the data directory. */
export function takeFolderKey(showId: string, takeId: string): string {
  return `takes/${showId}/${takeId}/`;
}

/** The take as one file, once the worker has joined its segments. */
export function takeFileKey(showId: string, takeId: string): string {
  return `takes/${showId}/${takeId}.mkv`;
}

/**
 * Once its segments are stored, the recorder's list and SDP are of no more use; the folder goes
 * too when the segments live elsewhere (an object store).
 */
export async function tidyTakeFolder(
  dataDir: string,
  showId: string,
  takeId: string,
): Promise<void> {
  const dir = path.join(dataDir, takeFolderKey(showId, takeId));
  await rm(path.join(dir, SEGMENT_LIST), { force: true });
  await rm(path.join(dir, 'take.sdp'), { force: true });
  await rmdir(dir).catch(() => undefined);
}
