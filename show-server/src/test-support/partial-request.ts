import http from 'node:http';

/**
 * Announces a 6 MB body, sends 64 kB of it, and resolves with the status of an answer that comes
 * before the rest; rejects if none comes within 3 s (the server is waiting to read the body).
 */
export function answerBeforeBody(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = http.request(url, {
      method,
      headers: { ...headers, 'content-length': String(6 * 1024 * 1024) },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer to ${method} ${url} before its body was sent`));
    }, 3000);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      req.destroy();
      resolve(res.statusCode!);
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(64 * 1024));
  });
}

/**
 * Sends `body` in `pieces` chunks `gapMs` apart (chunked), then `stallMs` of silence before the
 * end; resolves with the status, or 'closed' if the server hung up first.
 */
export function trickle(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  { pieces, gapMs, stallMs = 0 }: { pieces: number; gapMs: number; stallMs?: number },
): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', () => resolve('closed'));
    const size = Math.ceil(body.length / pieces);
    let sent = 0;
    const next = () => {
      if (req.destroyed) return;
      if (sent >= body.length) {
        setTimeout(() => req.end(), stallMs);
        return;
      }
      req.write(body.subarray(sent, sent + size));
      sent += size;
      setTimeout(next, gapMs);
    };
    next();
  });
}
