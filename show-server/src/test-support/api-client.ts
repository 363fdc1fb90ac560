import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientEventResults, ServerToClientEvents, ShowCreated } from '@showrec/protocol';

/** Calls the show-server's REST API as a given secret holder. */
export function apiClient(baseUrl: string) {
  return async function api<T = unknown>(
    method: string,
    url: string,
    token?: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
}

export async function createTestShow(
  baseUrl: string,
  adminToken: string,
  title = 'Test show',
): Promise<ShowCreated> {
  const { status, body } = await apiClient(baseUrl)<ShowCreated>('POST', '/api/shows', adminToken, {
    title,
  });
  if (status !== 201) throw new Error(`creating a show failed with ${status}`);
  return body;
}

export type TestSocket = Socket<ServerToClientEvents>;

/** `headers` go with the handshake, e.g. X-Forwarded-For to stand for another phone's address. */
export function connectSocket(
  baseUrl: string,
  auth: object,
  headers: Record<string, string> = {},
): TestSocket {
  return io(baseUrl, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: headers,
  });
}

export async function emit<E extends keyof ClientEventResults>(
  socket: Socket,
  event: E,
  payload: unknown,
): Promise<Ack<ClientEventResults[E]>> {
  return (await socket.timeout(5000).emitWithAck(event, payload)) as Ack<ClientEventResults[E]>;
}

/** Resolves with the next event of that name that satisfies `accept`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: TestSocket,
  event: E,
  accept: (...args: Parameters<ServerToClientEvents[E]>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no matching ${event} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const listener = (...args: Parameters<ServerToClientEvents[E]>) => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(args[0]);
    };
    socket.on(event, listener as never);
  });
}
