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
