import type { UploadProgress } from '@showrec/protocol';

const CHUNK = 1024 * 1024;

/** Refusals that retrying will not change. */
class FinalUploadError extends Error {}

async function call(
  method: string,
  url: string,
  deviceToken: string,
  body?: Blob,
): Promise<Response> {
  return fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${deviceToken}`,
      ...(body ? { 'content-type': 'application/octet-stream' } : {}),
    },
    body,
  });
}

async function serverOffset(
  takeId: string,
  deviceToken: string,
  fallback: number,
): Promise<number> {
  const res = await call('GET', `/api/uploads/${takeId}`, deviceToken).catch(() => null);
  return res?.ok ? ((await res.json()) as UploadProgress).offset : fallback;
}

/**
 * Uploads a take's local copy in 1 MB chunks from `offset`. Whatever cuts it off (the venue's
 * Wi-Fi, a closed lid), it asks the server where it got to and carries on from there.
 */
export async function uploadTakeCopy(
  takeId: string,
  copy: Blob,
  offset: number,
  deviceToken: string,
  onProgress: (fraction: number) => void,
): Promise<void> {
  let at = offset;
  for (let attempt = 0; ; attempt++) {
    try {
      while (at < copy.size) {
        const res = await call(
          'PUT',
          `/api/uploads/${takeId}?offset=${at}`,
          deviceToken,
          copy.slice(at, at + CHUNK),
        );
        if (res.status === 409) {
          at = await serverOffset(takeId, deviceToken, at);
          continue;
        }
        if ([403, 404, 413].includes(res.status))
          throw new FinalUploadError(((await res.json()) as { error: string }).error);
        if (!res.ok) throw new Error(`upload answered ${res.status}`);
        at = ((await res.json()) as UploadProgress).offset;
        onProgress(at / copy.size);
      }
      const done = await call('POST', `/api/uploads/${takeId}/complete`, deviceToken);
      if (done.ok) return;
      if ([403, 404, 409, 413].includes(done.status))
        throw new FinalUploadError(((await done.json()) as { error: string }).error);
      // 422: the server could not read what arrived; send it all again.
      if (done.status === 422) at = 0;
      else throw new Error(`completing the upload answered ${done.status}`);
    } catch (err) {
      if (err instanceof FinalUploadError) throw err;
      await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 15_000)));
      at = await serverOffset(takeId, deviceToken, at);
    }
  }
}
