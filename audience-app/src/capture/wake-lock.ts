/** Keeps the phone's screen on while recording, where the browser allows it. */
export class ScreenWakeLock {
  #sentinel: WakeLockSentinel | null = null;
  #wanted = false;

  constructor() {
    // The browser drops the lock when the page is hidden; take it again when it returns.
    document.addEventListener('visibilitychange', () => {
      if (this.#wanted && document.visibilityState === 'visible') void this.#acquire();
    });
  }

  async hold(): Promise<void> {
    this.#wanted = true;
    await this.#acquire();
  }

  async release(): Promise<void> {
    this.#wanted = false;
    await this.#sentinel?.release().catch(() => undefined);
    this.#sentinel = null;
  }

  async #acquire(): Promise<void> {
    if (this.#sentinel && !this.#sentinel.released) return;
    this.#sentinel = (await navigator.wakeLock?.request('screen').catch(() => null)) ?? null;
  }
}
