import { useEffect, useState } from 'react';
import type { PublicShow } from '@showrec/protocol';

export type ShowLookup =
  | { status: 'loading' }
  | { status: 'found'; show: PublicShow }
  | { status: 'missing' }
  | { status: 'error'; message: string };

/** Looks the join code up before asking for the camera, so a mistyped code fails fast. */
export function useShowLookup(joinCode: string): ShowLookup {
  const [lookup, setLookup] = useState<ShowLookup>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    fetch(`/api/join/${encodeURIComponent(joinCode)}`)
      .then(async (res) => {
        if (!current) return;
        if (res.status === 404) setLookup({ status: 'missing' });
        else if (!res.ok)
          setLookup({ status: 'error', message: `The server answered ${res.status}.` });
        else setLookup({ status: 'found', show: (await res.json()) as PublicShow });
      })
      .catch(
        () =>
          current &&
          setLookup({
            status: 'error',
            message: 'Cannot reach the show server. Check your Wi-Fi.',
          }),
      );
    return () => {
      current = false;
    };
  }, [joinCode]);
  return lookup;
}
