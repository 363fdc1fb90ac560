import { useEffect, useState } from 'react';
import { showListSchema, type ShowSummary } from '@showrec/protocol';
import { api } from '../api/http.js';

/** Every show, newest first, so a host finds yesterday's show without its URL (admin token). */
export function ShowsList({ token }: { token: string }) {
  const [shows, setShows] = useState<ShowSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!token) return;
    api('GET', '/api/shows', token, undefined, showListSchema).then(
      (list) => {
        setShows(list.shows);
        setError(null);
      },
      (err: Error) => setError(err.message),
    );
  }, [token]);
  if (error) return <p className="error">{error}</p>;
  if (!shows) return null;
  return (
    <section aria-label="Shows">
      <h2>Shows</h2>
      <table className="shows-list" data-testid="shows-list">
        <thead>
          <tr>
            <th>Show</th>
            <th>Date</th>
            <th>State</th>
            <th>Cues</th>
            <th>Takes</th>
            <th>RECords</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {shows.map((s) => (
            <tr key={s.id} data-id={s.id}>
              <td>
                {s.title}
                {s.venue && <small> · {s.venue}</small>}
              </td>
              <td>{s.date ?? new Date(s.createdAt).toLocaleDateString()}</td>
              <td>{s.state}</td>
              <td>{s.cues}</td>
              <td>{s.takes}</td>
              <td>{s.records}</td>
              <td>
                <a href={`/control/${s.id}#key=${token}`}>Control</a>{' '}
                <a href={`/review/${s.id}#key=${token}`}>Review</a>{' '}
                <a href={`/shows/${s.id}`}>Public page</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
