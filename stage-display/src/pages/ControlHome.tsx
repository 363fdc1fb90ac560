import { useEffect, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import type { CaptureChanged, RECord, ShowCreated } from '@showrec/protocol';
import { api } from '../api/http.js';

/**
 * The first screen of a show: create it with the admin token, put its join code on screen,
 * start and stop capture, and watch the RECords arrive.
 */
export function ControlHome() {
  const [token, setToken] = useState(() => sessionStorage.getItem('showrec:admin') ?? '');
  const [title, setTitle] = useState('');
  const [show, setShow] = useState<ShowCreated | null>(null);
  const [qr, setQr] = useState('');
  const [capture, setCapture] = useState<CaptureChanged | null>(null);
  const [records, setRecords] = useState<RECord[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (show) void QRCode.toDataURL(show.joinUrl, { margin: 1, width: 480 }).then(setQr);
  }, [show]);

  useEffect(() => {
    if (!show) return;
    const poll = () =>
      api<{ records: RECord[] }>('GET', `/api/shows/${show.id}/records`, show.hostKey)
        .then((r) => setRecords(r.records))
        .catch((err: Error) => setError(err.message));
    poll();
    const timer = setInterval(poll, 3000);
    return () => clearInterval(timer);
  }, [show]);

  const act = (run: () => Promise<void>) => {
    setError(null);
    run().catch((err: Error) => setError(err.message));
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    act(async () => {
      sessionStorage.setItem('showrec:admin', token);
      setShow(await api<ShowCreated>('POST', '/api/shows', token, { title }));
    });
  };

  if (!show) {
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
          <button type="submit">Create show</button>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
        </form>
      </main>
    );
  }

  const toggle = (verb: 'start' | 'stop') =>
    act(async () =>
      setCapture(
        await api<CaptureChanged>('POST', `/api/shows/${show.id}/capture/${verb}`, show.hostKey),
      ),
    );

  return (
    <main className="control">
      <section className="join">
        {qr && <img src={qr} alt={`QR code for ${show.joinUrl}`} />}
        <div>
          <p className="code" data-testid="join-code">
            {show.joinCode}
          </p>
          <p>{show.joinUrl}</p>
          <p className="hint">
            Host key (keep it private): <code>{show.hostKey}</code>
          </p>
        </div>
      </section>
      <section className="actions">
        <button onClick={() => toggle('start')} disabled={capture?.running === true}>
          Start capture
        </button>
        <button onClick={() => toggle('stop')} disabled={capture?.running !== true}>
          Stop capture
        </button>
        <span role="status">
          {capture?.running ? `Recording ${capture.takeIds.length} phone(s)` : 'Not recording'}
        </span>
      </section>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <h2>RECords ({records.length})</h2>
      <ul className="records">
        {records.map((r) => (
          <li key={r.id}>
            <img src={r.media.poster} alt="" />
            <div>
              <strong>{r.title}</strong>
              <span>
                {(r.media.durationMs / 1000).toFixed(1)} s · recorded by{' '}
                {r.contributors.map((c) => c.name).join(', ')}
              </span>
              <a href={r.media.video}>video</a>
            </div>
          </li>
        ))}
      </ul>
    </main>
  );
}
