import type { ShowView } from '@showrec/protocol';
import { Countdown } from './Countdown.js';
import { JoinCard } from './JoinCard.js';

/** One cue, full screen, readable from the back of a room. */
export function StageCue({ view, clockOffset }: { view: ShowView; clockOffset: number }) {
  if (view.ended)
    return (
      <div className="stage-cue kind-end">
        <p className="cue-text">Thank you</p>
      </div>
    );
  const cue = view.cues[view.currentCueIndex];
  if (!cue) {
    return (
      <div className="stage-cue kind-preshow">
        <p className="cue-text">{view.title}</p>
        {view.venue && <p className="performer">{view.venue}</p>}
      </div>
    );
  }
  return (
    <div className={`stage-cue kind-${cue.kind}`} data-testid="stage-cue" data-kind={cue.kind}>
      {cue.kind === 'join' && (
        <JoinCard joinUrl={view.joinUrl} joinCode={view.joinCode} text={cue.text} />
      )}
      {cue.kind === 'capture' && (
        <>
          <p className="recording-badge">● RECORDING</p>
          <p className="cue-text">{cue.text}</p>
          {cue.performer && <p className="performer">{cue.performer}</p>}
          <p className="recording-count" data-testid="recording-count">
            {view.phones.recording} {view.phones.recording === 1 ? 'phone' : 'phones'} recording
          </p>
        </>
      )}
      {cue.kind === 'countdown' && (
        <>
          <p className="cue-text">{cue.text}</p>
          {cue.plannedDurationSec !== null && view.cueStartedAt !== null && (
            <Countdown
              endsAt={view.cueStartedAt + cue.plannedDurationSec * 1000}
              clockOffset={clockOffset}
            />
          )}
        </>
      )}
      {cue.kind === 'credits' && (
        <>
          <p className="cue-text">{cue.text || 'Recorded by'}</p>
          <div className="credits-window">
            <ul
              className="credits-roll"
              data-testid="credits"
              style={{ animationDuration: `${Math.max(10, view.credits.length * 1.5)}s` }}
            >
              {view.credits.map((name) => (
                <li key={name}>{name}</li>
              ))}
            </ul>
          </div>
        </>
      )}
      {(cue.kind === 'title' || cue.kind === 'message' || cue.kind === 'wall') && (
        <>
          <p className="cue-text">{cue.text}</p>
          {cue.performer && <p className="performer">{cue.performer}</p>}
        </>
      )}
    </div>
  );
}
