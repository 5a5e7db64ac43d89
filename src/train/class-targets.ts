/**
 * Training targets of a classification head: the a*b* bins (color/ab-bins.ts), the class
 * rebalancing weights from the training split(s) (color/ab-rebalance.ts) and, per batch, the
 * rebalanced soft-encoded target `ab_class` [N,Q,H/stride,W/stride] (color/ab-soft-encode.ts) of
 * the true a*b* box-averaged to the head's resolution.
 */
import { computeAbBins, type AbBins } from '../color/ab-bins.js';
import { computeRebalanceWeights, countAbBins, REBALANCE_LAMBDA, REBALANCE_SIGMA } from '../color/ab-rebalance.js';
import { softEncodeAb } from '../color/ab-soft-encode.js';
import { boxDownsample } from '../image/resize.js';
import { AB_SCALE } from '../models/contract.js';
import type { Batch, Dataset } from './dataset.js';

/** What building the classification targets needs. */
export interface ClassTargets {
  bins: AbBins;
  /** Rebalancing weight of each bin (mean 1 over the training pixels). */
  weights: Float32Array;
  /** Share of the training pixels in each bin (by nearest bin, unsmoothed). */
  prior: Float32Array;
  stride: number;
  lambda: number;
  sigma: number;
}

/**
 * Bins, prior and rebalancing weights from the train split of each dataset (every pixel of a
 * 4x4 grid of each record; datasets weighted equally, as the trainer balances batches).
 *
 * @example
 * const t = computeClassTargets([openDataset('data/blood')], { stride: 2 });
 */
export function computeClassTargets(datasets: Dataset[], o: { stride: number; lambda?: number; sigma?: number }): ClassTargets {
  const bins = computeAbBins();
  const lambda = o.lambda ?? REBALANCE_LAMBDA, sigma = o.sigma ?? REBALANCE_SIGMA;
  const counts = new Float64Array(bins.count);
  for (const ds of datasets) {
    const own = new Float64Array(bins.count);
    const n = ds.size * ds.size;
    const count = ds.splits.train?.count ?? 0;
    for (let r = 0; r < count; r++) {
      const { ab } = ds.read('train', r);
      for (let y = 0; y < ds.size; y += 4) countAbBins(bins, ab, y * ds.size, ab, n + y * ds.size, ds.size, own, 4);
    }
    let total = 0;
    for (const c of own) total += c;
    if (total > 0) for (let q = 0; q < bins.count; q++) counts[q] += own[q] / total;
  }
  let total = 0;
  for (const c of counts) total += c;
  return {
    bins,
    weights: computeRebalanceWeights(bins, counts, { lambda, sigma }),
    prior: Float32Array.from(counts, (c) => (total ? c / total : 0)),
    stride: o.stride,
    lambda,
    sigma,
  };
}

/**
 * The target of a batch: `ab_class` [n, Q, size/stride, size/stride], each pixel's soft encoding
 * of its box-averaged true a*b* times the rebalancing weight of its nearest bin.
 */
export function makeClassTarget(t: ClassTargets, b: Batch): Float32Array {
  const s = b.size, n = s * s, hs = s / t.stride, hn = hs * hs, q = t.bins.count;
  const out = new Float32Array(b.n * q * hn);
  const plane = new Float32Array(n);
  for (let k = 0; k < b.n; k++) {
    const ab: Float32Array[] = [];
    for (let c = 0; c < 2; c++) {
      const off = (2 * k + c) * n;
      for (let i = 0; i < n; i++) plane[i] = b.ab[off + i] * AB_SCALE;
      ab.push(t.stride > 1 ? boxDownsample(plane, s, s, 1, t.stride, t.stride).data : plane.slice());
    }
    softEncodeAb(t.bins, ab[0], 0, ab[1], 0, hn, out, k * q * hn, { weights: t.weights });
  }
  return out;
}
