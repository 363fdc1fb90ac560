import { useEffect, useState } from 'react';
import type { UploadProgress } from '@showrec/protocol';
import { LocalCopies, type LocalCopyInfo } from '../capture/local-copies.js';
import { uploadTakeCopy } from '../capture/take-uploader.js';

type Sending = Record<string, string>;

/** Phones that know they are on mobile data say so (Chrome on Android does). */
function onMobileData(): boolean {
  const connection = (
    navigator as Navigator & { connection?: { type?: string; saveData?: boolean } }
  ).connection;
  return connection?.type === 'cellular' || connection?.saveData === true;
}

/**
 * The full-quality recordings this phone kept of a show's takes, offered for upload after the
 * show: resumable, with progress. The server files whichever copy of a take is better and keeps
 * the crew's verdicts; a sent copy is removed from the phone.
 */
export function LocalCopiesPanel({ joinCode, token }: { joinCode: string; token: string }) {
  const [copies, setCopies] = useState<LocalCopyInfo[] | null>(null);
  const [sending, setSending] = useState<Sending>({});

  useEffect(() => {
    let cancelled = false;
    void LocalCopies.open()
      .then((store) => (store ? store.list(joinCode) : []))
      .then((list) => !cancelled && setCopies(list));
    return () => {
      cancelled = true;
    };
  }, [joinCode]);

  const send = async (copy: LocalCopyInfo) => {
    const note = (text: string) => setSending((s) => ({ ...s, [copy.takeId]: text }));
    try {
      const store = (await LocalCopies.open())!;
      const blob = await store.copyOf(copy.takeId);
      if (!blob) throw new Error('the copy is no longer on this phone');
      const res = await fetch(`/api/uploads/${copy.takeId}/offer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      const answer = (await res.json()) as UploadProgress & { error?: string };
      if (res.status === 409) {
        // Already on the server (the show asked for it earlier): the phone may let it go.
        await store.remove(copy.takeId);
        note('Already sent.');
        return;
      }
      if (!res.ok) throw new Error(answer.error);
      await uploadTakeCopy(copy.takeId, blob, answer.offset, token, (f) =>
        note(`Sending… ${Math.round(f * 100)}%`),
      );
      await store.remove(copy.takeId);
      note('Sent: your RECord will be refiled from it if it is better.');
    } catch (err) {
      note(`Could not send it: ${(err as Error).message}`);
    }
  };

  if (!copies || (copies.length === 0 && Object.keys(sending).length === 0)) return null;
  return (
    <section data-testid="local-copies">
      <h2>Full-quality copies on this phone</h2>
      {onMobileData() && <p>You are on mobile data: sending these may use a lot of it.</p>}
      <ul>
        {copies.map((copy) => (
          <li key={copy.takeId} data-testid="local-copy" data-take-id={copy.takeId}>
            {new Date(copy.startedAt).toLocaleTimeString()} · {(copy.bytes / 1e6).toFixed(1)} MB{' '}
            {sending[copy.takeId] ? (
              <span role="status">{sending[copy.takeId]}</span>
            ) : (
              <button type="button" onClick={() => void send(copy)}>
                Send full quality
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
