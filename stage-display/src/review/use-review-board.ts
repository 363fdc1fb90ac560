import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { reviewBoardSchema, type ReviewBoard } from '@showrec/protocol';
import { api } from '../api/http.js';
import { useShowSocket, type ReviewListeners } from '../show/use-show-socket.js';

export interface ReviewBoardState {
  board: ReviewBoard | null;
  error: string | null;
  connected: boolean;
  refresh: () => void;
}

/**
 * A show's review board, kept current: fetched once, fetched again (at most a few times a second)
 * when the server says an item changed or a take started or ended, and progress applied as it
 * streams in.
 */
export function useReviewBoard(showId: string, key: string | null): ReviewBoardState {
  const [board, setBoard] = useState<ReviewBoard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  const fetchNow = useCallback(() => {
    if (!key) return;
    api('GET', `/api/shows/${showId}/review`, key, undefined, reviewBoardSchema).then(
      (b) => {
        setBoard(b);
        setError(null);
      },
      (err: Error) => setError(err.message),
    );
  }, [key, showId]);

  const refresh = useCallback(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      fetchNow();
    }, 250);
  }, [fetchNow]);

  const listeners = useMemo<ReviewListeners>(
    () => ({
      'review:changed': () => refresh(),
      'review:progress': ({ id, progress }) =>
        setBoard((b) =>
          b ? { ...b, items: b.items.map((i) => (i.id === id ? { ...i, progress } : i)) } : b,
        ),
    }),
    [refresh],
  );
  const { view, connected } = useShowSocket(key ? { role: 'crew', showId, key } : null, listeners);
  const takes = view ? `${view.capture.takes}:${view.capture.recording}` : '';
  useEffect(() => {
    if (key) refresh();
  }, [key, takes, connected, refresh]);
  useEffect(() => () => clearTimeout(pending.current ?? undefined), []);

  return { board, error, connected, refresh };
}
