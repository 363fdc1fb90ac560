const storageKey = (showId: string) => `showrec:host:${showId}`;

/**
 * The host key arrives in the URL fragment (#key=…), which browsers never send to a server.
 * It is kept for this tab and removed from the address bar, so it is not left on screen.
 */
export function takeHostKey(showId: string): string | null {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('key');
  if (fromHash) {
    sessionStorage.setItem(storageKey(showId), fromHash);
    history.replaceState(null, '', window.location.pathname);
    return fromHash;
  }
  return sessionStorage.getItem(storageKey(showId));
}

export function rememberHostKey(showId: string, key: string): void {
  sessionStorage.setItem(storageKey(showId), key);
}
