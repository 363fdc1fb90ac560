import type { FormEvent } from 'react';
import { rememberShowKey, type KeyScope } from './show-key.js';

/** Asks for a show's key when the link that opened the page carried none. */
export function KeyForm(props: {
  scope: KeyScope;
  showId: string;
  label: string;
  action: string;
  onKey: (key: string) => void;
}) {
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const entered = String(new FormData(e.currentTarget).get('key') ?? '');
    rememberShowKey(props.scope, props.showId, entered);
    props.onKey(entered);
  };
  return (
    <main className="control">
      <form onSubmit={submit} className="stack">
        <label htmlFor="key">{props.label}</label>
        <input id="key" name="key" type="password" required />
        <button type="submit">{props.action}</button>
      </form>
    </main>
  );
}
