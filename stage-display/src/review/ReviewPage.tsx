import { useCallback, useMemo, useRef, useState } from 'react';
import { useParams } from 'react-router';
import type { ReviewItem, ReviewState } from '@showrec/protocol';
import { DownloadLink } from '../api/DownloadLink.js';
import { api } from '../api/http.js';
import { useShortcuts } from '../control/use-shortcuts.js';
import { KeyForm } from '../show/KeyForm.js';
import { takeShowKey } from '../show/show-key.js';
import { anglesOf, MAX_ANGLES } from './angles.js';
import { MultiAngle } from './MultiAngle.js';
import { ReviewFilterBar } from './ReviewFilterBar.js';
import { contributorNames, groupByCue, NO_FILTERS, type ReviewFilters } from './review-filters.js';
import { TakeDetail, type TrimSpan } from './TakeDetail.js';
import { TakeList } from './TakeList.js';
import { SelectsCollection } from './SelectsCollection.js';
import { useReviewBoard } from './use-review-board.js';

const SHORTCUTS: Array<[string, string]> = [
  ['j / ↓', 'Next'],
  ['k / ↑', 'Previous'],
  ['s', 'Select'],
  ['r', 'Reject'],
  ['u', 'Back to pending'],
  ['p', 'Publish / unpublish'],
  ['1–5 / 0', 'Rate / clear'],
  ['Space', 'Play / pause'],
  ['i / o', 'Trim in / out here'],
  ['m', 'Angles of this moment'],
];

