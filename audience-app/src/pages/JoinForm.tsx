import { useState, type FormEvent } from 'react';
import { showOnStageKey } from '../capture/capture-session.js';

const nameKey = 'showrec:name';

/** Unless the phone said no before, it may be shown on the big screen. */
export const storedShowOnStage = () => localStorage.getItem(showOnStageKey) !== 'no';

export function JoinForm({
  showTitle,
  onJoin,
}: {
  showTitle: string;
  onJoin: (name: string) => void;
}) {
  const [name, setName] = useState(() => localStorage.getItem(nameKey) ?? '');
  const [showOnStage, setShowOnStage] = useState(storedShowOnStage);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    localStorage.setItem(nameKey, trimmed);
    localStorage.setItem(showOnStageKey, showOnStage ? 'yes' : 'no');
    onJoin(trimmed);
  };
  return (
    <main className="page">
      <p className="eyebrow">You’re joining</p>
      <h1>{showTitle}</h1>
      <form onSubmit={submit} className="stack">
        <label htmlFor="name">Your name</label>
        <input
          id="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={60}
          autoComplete="name"
          required
        />
        <p className="hint">Your name is credited on everything your phone records.</p>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={!showOnStage}
            onChange={(e) => setShowOnStage(!e.target.checked)}
          />
          Don’t show me on the big screen
        </label>
        <p className="hint">
          While you record, the host may show your camera’s picture live on the stage, with your
          name. Tick this and it never will be; you can change it later.
        </p>
        <button type="submit">Join show</button>
      </form>
    </main>
  );
}
