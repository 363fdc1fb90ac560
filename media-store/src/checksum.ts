import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The ETag an S3 store computes for a file: the MD5 of its bytes for a single PUT, or for a
 * multipart upload the MD5 of its parts' MD5s followed by the number of parts. Comparing it with
 * what the store answers proves the store holds exactly these bytes.
 */
async function expectedEtag(
  file: string,
  partSize: number | null,
): Promise<{ etag: string; md5Base64: string }> {
  const whole = createHash('md5');
  const parts: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const chunk of createReadStream(file, {
    highWaterMark: 1 << 20,
  }) as AsyncIterable<Buffer>) {
    whole.update(chunk);
    if (partSize === null) continue;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(partSize - inPart, chunk.length - offset);
      part.update(chunk.subarray(offset, offset + take));
      inPart += take;
      offset += take;
      if (inPart === partSize) {
        parts.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0) parts.push(part.digest());
  const digest = whole.digest();
  const etag =
    partSize === null
      ? digest.toString('hex')
      : `${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`;
  return { etag, md5Base64: digest.toString('base64') };
}

/** Files above this go to an S3 store in parts of PART_SIZE (see S3Store.putFile). */
export const SINGLE_PUT_MAX = 64 * 1024 * 1024;
export const PART_SIZE = 16 * 1024 * 1024;

/** The ETag an S3 store gives this file when S3Store puts it (single PUT or multipart). */
export async function storedEtag(file: string, bytes: number) {
  return expectedEtag(file, bytes > SINGLE_PUT_MAX ? PART_SIZE : null);
}
