import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';

export function EnterCodePage() {
  const [code, setCode] = useState('');
  const navigate = useNavigate();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/join/${code.trim().toUpperCase()}`);
  };
  return (
    <main className="page">
      <h1>Join the show</h1>
      <form onSubmit={submit} className="stack">
        <label htmlFor="code">Show code</label>
        <input
          id="code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoCapitalize="characters"
          autoComplete="off"
          maxLength={6}
          required
        />
        <button type="submit">Continue</button>
      </form>
    </main>
  );
}
