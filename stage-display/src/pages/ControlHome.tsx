import { useState, type FormEvent } from 'react';
import { showCreatedSchema } from '@showrec/protocol';
import { api } from '../api/http.js';
import { ShowsList } from './ShowsList.js';

/** Creates a show with the admin token, then opens its control panel (the host key rides in the fragment). */
export function ControlHome() {
  const [token, setToken] = useState(() => sessionStorage.getItem('showrec:admin') ?? '');
  const [title, setTitle] = useState('');
  const [venue, setVenue] = useState('');
  const [date, setDate] = useState('');
  const [error, setError] = useState<string | null>(null);
  // The list loads with the token last used here, and again when one is entered: not at every keystroke.
  const [listToken, setListToken] = useState(() => sessionStorage.getItem('showrec:admin') ?? '');

  const create = (e: FormEvent) => {
    e.preventDefault();
    sessionStorage.setItem('showrec:admin', token);
    api('POST', '/api/shows', token, { title, venue, date: date || null }, showCreatedSchema).then(
      (show) =>
        window.location.assign(new URL(show.controlUrl).pathname + new URL(show.controlUrl).hash),
      (err: Error) => setError(err.message),
    );
  };

  return (
    <main className="control">
      <h1>showrec</h1>
      <form onSubmit={create} className="stack">
        <label htmlFor="token">Admin token</label>
        <input
          id="token"
          type="password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          onBlur={() => {
            sessionStorage.setItem('showrec:admin', token);
            setListToken(token);
          }}
          required
        />
        <label htmlFor="title">Show title</label>
        <input
          id="title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          maxLength={200}
        />
        <label htmlFor="venue">Venue</label>
        <input
          id="venue"
          value={venue}
          onChange={(e) => setVenue(e.target.value)}
          maxLength={200}
        />
        <label htmlFor="date">Date</label>
        <input id="date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        <button type="submit">Create show</button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      <ShowsList token={listToken} />
    </main>
  );
}
