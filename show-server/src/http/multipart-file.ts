import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { DomainError } from '@showrec/protocol';

/** Where a multipart upload's one file goes, and what must be settled before its first byte. */
export interface FileTarget<T> {
  path: string;
  maxBytes: number;
  /** Checks the fields sent before the file (and the file's name); throws to refuse. */
  admit: (fields: Record<string, string>, filename: string) => Promise<T>;
}

/**
 * Reads a multipart/form-data request whose fields come first and whose part "file" comes last.
 * Nothing is written until `admit` accepts the fields; a refused file is still read to its end
 * so the answer reaches the client. Resolves with what `admit` returned and whether the file was
 * cut at `maxBytes`.
 */
export function receiveMultipartFile<T>(
  req: Request,
  target: FileTarget<T>,
): Promise<{ admitted: T; truncated: boolean }> {
  if (!req.is('multipart/form-data')) {
    return Promise.reject(
      new DomainError(
        'unsupported',
        'send this as multipart/form-data: the fields first, then the file',
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const parser = busboy({
      headers: req.headers,
      limits: { files: 1, fields: 8, fieldSize: 4096, fileSize: target.maxBytes },
    });
    const fields: Record<string, string> = {};
    let received: Promise<{ admitted: T; truncated: boolean }> | null = null;
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || received) {
        stream.resume();
        return;
      }
      received = (async () => {
        const admitted = await target.admit(fields, info.filename ?? '');
        let truncated = false;
        stream.on('limit', () => (truncated = true));
        await pipeline(stream, createWriteStream(target.path));
        return { admitted, truncated };
      })();
      received.catch(() => stream.resume());
    });
    parser.on('close', () => {
      if (received) received.then(resolve, reject);
      else
        reject(
          new DomainError(
            'invalid',
            'the request has no "file" part: send the media file after the fields',
          ),
        );
    });
    parser.on('error', (err: Error) =>
      reject(new DomainError('invalid', `the upload is not valid multipart: ${err.message}`)),
    );
    req.pipe(parser);
  });
}
