import type { ApiError } from '@showrec/protocol';

/** A zod schema from `@showrec/protocol`, or anything else that checks a value's shape. */
export interface Shape<T> {
  parse(data: unknown): T;
}

/**
 * JSON over fetch with a bearer secret. A refusal rejects with the server's sentence; an answer
 * is checked against `shape` before anyone reads it, so a server of another version fails here,
 * with a reason, rather than deep inside a component.
 */
export async function api<T = unknown>(
  method: string,
  path: string,
  secret: string,
  body?: unknown,
  shape?: Shape<T>,
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${secret}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error((json as ApiError).error);
  return shape ? shape.parse(json) : (json as T);
}
