import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import QRCode from 'qrcode';
import {
  claimLinkSchema,
  yourRecordsSchema,
  type ClaimLink,
  type YourRecords,
} from '@showrec/protocol';
import { deviceTokenKey } from '../capture/capture-session.js';
import { LocalCopiesPanel } from './LocalCopiesPanel.js';

async function call<T>(
  method: string,
  url: string,
  token: string,
  shape: { parse(v: unknown): T },
) {
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}` } });
  const json: unknown = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error((json as { error: string }).error);
  return shape.parse(json);
}

/**
 * "Your RECords": what this phone recorded in a show, filed — play, download, share — and a
 * one-time link (and its QR code) that moves them to another device or browser.
 */
export function YourRecordsPage() {
  const joinCode = (useParams().joinCode ?? '').toUpperCase();
  const token = localStorage.getItem(deviceTokenKey(joinCode));
  const [mine, setMine] = useState<YourRecords | null>(null);
  const [claim, setClaim] = useState<(ClaimLink & { qr: string }) | null>(null);
  const [error, setError] = useState<string | null>(
    token ? null : 'This browser has not recorded in this show.',
  );

  useEffect(() => {
    if (!token) return;
    (async () => {
      const res = await fetch(`/api/join/${encodeURIComponent(joinCode)}`);
      if (!res.ok) throw new Error(((await res.json()) as { error: string }).error);
      const { id } = (await res.json()) as { id: string };
      setMine(await call('GET', `/api/shows/${id}/mine`, token, yourRecordsSchema));
    })().catch((err: Error) => setError(err.message));
  }, [joinCode, token]);

  const makeClaim = () => {
    if (!mine || !token) return;
    call('POST', `/api/shows/${mine.show.id}/mine/claim`, token, claimLinkSchema)
      .then(async (link) => setClaim({ ...link, qr: await QRCode.toDataURL(link.url) }))
      .catch((err: Error) => setError(err.message));
  };

  if (error) return <main className="your-records">{error}</main>;
  if (!mine) return <main className="your-records">Loading your RECords…</main>;
  return (
    <main className="your-records">
      <h1>Your RECords</h1>
      <p>
        {mine.show.title} · recorded by {mine.participant.name}
      </p>
      {mine.records.length === 0 && <p>Nothing is filed yet: check back in a few minutes.</p>}
      {mine.records.map((record) => (
        <article key={record.id} data-testid="your-record" data-id={record.id}>
          <h2>{record.title}</h2>
          <video src={record.media.video} poster={record.media.poster} controls playsInline />
          <p>
            <a href={record.media.video} download={`${record.title}.mp4`}>
              Download
            </a>{' '}
            <button
              type="button"
              onClick={() =>
                void navigator.share?.({ title: record.title, url: `/shows/${mine.show.id}` })
              }
            >
              Share
            </button>
          </p>
        </article>
      ))}
      <LocalCopiesPanel joinCode={joinCode} token={token!} />
      <section>
        <h2>Keep them on another device</h2>
        {claim ? (
          <>
            <p>Open this link once, on the device that should keep your RECords:</p>
            <a href={claim.url} data-testid="claim-link">
              {claim.url}
            </a>
            <img src={claim.qr} alt="QR code of the claim link" className="qr" />
            <p>This phone will no longer show them once the link is opened.</p>
          </>
        ) : (
          <button type="button" onClick={makeClaim}>
            Move my RECords to another device
          </button>
        )}
      </section>
    </main>
  );
}
