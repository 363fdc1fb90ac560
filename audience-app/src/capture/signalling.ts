import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientEventResults,
  ClientToServerEvents,
  ServerToClientEvents,
} from '@showrec/protocol';

export type AudienceSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket to `url` (another show-server node), or to the server that served this page. */
export function connectAudienceSocket(url?: string): AudienceSocket {
  const options = {
    auth: { role: 'audience' },
    transports: ['websocket'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  };
  return url ? io(url, options) : io(options);
}

/** Sends one event and resolves with its ack's data, or rejects with the server's sentence. */
export async function request<E extends keyof ClientEventResults>(
  socket: AudienceSocket,
  event: E,
  payload: object,
): Promise<ClientEventResults[E]> {
  const answer = (await (
    socket.timeout(10_000).emitWithAck as (
      e: string,
      p: object,
    ) => Promise<Ack<ClientEventResults[E]>>
  )(event, payload)) as Ack<ClientEventResults[E]>;
  if (!answer.ok) throw new Error(answer.error);
  return answer.data;
}
