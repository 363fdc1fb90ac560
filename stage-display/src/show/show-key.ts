/** Which screen a key opens: the control panel wants the host key, the review a crew or host key. */
export type KeyScope = 'host' | 'review';

const storageKey = (scope: KeyScope, showId: string) => `showrec:${scope}:${showId}`;

/**
 * A show's key arrives in the URL fragment (#key=…), which browsers never send to a server.
 * It is kept for this tab and removed from the address bar, so it is not left on screen.
 */
export function takeShowKey(scope: KeyScope, showId: string): string | null {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('key');
  if (fromHash) {
    sessionStorage.setItem(storageKey(scope, showId), fromHash);
    history.replaceState(null, '', window.location.pathname);
    return fromHash;
  }
  return sessionStorage.getItem(storageKey(scope, showId));
}

export function rememberShowKey(scope: KeyScope, showId: string, key: string): void {
  sessionStorage.setItem(storageKey(scope, showId), key);
}
