import { useState } from 'react';
import { useParams } from 'react-router';
import { useShowLookup } from './use-show-lookup.js';
import { JoinForm } from './JoinForm.js';
import { CaptureView } from './CaptureView.js';

export function JoinPage() {
  const joinCode = (useParams().joinCode ?? '').toUpperCase();
  const lookup = useShowLookup(joinCode);
  const [name, setName] = useState<string | null>(null);

  if (lookup.status === 'loading') return <main className="page">Looking up show {joinCode}…</main>;
  if (lookup.status === 'missing') {
    return (
      <main className="page">
        <h1>Show not found</h1>
        <p role="alert">
          No show has the code <strong>{joinCode}</strong>. Check the code on the big screen and try
          again.
        </p>
        <a href="/join">Enter another code</a>
      </main>
    );
  }
  if (lookup.status === 'error') {
    return (
      <main className="page">
        <h1>Can’t reach the show</h1>
        <p role="alert">{lookup.message}</p>
        <button onClick={() => location.reload()}>Try again</button>
      </main>
    );
  }
  if (name === null) return <JoinForm showTitle={lookup.show.title} onJoin={setName} />;
  return <CaptureView joinCode={joinCode} name={name} showTitle={lookup.show.title} />;
}
