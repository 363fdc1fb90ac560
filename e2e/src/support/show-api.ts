import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  recordListSchema,
  takeManifestSchema,
  type CaptureChanged,
  type RECord,
  type ShowCreated,
  type TakeManifest,
} from '@showrec/protocol';
import { waitFor, type Stack } from '@showrec/infra';

/** The host's side of a show, over the REST API, for tests. */
export function showApi(stack: Stack, show: ShowCreated) {
  const auth = { authorization: `Bearer ${show.hostKey}` };
  const get = async (path: string) =>
    (await fetch(`${stack.baseUrl}/api/shows/${show.id}${path}`, { headers: auth })).json();
  return {
    capture: async (verb: 'start' | 'stop') =>
      (await (
        await fetch(`${stack.baseUrl}/api/shows/${show.id}/capture/${verb}`, {
          method: 'POST',
          headers: auth,
        })
      ).json()) as CaptureChanged,
    takes: async (): Promise<TakeManifest[]> =>
      ((await get('/takes')) as { takes: unknown[] }).takes.map((t) => takeManifestSchema.parse(t)),
    records: async (): Promise<RECord[]> => recordListSchema.parse(await get('/records')).records,
    /** Waits until exactly `count` RECords are filed. */
    recordsFiled: (count: number, timeoutMs = 120_000) =>
      waitFor(
        `${count} RECords`,
        async () => {
          const list = recordListSchema.parse(await get('/records')).records;
          return list.length === count ? list : null;
        },
        timeoutMs,
      ),
  };
}

/**
 * What the recorder has written of a take on the show-server's disk so far: the segments still
 * there (with an object store, closed ones leave once stored, so this counts the first seconds).
 */
export async function recordedBytes(dataDir: string, take: TakeManifest): Promise<number> {
  const folder = path.join(dataDir, 'takes', take.showId, take.id);
  const names = (await readdir(folder).catch(() => [])).filter((n) => n.startsWith('seg-'));
  const sizes = await Promise.all(names.map((n) => stat(path.join(folder, n)).then((s) => s.size)));
  return sizes.reduce((sum, size) => sum + size, 0);
}
