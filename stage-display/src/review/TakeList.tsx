import { useEffect, useRef } from 'react';
import type { ReviewItem } from '@showrec/protocol';
import { timecode } from './format.js';
import type { CueGroup } from './review-filters.js';

function Status({ item }: { item: ReviewItem }) {
  switch (item.status) {
    case 'recording':
      return <span className="badge rec">● recording</span>;
    case 'waiting':
      return (
        <span className="badge processing" title="start a media-worker to file it">
          waiting for a media-worker
        </span>
      );
    case 'processing':
      return (
        <span className="badge processing" data-testid="item-progress">
          processing {item.progress ?? 0}%
        </span>
      );
    case 'failed':
      return (
        <span className="badge failed" title={item.failure ?? ''}>
          failed: {item.failure}
        </span>
      );
    default:
      return null;
  }
}

function Row({
  item,
  current,
  onPick,
}: {
  item: ReviewItem;
  current: boolean;
  onPick: () => void;
}) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (current) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [current]);
  return (
    <button
      ref={ref}
      type="button"
      className={`take-row ${current ? 'current' : ''} verdict-${item.review.review}`}
      data-testid="review-item"
      data-id={item.id}
      data-status={item.status}
      data-review={item.review.review}
      data-published={item.review.published !== null}
      aria-current={current}
      onClick={onPick}
    >
      {item.record ? (
        <img className="poster" src={item.record.media.poster} alt="" loading="lazy" />
      ) : (
        <span className="poster empty" />
      )}
      <span className="take-main">
        <strong>{item.contributors.map((c) => c.name).join(', ')}</strong>
        <span className="take-meta">
          {item.kind !== 'take' && <span className="badge kind">{item.kind}</span>}
          {item.review.published && <span className="badge published">published</span>}
          {item.record && timecode(item.record.media.durationMs)}{' '}
          {new Date(item.startedAt).toLocaleTimeString()}
        </span>
        <Status item={item} />
      </span>
      <span className="take-verdict">
        <span
          className="stars"
          data-testid="item-rating"
          aria-label={`rating ${item.review.rating ?? 'none'}`}
        >
          {item.review.rating ? '★'.repeat(item.review.rating) : '·'}
        </span>
        {item.review.review !== 'pending' && (
          <span className={`badge ${item.review.review}`}>{item.review.review}</span>
        )}
      </span>
    </button>
  );
}

/** The takes, a section per cue; the current one is kept in view as the keyboard moves. */
export function TakeList(props: {
  groups: CueGroup[];
  currentId: string | null;
  onPick: (id: string) => void;
}) {
  if (props.groups.length === 0) return <p className="hint">No takes match.</p>;
  return (
    <div className="take-list" data-testid="take-list">
      {props.groups.map((group) => (
        <section key={group.cueId ?? 'none'}>
          <h3>
            {group.title} <span className="hint">({group.items.length})</span>
          </h3>
          {group.items.map((item) => (
            <Row
              key={item.id}
              item={item}
              current={item.id === props.currentId}
              onPick={() => props.onPick(item.id)}
            />
          ))}
        </section>
      ))}
    </div>
  );
}
