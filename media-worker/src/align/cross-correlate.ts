import FFT from 'fft.js';

export interface LagEstimate {
  /** Where `other` starts inside `reference`, in samples (negative: before it). */
  lag: number;
  /** How far the peak stands out of the other lags searched, in standard deviations. */
  confidence: number;
}

/**
 * Generalized cross-correlation with phase transform (GCC-PHAT): whitening the spectrum before
 * correlating keeps the peak sharp when two phones hear the same room through different
 * microphones, gains and reverberation. Only lags in [minLag, maxLag] are considered.
 */
export function estimateLag(
  reference: Float32Array,
  other: Float32Array,
  minLag: number,
  maxLag: number,
): LagEstimate {
  let size = 2;
  while (size < reference.length + other.length) size *= 2;
  const fft = new FFT(size);
  const spectrum = (signal: Float32Array): Float64Array => {
    const padded = new Float64Array(size);
    padded.set(signal);
    const out = new Float64Array(size * 2);
    fft.realTransform(out, padded);
    fft.completeSpectrum(out);
    return out;
  };
  const a = spectrum(reference);
  const b = spectrum(other);
  const cross = new Float64Array(size * 2);
  for (let i = 0; i < size * 2; i += 2) {
    // A · conj(B), divided by its magnitude.
    const re = a[i]! * b[i]! + a[i + 1]! * b[i + 1]!;
    const im = a[i + 1]! * b[i]! - a[i]! * b[i + 1]!;
    const magnitude = Math.hypot(re, im) + 1e-12;
    cross[i] = re / magnitude;
    cross[i + 1] = im / magnitude;
  }
  const correlation = new Float64Array(size * 2);
  fft.inverseTransform(correlation, cross);

  const at = (lag: number) => correlation[2 * (((lag % size) + size) % size)]!;
  let best = minLag;
  let sum = 0;
  let sumSquares = 0;
  for (let lag = minLag; lag <= maxLag; lag++) {
    const value = at(lag);
    sum += value;
    sumSquares += value * value;
    if (value > at(best)) best = lag;
  }
  const count = maxLag - minLag + 1;
  const mean = sum / count;
  const std = Math.sqrt(Math.max(sumSquares / count - mean * mean, 1e-24));
  return { lag: best, confidence: (at(best) - mean) / std };
}

/** Loudness of a signal in dBFS, and how much of it is clipped: what "the best audio" weighs. */
export function audioQuality(signal: Float32Array): { rmsDb: number; clipped: number } {
  let sumSquares = 0;
  let clipped = 0;
  for (const x of signal) {
    sumSquares += x * x;
    if (Math.abs(x) > 0.99) clipped++;
  }
  const rms = Math.sqrt(sumSquares / Math.max(signal.length, 1));
  return {
    rmsDb: 20 * Math.log10(rms + 1e-9),
    clipped: clipped / Math.max(signal.length, 1),
  };
}
