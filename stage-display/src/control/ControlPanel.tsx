import { useCallback, useMemo, useRef, useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import {
  showCreatedSchema,
  type ClientEventResults,
  type Cue,
  type CueInput,
} from '@showrec/protocol';
import { api } from '../api/http.js';
import { KeyForm } from '../show/KeyForm.js';
import { takeShowKey } from '../show/show-key.js';
import { absoluteUrl, useShowSocket } from '../show/use-show-socket.js';
import { CueForm } from './CueForm.js';
import { CueList } from './CueList.js';
import { PhonesTable } from './PhonesTable.js';
import { CrewInvites } from './CrewInvites.js';
import { LiveTiles } from './LiveTiles.js';
import { SHORTCUTS, useShortcuts } from './use-shortcuts.js';

function CueCard({ label, cue, index }: { label: string; cue: Cue | undefined; index: number }) {
  return (
    <section
      className={`cue-card ${label.toLowerCase()}`}
      data-testid={`${label.toLowerCase()}-cue`}
    >
      <h2>{label}</h2>
      {cue ? (
        <>
          <p className="cue-card-kind">
            {index} · {cue.kind}
            {cue.plannedDurationSec !== null && ` · ${cue.plannedDurationSec}s`}
          </p>
          <p className="cue-card-text">{cue.text || '—'}</p>
          {cue.performer && <p>{cue.performer}</p>}
          {cue.notes && <p className="notes">{cue.notes}</p>}
        </>
      ) : (
        <p className="cue-card-text">{index < 0 ? 'Before the show' : 'End of the cue list'}</p>
      )}
    </section>
  );
}

/** The host's desk: fast, unambiguous control of a live show. */
export function ControlPanel() {
  const showId = useParams().showId ?? '';
  const [key, setKey] = useState<string | null>(() => takeShowKey('host', showId));
  const {
    view,
    connected,
    error: connectError,
    socket,
    send: emit,
  } = useShowSocket(key ? { role: 'host', showId, key } : null);
  const [error, setError] = useState<string | null>(null);
  const messageInput = useRef<HTMLInputElement>(null);

  const send = useCallback(
    async <E extends keyof ClientEventResults>(event: E, payload: object = {}) => {
      const answer = await emit(event, payload);
      setError(answer.ok ? null : answer.error);
    },
    [emit],
  );
  const rest = useCallback(
    (method: string, path: string, body?: unknown) =>
      api(method, `/api/shows/${showId}${path}`, key ?? '', body).then(
        () => setError(null),
        (err: Error) => setError(err.message),
      ),
    [key, showId],
  );
  // GO names the cue it leaves: a second press before the show moved again changes nothing.
  const liveCueId = view ? (view.cues[view.currentCueIndex]?.id ?? null) : null;
  const go = useCallback(() => void send('go', { expectedCueId: liveCueId }), [send, liveCueId]);
  const shortcuts = useMemo(
    () => ({
      Space: go,
      ArrowLeft: () => void send('back'),
      b: () => void send('back'),
      s: () => void send('standby', { on: !view?.standby }),
      r: () => void send('capture:start'),
      t: () => void send('capture:stop'),
      m: () => messageInput.current?.focus(),
    }),
    [send, go, view?.standby],
  );
  useShortcuts(shortcuts);

  if (!key) {
    return (
      <KeyForm
        scope="host"
        showId={showId}
        label="Host key"
        action="Open control panel"
        onKey={setKey}
      />
    );
  }
  if (!view) return <main className="control">{connectError ?? 'Connecting…'}</main>;

  const sendMessage = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    void send('message:send', { text: String(new FormData(form).get('message') ?? '') }).then(
      () => {
        form.reset();
        // Hand the keyboard back to the show: the next Space is a GO, not a space in the box.
        messageInput.current?.blur();
      },
    );
  };
  // Making shows is the admin's: only a panel opened after creating a show (which keeps the admin
  // token for this tab) can duplicate one; a host key cannot.
  const adminToken = sessionStorage.getItem('showrec:admin');
  const duplicate = (token: string) =>
    api('POST', `/api/shows/${showId}/duplicate`, token, undefined, showCreatedSchema).then(
      (copy) => window.open(copy.controlUrl, '_blank'),
      (err: Error) => setError(err.message),
    );

  return (
    <main className="control panel">
      <header className="panel-header">
        <div>
          <h1>{view.title}</h1>
          <p>
            Join code <strong data-testid="panel-join-code">{view.joinCode}</strong> ·{' '}
            {absoluteUrl(view.joinUrl)} ·{' '}
            <a href={`/stage/${showId}`} target="_blank" rel="noreferrer">
              stage display
            </a>{' '}
            ·{' '}
            <a
              href={`/review/${showId}#key=${encodeURIComponent(key)}`}
              target="_blank"
              rel="noreferrer"
            >
              review takes
            </a>
          </p>
        </div>
        <div className="status-pills">
          <span className={connected ? 'pill ok' : 'pill bad'}>
            {connected ? 'connected' : 'reconnecting'}
          </span>
          {view.standby && <span className="pill warn">STANDBY — GO locked</span>}
          {view.capture.running && <span className="pill rec">● RECORDING</span>}
          {view.ended && <span className="pill bad">ended</span>}
          <span className="pill" data-testid="phones-count">
            {view.phones.joined} {view.phones.joined === 1 ? 'phone' : 'phones'} ·{' '}
            {view.phones.recording} recording
          </span>
        </div>
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {view.warnings.map((warning) => (
        <p key={warning} role="alert" className="warning-banner" data-testid="warning">
          {warning}
        </p>
      ))}
      <div className="cue-cards">
        <CueCard label="Live" cue={view.cues[view.currentCueIndex]} index={view.currentCueIndex} />
        <CueCard
          label="Next"
          cue={view.cues[view.currentCueIndex + 1]}
          index={view.currentCueIndex + 1}
        />
      </div>
      <div className="transport">
        <button className="go" onClick={go} disabled={view.standby || view.ended}>
          GO
        </button>
        <button onClick={() => void send('back')} disabled={view.standby || view.ended}>
          Back
        </button>
        <button
          className={view.standby ? 'warn' : 'secondary'}
          onClick={() => void send('standby', { on: !view.standby })}
        >
          {view.standby ? 'Release standby' : 'Standby'}
        </button>
        <button onClick={() => void send('capture:start')} disabled={view.capture.running}>
          Start capture
        </button>
        <button onClick={() => void send('capture:stop')} disabled={!view.capture.running}>
          Stop capture
        </button>
        <button
          className="danger"
          onClick={() => window.confirm('End the show?') && void send('show:end')}
          disabled={view.ended}
        >
          End show
        </button>
      </div>
      <form className="message-form" onSubmit={sendMessage}>
        <input
          ref={messageInput}
          name="message"
          placeholder="Message to every phone"
          maxLength={280}
          aria-label="Message to every phone"
        />
        <button type="submit">Send</button>
      </form>
      <LiveTiles socket={socket} wall={view.wall} send={send} />
      <div className="panel-columns">
        <section>
          <h2>Run of show</h2>
          <CueList
            cues={view.cues}
            currentIndex={view.currentCueIndex}
            onJump={(index) => void send('cue:jump', { index })}
            onSave={(cueId, input) => void rest('PATCH', `/cues/${cueId}`, input)}
            onDelete={(cueId) => void rest('DELETE', `/cues/${cueId}`)}
            onReorder={(ids) => void rest('PUT', '/cues/order', { ids })}
          />
          <CueForm onSave={(input: CueInput) => void rest('POST', '/cues', input)} />
          {adminToken && (
            <button className="secondary" onClick={() => void duplicate(adminToken)}>
              Duplicate show as a template
            </button>
          )}
        </section>
        <aside>
          <h2>Phones</h2>
          <PhonesTable phones={view.phones.list} />
          <CrewInvites showId={showId} hostKey={key} />
          <h2>Shortcuts</h2>
          <dl className="shortcuts">
            {SHORTCUTS.map(([k, what]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
        </aside>
      </div>
    </main>
  );
}
