import { reviewItemStatuses, reviewStates } from '@showrec/protocol';
import type { ReviewFilters } from './review-filters.js';

/** Narrows hundreds of takes to the ones in question: by cue, person, state, verdict and rating. */
export function ReviewFilterBar(props: {
  filters: ReviewFilters;
  onChange: (filters: ReviewFilters) => void;
  cues: Array<{ id: string; title: string }>;
  contributors: string[];
}) {
  const { filters, onChange } = props;
  const set = <K extends keyof ReviewFilters>(key: K, value: ReviewFilters[K]) =>
    onChange({ ...filters, [key]: value });
  return (
    <div className="filters" role="search">
      <label>
        Cue{' '}
        <select value={filters.cue} onChange={(e) => set('cue', e.target.value)}>
          <option value="">all</option>
          {props.cues.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
          <option value="none">outside any cue</option>
        </select>
      </label>
      <label>
        Contributor{' '}
        <select value={filters.contributor} onChange={(e) => set('contributor', e.target.value)}>
          <option value="">all</option>
          {props.contributors.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </label>
      <label>
        Status{' '}
        <select
          value={filters.status}
          onChange={(e) => set('status', e.target.value as ReviewFilters['status'])}
        >
          <option value="">all</option>
          {reviewItemStatuses.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Verdict{' '}
        <select
          value={filters.review}
          onChange={(e) => set('review', e.target.value as ReviewFilters['review'])}
        >
          <option value="">all</option>
          {reviewStates.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Rating{' '}
        <select value={filters.rating} onChange={(e) => set('rating', Number(e.target.value))}>
          <option value={0}>any</option>
          <option value={-1}>unrated</option>
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {'★'.repeat(n)} or more
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
