import { useState, type FormEvent } from 'react';
import { REMIX_EXTENSIONS, apiErrorSchema, editRequestedSchema } from '@showrec/protocol';

/** Uploads a remix made from this RECord; the worker files it with this RECord as its parent. */
export function RemixForm(props: {
  showId: string;
  parentId: string;
  secret: string;
  onError: (message: string | null) => void;
}) {
  const [sending, setSending] = useState(false);
  const [queued, setQueued] = useState<string | null>(null);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    // Fields first, then the file: the server checks them before it writes a byte.
    const body = new FormData();
    body.append('title', String(data.get('title') ?? ''));
    body.append('contributor', String(data.get('contributor') ?? ''));
    body.append('parents', props.parentId);
    body.append('file', data.get('file') as File);
    setSending(true);
    fetch(`/api/shows/${props.showId}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${props.secret}` },
      body,
    })
      .then(async (res) => {
        const json: unknown = await res.json();
        if (!res.ok) throw new Error(apiErrorSchema.parse(json).error);
        setQueued(editRequestedSchema.parse(json).recordId);
        props.onError(null);
        form.reset();
      })
      .catch((err: Error) => props.onError(err.message))
      .finally(() => setSending(false));
  };
  return (
    <form className="remix" onSubmit={submit} aria-label="Upload a remix">
      <label>
        Remix title
        <input name="title" required maxLength={200} />
      </label>
      <label>
        Made by
        <input name="contributor" required maxLength={60} />
      </label>
      <label>
        File
        <input
          name="file"
          type="file"
          required
          accept={REMIX_EXTENSIONS.map((e) => `.${e}`).join(',')}
        />
      </label>
      <button type="submit" className="secondary" disabled={sending}>
        {sending ? 'Uploading…' : 'Upload remix'}
      </button>
      {queued && <span className="hint">queued as {queued}</span>}
    </form>
  );
}
