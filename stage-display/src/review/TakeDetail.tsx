import { useEffect, useState, type FormEvent, type RefObject } from 'react';
import {
  editRequestedSchema,
  lineageSchema,
  type Contributor,
  type Lineage,
  type RECord,
  type ReviewItem,
} from '@showrec/protocol';
import { DownloadLink } from '../api/DownloadLink.js';
import { api } from '../api/http.js';
import { timecode } from './format.js';
import { RemixForm } from './RemixForm.js';

export interface TrimSpan {
  inMs: number;
  outMs: number;
}

const EDITOR_KEY = 'showrec:editor';

function Credits({ credits }: { credits: Contributor[] }) {
  return (
    <ul className="credits" data-testid="lineage-credits">
      {credits.map((c) => (
        <li key={`${c.participantId ?? c.name}-${c.role}`}>
          {c.name} <span className="hint">{c.role}</span>
        </li>
      ))}
    </ul>
  );
}

/** A time typed in seconds, kept in milliseconds. */
function SecondsInput(props: {
  label: string;
  name: string;
  ms: number;
  onChange: (ms: number) => void;
}) {
  return (
    <label>
      {props.label}
      <input
        type="number"
        step="0.1"
        min="0"
        aria-label={props.name}
        value={(props.ms / 1000).toFixed(1)}
        onChange={(e) => props.onChange(Math.round(Number(e.target.value) * 1000))}
      />
    </label>
  );
}

function RecordLinks(props: {
  title: string;
  testId: string;
  records: RECord[];
  onPick: (id: string) => void;
}) {
  if (props.records.length === 0) return null;
  return (
    <>
      <h3>{props.title}</h3>
      <ul data-testid={props.testId}>
        {props.records.map((r) => (
          <li key={r.id}>
            <button type="button" className="link" onClick={() => props.onPick(r.id)}>
              {r.title}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

/** One take up close: play it, judge it, note it, cut it, follow what it came from and became. */
export function TakeDetail(props: {
  showId: string;
  item: ReviewItem;
  secret: string;
  video: RefObject<HTMLVideoElement | null>;
  trim: TrimSpan;
  onTrim: (span: TrimSpan) => void;
  onPick: (id: string) => void;
  /** Bumped whenever the board changes, so lineage is fetched again. */
  boardVersion: string;
  onError: (message: string | null) => void;
}) {
  const { showId, item, secret, onError, video, trim: span, onTrim, onPick, boardVersion } = props;
  const record = item.record;
  const [lineage, setLineage] = useState<Lineage | null>(null);
  const [editor, setEditor] = useState(() => localStorage.getItem(EDITOR_KEY) ?? '');
  const [queued, setQueued] = useState<string | null>(null);

  useEffect(() => {
    if (!record) return;
    let live = true;
    api('GET', `/api/records/${record.id}/lineage`, secret, undefined, lineageSchema).then(
      (l) => live && setLineage(l),
      (err: Error) => live && onError(err.message),
    );
    return () => {
      live = false;
    };
  }, [record, secret, boardVersion, onError]);

  if (!record) {
    return (
      <section className="take-detail" data-testid="take-detail">
        <h2>{item.title}</h2>
        {item.status === 'failed' ? (
          <>
            <p className="error">Could not be filed: {item.failure}</p>
            <button
              onClick={() =>
                void api('POST', `/api/shows/${showId}/review/${item.id}/retry`, secret).then(
                  () => onError(null),
                  (err: Error) => onError(err.message),
                )
              }
            >
              File it again
            </button>
          </>
        ) : item.status === 'recording' ? (
          <p>Still recording.</p>
        ) : item.status === 'waiting' ? (
          <p>Queued, but no media-worker is running: start one and it will be filed.</p>
        ) : (
          <progress max={100} value={item.progress ?? 0} />
        )}
      </section>
    );
  }

  const trim = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    localStorage.setItem(EDITOR_KEY, editor);
    api(
      'POST',
      `/api/records/${record.id}/trim`,
      secret,
      { ...span, editor },
      editRequestedSchema,
    ).then(
      (r) => {
        setQueued(r.recordId);
        onError(null);
      },
      (err: Error) => onError(err.message),
    );
  };
  const addNote = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const atMs = Math.round((video.current?.currentTime ?? 0) * 1000);
    api('POST', `/api/records/${record.id}/notes`, secret, {
      atMs,
      text: String(new FormData(form).get('note') ?? ''),
    }).then(
      () => form.reset(),
      (err: Error) => onError(err.message),
    );
  };
  const download = (what: 'video' | 'original') => (
    <DownloadLink path={`/api/records/${record.id}/${what}`} secret={secret} onError={onError}>
      {what}
    </DownloadLink>
  );

  return (
    <section className="take-detail" data-testid="take-detail" data-id={item.id}>
      <h2>{item.title}</h2>
      <video
        ref={video}
        key={record.id}
        src={record.media.video}
        poster={record.media.poster}
        controls
        playsInline
        data-testid="take-video"
      />
      <p className="hint">
        {timecode(record.media.durationMs)} · {record.source} copy · {download('video')}
        {record.original && <> · {download('original')}</>}
        {record.onScreenMs > 0 && <> · on the big screen {timecode(record.onScreenMs)}</>}
      </p>

      <form className="trim" onSubmit={trim} aria-label="Trim">
        <SecondsInput
          label="In (s)"
          name="Trim in"
          ms={span.inMs}
          onChange={(inMs) => onTrim({ ...span, inMs })}
        />
        <SecondsInput
          label="Out (s)"
          name="Trim out"
          ms={span.outMs}
          onChange={(outMs) => onTrim({ ...span, outMs })}
        />
        <label>
          Editor
          <input
            aria-label="Editor"
            value={editor}
            required
            onChange={(e) => setEditor(e.target.value)}
          />
        </label>
        <button type="submit">Trim</button>
        {queued && (
          <span className="hint" data-testid="trim-queued">
            queued as {queued}
          </span>
        )}
      </form>

      <form className="note" onSubmit={addNote} aria-label="Note">
        <input
          name="note"
          aria-label="Note at the player's time"
          placeholder="Note at the player’s time"
          required
        />
        <button type="submit" className="secondary">
          Add note
        </button>
      </form>
      <ul className="notes-list">
        {item.review.notes.map((n) => (
          <li key={`${n.at}-${n.atMs}`}>
            <button
              type="button"
              className="link"
              onClick={() => {
                if (video.current) video.current.currentTime = n.atMs / 1000;
              }}
            >
              {timecode(n.atMs)}
            </button>{' '}
            {n.text}
          </li>
        ))}
      </ul>

      <RemixForm showId={record.showId} parentId={record.id} secret={secret} onError={onError} />

      {lineage && (
        <div className="lineage" data-testid="lineage">
          <h3>Credits</h3>
          <Credits credits={lineage.credits} />
          <RecordLinks
            title="Made from"
            testId="lineage-ancestors"
            records={lineage.ancestors}
            onPick={onPick}
          />
          <RecordLinks
            title="Made into"
            testId="lineage-descendants"
            records={lineage.descendants}
            onPick={onPick}
          />
        </div>
      )}
    </section>
  );
}
