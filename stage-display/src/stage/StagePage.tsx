import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { useShowSocket } from '../show/use-show-socket.js';
import { StageCue } from './StageCue.js';
import { StageWall } from '../wall/StageWall.js';
import { useWallFeed } from '../wall/use-wall-feed.js';

/** The projector output: the live cue, host messages, and a quiet note while reconnecting. */
export function StagePage() {
  const showId = useParams().showId ?? '';
  const { view, connected, error, message, clockOffset, socket } = useShowSocket(
    showId ? { role: 'stage', showId } : null,
  );
  const feed = useWallFeed(socket, null);
  const program = feed.state?.program ?? { kind: 'cue' };
  // A host message shows for twelve seconds; only the timer that hides it sets state.
  const [expiredAt, setExpiredAt] = useState<number | null>(null);
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setExpiredAt(message.at), 12_000);
    return () => clearTimeout(timer);
  }, [message]);
  const shownMessage = message && message.at !== expiredAt ? message.text : null;

  if (!view)
    return (
      <main className="stage">
        <p className="stage-status">{error ?? 'Connecting…'}</p>
      </main>
    );
  const cueKey = view.ended ? 'end' : (view.cues[view.currentCueIndex]?.id ?? 'preshow');
  return (
    <main className="stage">
      {/* A new key per cue replays the fade-in: a smooth change of cue on the projector. */}
      {program.kind === 'cue' ? (
        <div key={cueKey} className="stage-fade">
          <StageCue view={view} clockOffset={clockOffset} />
        </div>
      ) : (
        <StageWall program={program} tracks={feed.tracks} received={feed.received} />
      )}
      {shownMessage && (
        <div className="stage-message" data-testid="stage-message">
          {shownMessage}
        </div>
      )}
      {!connected && <p className="stage-status">Reconnecting…</p>}
    </main>
  );
}
