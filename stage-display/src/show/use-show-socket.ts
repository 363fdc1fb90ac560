import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientEventResults,
  ClientToServerEvents,
  HostMessage,
  PhoneStatus,
  ServerToClientEvents,
  SocketAuth,
  ShowView,
} from '@showrec/protocol';

export type ShowSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ShowConnection {
  view: ShowView | null;
  connected: boolean;
  error: string | null;
  message: HostMessage | null;
  /** Server clock minus this screen's clock, from the latest view. */
  clockOffset: number;
  /** The socket itself, for what rides on it besides the show (the live video of the wall). */
  socket: ShowSocket | null;
  /** Sends a control event (host only) and returns its ack. */
  send: <E extends keyof ClientEventResults>(
    event: E,
    payload?: object,
  ) => Promise<Ack<ClientEventResults[E]>>;
}

type ConnectionState = Omit<ShowConnection, 'send'>;

/** What the review listens to besides the show itself. */
export type ReviewListeners = Pick<ServerToClientEvents, 'review:changed' | 'review:progress'>;

/**
 * A live connection to one show: the latest view, host messages, and connection state. socket.io
 * reconnects by itself; the server sends the current view again on every (re)connection.
 */
export function useShowSocket(
  auth: SocketAuth | null,
  listeners?: ReviewListeners,
): ShowConnection {
  const [state, setState] = useState<ConnectionState>({
    view: null,
    connected: false,
    error: null,
    message: null,
    clockOffset: 0,
    socket: null,
  });
  const socketRef = useRef<ShowSocket | null>(null);
  const listenersRef = useRef(listeners);
  useEffect(() => {
    listenersRef.current = listeners;
  });
  const key = JSON.stringify(auth);
  useEffect(() => {
    if (!auth) return;
    const socket: ShowSocket = io({ auth, transports: ['websocket'], reconnectionDelayMax: 3000 });
    socketRef.current = socket;
    socket.on('connect', () => setState((s) => ({ ...s, socket, connected: true, error: null })));
    socket.on('disconnect', () => setState((s) => ({ ...s, connected: false })));
    socket.on('connect_error', (err) =>
      setState((s) => ({ ...s, connected: false, error: err.message })),
    );
    socket.on('show:state', (view) =>
      setState((s) => ({ ...s, view, clockOffset: view.serverNow - Date.now() })),
    );
    socket.on('show:message', (message) => setState((s) => ({ ...s, message })));
    socket.on('phones:status', (statuses) =>
      setState((s) => (s.view ? { ...s, view: withPhoneStatuses(s.view, statuses) } : s)),
    );
    socket.on('review:changed', (change) => listenersRef.current?.['review:changed'](change));
    socket.on('review:progress', (progress) => listenersRef.current?.['review:progress'](progress));
    return () => {
      socket.disconnect();
      socketRef.current = null;
      setState((s) => ({ ...s, socket: null }));
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reconnect only when the credentials change
  }, [key]);
  const send = useCallback(
    <E extends keyof ClientEventResults>(event: E, payload: object = {}) =>
      socketRef.current
        ? request(socketRef.current, event, payload)
        : Promise.resolve<Ack<ClientEventResults[E]>>({
            ok: false,
            code: 'unavailable',
            error: 'not connected',
          }),
    [],
  );
  return { ...state, send };
}

/** The view with fresher statuses of some of its phones (those one show-server process holds). */
export function withPhoneStatuses(view: ShowView, statuses: PhoneStatus[]): ShowView {
  const fresh = new Map(statuses.map((s) => [s.participantId, s]));
  const list = view.phones.list.map((phone) => fresh.get(phone.participantId) ?? phone);
  return { ...view, phones: { ...view.phones, list } };
}

/** Join URLs may be relative (no public URL configured): resolve them against this page. */
export function absoluteUrl(url: string): string {
  return new URL(url, window.location.origin).toString();
}

interface AckingSocket {
  timeout(ms: number): { emitWithAck(event: string, payload: object): Promise<unknown> };
}

/** Sends one control event and returns its ack; a silent server answers as a refusal. */
export async function request<E extends keyof ClientEventResults>(
  socket: ShowSocket,
  event: E,
  payload: object = {},
): Promise<Ack<ClientEventResults[E]>> {
  const answer = await (socket as unknown as AckingSocket)
    .timeout(5000)
    .emitWithAck(event, payload)
    .catch(() => ({ ok: false, code: 'unavailable', error: 'no answer from the server' }));
  return answer as Ack<ClientEventResults[E]>;
}
