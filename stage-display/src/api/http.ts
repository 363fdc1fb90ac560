import type { ApiError } from '@showrec/protocol';

/** JSON over fetch with a bearer secret; a refusal rejects with the server's sentence. */
export async function api<T>(
  method: string,
  path: string,
  secret: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${secret}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as T | ApiError;
  if (!res.ok) throw new Error((json as ApiError).error);
  return json as T;
}
