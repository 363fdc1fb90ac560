import { describe, expect, it } from 'vitest';
import { isDomainError } from '@showrec/protocol';
import { admitPhone } from './capacity.js';

const capacity = { streams: 100, mbps: 200, phoneMbps: 2.6 };

describe('admitting a phone to a show-server', () => {
  it('admits while streams and measured bitrate leave room for one more phone at its cap', () => {
    expect(() => admitPhone(capacity, 0, 0)).not.toThrow();
    expect(() => admitPhone(capacity, 99, 150_000_000)).not.toThrow();
  });

  it('refuses the phone that would pass either limit, saying so', () => {
    for (const [phones, bps] of [
      [100, 0],
      [60, 198_000_000],
    ] as const) {
      let refusal: unknown;
      try {
        admitPhone(capacity, phones, bps);
      } catch (err) {
        refusal = err;
      }
      expect(isDomainError(refusal, 'unavailable')).toBe(true);
      expect((refusal as Error).message).toMatch(/^this show-server is at capacity/);
    }
  });
});
