import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { crewInviteSchema, type CrewInvite } from '@showrec/protocol';
import { api } from '../api/http.js';

interface Member {
  id: string;
  name: string;
  invitedAt: string;
}

/**
 * Named crew: one invite per person, so what each does on the review board carries their name.
 * An invite's review link (with its key) is shown once, to hand over; afterwards only the name.
 */
export function CrewInvites({ showId, hostKey }: { showId: string; hostKey: string }) {
  const [crew, setCrew] = useState<Member[]>([]);
  const [name, setName] = useState('');
  const [invited, setInvited] = useState<CrewInvite | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    () =>
      api<{ crew: Member[] }>('GET', `/api/shows/${showId}/crew`, hostKey).then(
        (list) => setCrew(list.crew),
        (err: Error) => setError(err.message),
      ),
    [showId, hostKey],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const invite = (e: FormEvent) => {
    e.preventDefault();
    api('POST', `/api/shows/${showId}/crew`, hostKey, { name }, crewInviteSchema).then(
      (made) => {
        setInvited(made);
        setName('');
        setError(null);
        void load();
      },
      (err: Error) => setError(err.message),
    );
  };
  const revoke = (id: string) =>
    api('DELETE', `/api/shows/${showId}/crew/${id}`, hostKey).then(load, (err: Error) =>
      setError(err.message),
    );

  return (
    <section aria-label="Crew" data-testid="crew-invites">
      <h2>Crew</h2>
      <ul>
        {crew.map((m) => (
          <li key={m.id}>
            {m.name}{' '}
            <button type="button" className="secondary" onClick={() => void revoke(m.id)}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={invite} className="inline-form">
        <input
          aria-label="Crew member’s name"
          placeholder="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={60}
          required
        />
        <button type="submit">Invite</button>
      </form>
      {invited && (
        <p data-testid="crew-invite-link">
          {invited.name}’s review link (shown once):{' '}
          <a href={invited.reviewUrl}>{invited.reviewUrl}</a>
        </p>
      )}
      {error && <p className="error">{error}</p>}
    </section>
  );
}
