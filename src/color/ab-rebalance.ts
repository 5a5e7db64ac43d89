/**
 * Class rebalancing of a classification colorizer (Zhang et al., ECCV 2016): the empirical
 * distribution of the training pixels over the a*b* bins (by nearest bin), smoothed with a
 * Gaussian of `sigma` (default 5) over the bin centers, mixed with the uniform distribution by
 * `lambda` (default 0.5) and inverted: w_q proportional to 1 / ((1 - lambda) p~_q + lambda / Q),
 * normalized so that the mean weight over the training pixels (sum_q p~_q w_q) is 1. Rare
 * (saturated) colors then weigh more in the loss than the common desaturated ones. Browser-safe.
 */
import { findNearestAbBin, type AbBins } from './ab-bins.js';

export const REBALANCE_LAMBDA = 0.5;
export const REBALANCE_SIGMA = 5;

/**
 * Adds `n` colors (planar a*, b* from the offsets, every `stride`-th) to `counts` (one per bin)
 * by their nearest bin.
 */
export function countAbBins(bins: AbBins, a: ArrayLike<number>, aOffset: number, b: ArrayLike<number>, bOffset: number, n: number, counts: Float64Array, stride = 1): void {
  for (let i = 0; i < n; i += stride) counts[findNearestAbBin(bins, a[aOffset + i], b[bOffset + i])]++;
}

/** The smoothed prior p~ (sums to 1) of bin counts: Gaussian of `sigma` over the bin centers. */
export function smoothAbPrior(bins: AbBins, counts: Float64Array, sigma = REBALANCE_SIGMA): Float64Array {
  const q = bins.count, c = bins.centers, inv2s2 = 1 / (2 * sigma * sigma);
  const out = new Float64Array(q);
  let total = 0;
  for (let i = 0; i < q; i++) {
    let s = 0;
    for (let j = 0; j < q; j++) {
      if (!counts[j]) continue;
      const da = c[2 * i] - c[2 * j], db = c[2 * i + 1] - c[2 * j + 1];
      s += counts[j] * Math.exp(-(da * da + db * db) * inv2s2);
    }
    out[i] = s;
    total += s;
  }
  if (total > 0) for (let i = 0; i < q; i++) out[i] /= total;
  else out.fill(1 / q);
  return out;
}

/**
 * The rebalancing weights of bin counts: w_q = 1 / ((1 - lambda) p~_q + lambda / Q), scaled so that
 * sum_q p~_q w_q = 1.
 *
 * @example
 * const counts = new Float64Array(bins.count);
 * countAbBins(bins, a, 0, b, 0, n, counts);
 * const w = computeRebalanceWeights(bins, counts); // rare bins > 1 > common bins
 */
export function computeRebalanceWeights(bins: AbBins, counts: Float64Array, o: { lambda?: number; sigma?: number } = {}): Float32Array {
  const lambda = o.lambda ?? REBALANCE_LAMBDA;
  const p = smoothAbPrior(bins, counts, o.sigma ?? REBALANCE_SIGMA);
  const q = bins.count;
  const w = new Float64Array(q);
  let mean = 0;
  for (let i = 0; i < q; i++) {
    w[i] = 1 / ((1 - lambda) * p[i] + lambda / q);
    mean += p[i] * w[i];
  }
  return Float32Array.from(w, (v) => v / mean);
}
