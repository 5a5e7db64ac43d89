/**
 * Soft encoding of a*b* over the quantized bins (Zhang et al., ECCV 2016): each color becomes a
 * distribution over its `neighbors` nearest bin centers (default 5) with Gaussian weights of
 * `sigma` (default 5) on the distance, summing to 1. The classification head's target.
 * Browser-safe.
 */
import { findNearestAbBins, type AbBins } from './ab-bins.js';

/** The paper's number of nearest bins and Gaussian sigma (a*b* units). */
export const SOFT_ENCODE_NEIGHBORS = 5;
export const SOFT_ENCODE_SIGMA = 5;

export interface SoftEncodeOptions {
  neighbors?: number;
  sigma?: number;
  /** Per-bin factor multiplied into each pixel's distribution, by the pixel's nearest bin (the class rebalancing weights). */
  weights?: Float32Array;
}

/**
 * Soft-encodes `n` colors given planar (a* at `a[aOffset + i]`, b* at `b[bOffset + i]`, i < n) into
 * `out` planar [Q, n] starting at `outOffset` (bin q of pixel i at outOffset + q * n + i), which
 * must be zero there. With `weights`, pixel i's distribution is scaled by weights[nearest bin].
 *
 * @example
 * const z = new Float32Array(bins.count * n);
 * softEncodeAb(bins, a, 0, b, 0, n, z, 0);
 */
export function softEncodeAb(bins: AbBins, a: ArrayLike<number>, aOffset: number, b: ArrayLike<number>, bOffset: number, n: number, out: Float32Array, outOffset: number, o: SoftEncodeOptions = {}): void {
  const k = o.neighbors ?? SOFT_ENCODE_NEIGHBORS;
  const inv2s2 = 1 / (2 * (o.sigma ?? SOFT_ENCODE_SIGMA) ** 2);
  const idx = new Int32Array(k), d2 = new Float32Array(k), w = new Float32Array(k);
  for (let i = 0; i < n; i++) {
    findNearestAbBins(bins, a[aOffset + i], b[bOffset + i], k, idx, d2);
    // Relative to the nearest: exp(-(d2 - d2min) / 2s^2) keeps the largest weight at 1 (no underflow far from every bin).
    let sum = 0;
    for (let j = 0; j < k; j++) { w[j] = Math.exp(-(d2[j] - d2[0]) * inv2s2); sum += w[j]; }
    const scale = (o.weights ? o.weights[idx[0]] : 1) / sum;
    for (let j = 0; j < k; j++) out[outOffset + idx[j] * n + i] = w[j] * scale;
  }
}
