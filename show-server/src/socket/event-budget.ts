/**
 * A token bucket per socket: `perSecond` events on average, bursts up to twice that. A phone
 * joining sends about six; a host pressing GO, one.
 */
export class EventBudget {
  #tokens: number;
  #last = Date.now();

  constructor(private readonly perSecond: number) {
    this.#tokens = perSecond * 2;
  }

  take(now = Date.now()): boolean {
    this.#tokens = Math.min(
      this.perSecond * 2,
      this.#tokens + ((now - this.#last) / 1000) * this.perSecond,
    );
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
