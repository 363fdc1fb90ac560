import { useEffect, useState } from 'react';
import type { SessionState } from '../capture/capture-session.js';

function elapsed(since: number, now: number): string {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function StatusBanner({
  state,
  showTitle,
  onRetry,
}: {
  state: SessionState;
  showTitle: string;
  onRetry: () => void;
}) {
  const now = useNow(state.phase === 'recording');
  switch (state.phase) {
    case 'connecting':
      return (
        <div className="status status-connecting" data-phase="connecting" role="status">
          Connecting to {showTitle}…
        </div>
      );
    case 'standby':
      return (
        <div className="status status-standby" data-phase="standby" role="status">
          <strong>Standing by</strong>
          <span>Keep this page open: your phone records when the show says so.</span>
        </div>
      );
    case 'recording':
      return (
        <div className="status status-recording" data-phase="recording" role="status">
          <strong>● RECORDING</strong>
          <span className="elapsed">{elapsed(state.since, Math.max(now, state.since))}</span>
        </div>
      );
    case 'reconnecting':
      return (
        <div className="status status-reconnecting" data-phase="reconnecting" role="status">
          <strong>Reconnecting…</strong>
          <span>Hold on: the Wi-Fi dropped. Keep this page open.</span>
        </div>
      );
    case 'error':
      return (
        <div className="status status-error" data-phase="error" role="alert">
          <strong>Something went wrong</strong>
          <span>{state.message}</span>
          <button onClick={onRetry}>Try again</button>
        </div>
      );
  }
}
