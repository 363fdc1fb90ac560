import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { publicRecordsSchema, type PublicRecords } from '@showrec/protocol';

/** A show's public page: its published RECords, each with everyone credited along its lineage. */
export function PublicShowPage() {
  const showId = useParams().showId ?? '';
  const [page, setPage] = useState<PublicRecords | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch(`/api/public/shows/${encodeURIComponent(showId)}`)
      .then(async (res) => {
        const json: unknown = await res.json();
        if (!res.ok) throw new Error((json as { error: string }).error);
        setPage(publicRecordsSchema.parse(json));
      })
      .catch((err: Error) => setError(err.message));
  }, [showId]);
  if (error) return <main className="control">{error}</main>;
  if (!page) return <main className="control">Loading…</main>;
  return (
    <main className="control public-show">
      <h1>{page.show.title}</h1>
      {page.show.venue && <p>{page.show.venue}</p>}
      {page.records.length === 0 && <p>Nothing is published yet.</p>}
      {page.records.map(({ record, credits, parents }) => (
        <article key={record.id} data-testid="public-record" data-id={record.id}>
          <h2>{record.title}</h2>
          <video src={record.media.video} poster={record.media.poster} controls preload="none" />
          <p data-testid="public-credits">
            {credits.map((c) => `${c.name} ${c.role}`).join(' · ')}
          </p>
          {parents.length > 0 && (
            <p>Made from: {parents.map((p) => p.title ?? 'an unpublished RECord').join(', ')}</p>
          )}
        </article>
      ))}
    </main>
  );
}
