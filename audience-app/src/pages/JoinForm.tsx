import { useState, type FormEvent } from 'react';

const nameKey = 'showrec:name';

export function JoinForm({
  showTitle,
  onJoin,
}: {
  showTitle: string;
  onJoin: (name: string) => void;
}) {
  const [name, setName] = useState(() => localStorage.getItem(nameKey) ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    localStorage.setItem(nameKey, trimmed);
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
        <button type="submit">Join show</button>
      </form>
    </main>
  );
}
