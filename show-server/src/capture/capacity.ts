import { DomainError } from '@showrec/protocol';

export interface CapacitySettings {
  /** Phones this process may record at once. */
  streams: number;
  /** What they may send in all, in Mb/s. */
  mbps: number;
  /** What one more phone may add: the audience app's cap on a phone's video. */
  phoneMbps: number;
}

/**
 * Whether this show-server can take one more phone. Past its capacity every recording degrades
 * at once (loss on every stream, no file complete), so the phone that would push it over is
 * refused instead, and those already recording keep recording cleanly. `overloaded` is what the
 * process measures of itself (LoadWatch): it refuses whatever the configured capacity says.
 */
export function admitPhone(
  capacity: CapacitySettings,
  phones: number,
  measuredBps: number,
  overloaded: string | null = null,
): void {
  const problem = capacityProblem(capacity, phones, measuredBps, overloaded);
  if (problem)
    throw new DomainError(
      'unavailable',
      `this show-server is ${problem}: the phones already recording carry on; ask the crew`,
    );
}

/** Why this show-server cannot take one more phone (what placement tells other nodes), or null. */
export function capacityProblem(
  capacity: CapacitySettings,
  phones: number,
  measuredBps: number,
  overloaded: string | null = null,
): string | null {
  if (overloaded) return `overloaded (${overloaded})`;
  const mbps = measuredBps / 1_000_000;
  if (phones + 1 > capacity.streams || mbps + capacity.phoneMbps > capacity.mbps)
    return `at capacity (${phones} phones, ${mbps.toFixed(1)} of ${capacity.mbps} Mb/s)`;
  return null;
}

export function capacityWarning(refused: number, reason: string): string {
  return `${refused} phone${refused === 1 ? '' : 's'} could not join: ${reason}`;
}