/** The crew's review of a show's takes: quick to move through hundreds with the keyboard. */
export function ReviewPage() {
  const showId = useParams().showId ?? '';
  const [key, setKey] = useState<string | null>(() => takeShowKey('review', showId));
  const { board, error: loadError, connected, refresh } = useReviewBoard(showId, key);
  const [filters, setFilters] = useState<ReviewFilters>(NO_FILTERS);
  const [currentId, setCurrentId] = useState<string | null>(null);
  const [trimmed, setTrimmed] = useState<{ id: string; span: TrimSpan } | null>(null);
  const [anglesOpen, setAnglesOpen] = useState(false);
  const [unchecked, setUnchecked] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement | null>(null);

  const groups = useMemo(() => (board ? groupByCue(board, filters) : []), [board, filters]);
  const order = useMemo(() => groups.flatMap((g) => g.items), [groups]);
  const current: ReviewItem | undefined =
    order.find((i) => i.id === currentId) ??
    board?.items.find((i) => i.id === currentId) ??
    order[0];
  const angles = useMemo(
    () => (current && board ? anglesOf(current, board.items) : []),
    [current, board],
  );
  const playing = angles.filter((a) => !unchecked.has(a.item.id)).slice(0, MAX_ANGLES);
  // The cut being set on the current take; the whole take until an in or out point is set.
  const trim = useMemo<TrimSpan>(
    () =>
      trimmed && trimmed.id === current?.id
        ? trimmed.span
        : { inMs: 0, outMs: current?.record?.media.durationMs ?? 0 },
    [trimmed, current],
  );
  const setTrim = useCallback(
    (span: TrimSpan) => {
      if (current) setTrimmed({ id: current.id, span });
    },
    [current],
  );

  const pick = useCallback((id: string) => {
    setCurrentId(id);
    setAnglesOpen(false);
  }, []);
  const step = useCallback(
    (by: number) => {
      if (order.length === 0) return;
      const at = current ? order.findIndex((i) => i.id === current.id) : -1;
      const next = order[Math.min(order.length - 1, Math.max(0, at + by))];
      if (next) pick(next.id);
    },
    [order, current, pick],
  );
  const judge = useCallback(
    (patch: { rating?: number | null; review?: ReviewState }) => {
      if (!current?.record || !key) return;
      api('PATCH', `/api/records/${current.record.id}`, key, patch).then(
        () => {
          setError(null);
          refresh();
        },
        (err: Error) => setError(err.message),
      );
    },
    [current, key, refresh],
  );
  const togglePublished = useCallback(() => {
    if (!current?.record || !key) return;
    const published = current.review.published === null;
    api('PUT', `/api/records/${current.record.id}/published`, key, { published }).then(
      () => {
        setError(null);
        refresh();
      },
      (err: Error) => setError(err.message),
    );
  }, [current, key, refresh]);
  const here = () => Math.round((video.current?.currentTime ?? 0) * 1000);
  const shortcuts = useMemo(
    () => ({
      j: () => step(1),
      ArrowDown: () => step(1),
      k: () => step(-1),
      ArrowUp: () => step(-1),
      s: () => judge({ review: 'selected' }),
      r: () => judge({ review: 'rejected' }),
      u: () => judge({ review: 'pending' }),
      p: togglePublished,
      ...Object.fromEntries([1, 2, 3, 4, 5].map((n) => [String(n), () => judge({ rating: n })])),
      '0': () => judge({ rating: null }),
      Space: () => {
        const v = video.current;
        if (v) void (v.paused ? v.play() : Promise.resolve(v.pause()));
      },
      i: () => setTrim({ ...trim, inMs: here() }),
      o: () => setTrim({ ...trim, outMs: here() }),
      m: () => setAnglesOpen((open) => !open && angles.length > 1),
      Escape: () => setAnglesOpen(false),
    }),
    [step, judge, togglePublished, angles.length, trim, setTrim],
  );
  useShortcuts(shortcuts);

  if (!key) {
    return (
      <KeyForm
        scope="review"
        showId={showId}
        label="Crew key"
        action="Open review"
        onKey={setKey}
      />
    );
  }
  if (!board) return <main className="control">{loadError ?? 'Loading takes…'}</main>;

  const counts = {
    filed: board.items.filter((i) => i.status === 'filed').length,
    selected: board.items.filter((i) => i.review.review === 'selected').length,
  };
  const download = (what: string, label: string) => (
    <DownloadLink path={`/api/shows/${showId}/${what}`} secret={key} onError={setError}>
      {label}
    </DownloadLink>
  );

  return (
    <main className="review">
      <header className="panel-header">
        <div>
          <h1>{board.show.title} · review</h1>
          <p data-testid="review-counts">
            {board.items.length} takes and edits · {counts.filed} filed · {counts.selected} selected
            {' · '}
            {download('credits.csv', 'credits CSV')} · {download('credits.json', 'credits JSON')} ·{' '}
            {counts.selected > 0 ? download('selects.zip', 'ZIP of selects') : 'no selects yet'}
            {counts.selected > 0 && (
              <>
                {' · '}
                <SelectsCollection board={board} secret={key} onError={setError} />
              </>
            )}
          </p>
        </div>
        <span className={connected ? 'pill ok' : 'pill bad'}>
          {connected ? 'live' : 'reconnecting'}
        </span>
      </header>
      <ReviewFilterBar
        filters={filters}
        onChange={setFilters}
        cues={board.show.cues}
        contributors={contributorNames(board)}
      />
      {(error ?? loadError) && (
        <p role="alert" className="error">
          {error ?? loadError}
        </p>
      )}
      <div className="review-body">
        <TakeList groups={groups} currentId={current?.id ?? null} onPick={pick} />
        <div className="review-side">
          {anglesOpen && playing.length > 1 ? (
            <MultiAngle angles={playing} onClose={() => setAnglesOpen(false)} />
          ) : (
            current && (
              <TakeDetail
                showId={showId}
                item={current}
                secret={key}
                video={video}
                trim={trim}
                onTrim={setTrim}
                onPick={pick}
                boardVersion={board.items.map((i) => `${i.id}:${i.status}`).join()}
                onError={setError}
              />
            )
          )}
          {angles.length > 1 && (
            <fieldset className="angles" data-testid="angle-picker">
              <legend>
                Angles of this moment ({angles.length}) — play up to {MAX_ANGLES} together
              </legend>
              {angles.map((a) => (
                <label key={a.item.id}>
                  <input
                    type="checkbox"
                    checked={playing.some((p) => p.item.id === a.item.id)}
                    disabled={
                      !playing.some((p) => p.item.id === a.item.id) && playing.length >= MAX_ANGLES
                    }
                    onChange={(e) =>
                      setUnchecked((u) => {
                        const next = new Set(u);
                        if (e.target.checked) next.delete(a.item.id);
                        else next.add(a.item.id);
                        return next;
                      })
                    }
                  />{' '}
                  {a.item.contributors.map((c) => c.name).join(', ')}
                </label>
              ))}
              <button
                type="button"
                onClick={() => setAnglesOpen(true)}
                disabled={playing.length < 2}
              >
                Play angles together (m)
              </button>
            </fieldset>
          )}
          <ul className="shortcuts">
            {SHORTCUTS.map(([k, what]) => (
              <li key={k}>
                <kbd>{k}</kbd> {what}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </main>
  );
}
