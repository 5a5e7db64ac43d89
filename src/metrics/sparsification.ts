/**
 * Does a confidence map mean something? The sparsification curve: pixels ordered by
 * confidence, the mean error of those that remain as the least confident are removed, against
 * the oracle that removes the largest errors first. The area between the two (AUSE, in the
 * error's units; 0 = confidence orders pixels as well as the errors themselves) and the mean
 * error of the most and least confident halves summarize it. Browser-safe.
 */
import { MedcolorError } from '../errors.js';

/** Removed fractions of the curve: 0, 0.05, ..., 0.95. */
export const SPARSIFICATION_STEPS = Array.from({ length: 20 }, (_, i) => i / 20);

/** The sparsification of one confidence map against one error map. */
export interface Sparsification {
  /** Mean error of the remaining pixels after removing each fraction of the least confident. */
  curve: number[];
  /** The same, removing the largest errors first. */
  oracle: number[];
  /** Mean over the steps of curve - oracle (area between them over removed fractions 0..1). */
  ause: number;
  /** The same for a random order (the mean error at every step): what no information gives. */
  auseRandom: number;
  /** Mean error of the more confident half of the pixels, and of the less confident half. */
  confidentHalf: number;
  unsureHalf: number;
}

/** Mean of the first `count` of `values` taken in `order`, for every count at once (prefix sums). */
function prefixMeans(values: ArrayLike<number>, order: Uint32Array): Float64Array {
  const sums = new Float64Array(order.length + 1);
  for (let i = 0; i < order.length; i++) sums[i + 1] = sums[i] + values[order[i]];
  return sums;
}

/**
 * The sparsification of a confidence map (higher = surer) against per-pixel errors.
 *
 * @example
 * const s = computeSparsification(confidence, deltaE2000Map(labOut, labTruth));
 * s.confidentHalf < s.unsureHalf; // the map means something
 */
export function computeSparsification(confidence: ArrayLike<number>, error: ArrayLike<number>): Sparsification {
  const n = error.length;
  if (confidence.length !== n || n < 2) {
    throw new MedcolorError('ERR_METRIC_SIZE_MISMATCH', `sparsification needs one confidence per error value and at least 2; found ${confidence.length} and ${n}`);
  }
  const byConfidence = new Uint32Array(n).map((_, i) => i).sort((a, b) => confidence[b] - confidence[a] || a - b);
  const byError = new Uint32Array(n).map((_, i) => i).sort((a, b) => error[a] - error[b] || a - b);
  const sc = prefixMeans(error, byConfidence), so = prefixMeans(error, byError);
  const mean = sc[n] / n;
  const curve: number[] = [], oracle: number[] = [];
  for (const f of SPARSIFICATION_STEPS) {
    const keep = Math.max(1, Math.round((1 - f) * n));
    curve.push(sc[keep] / keep);
    oracle.push(so[keep] / keep);
  }
  const half = n >> 1;
  const avg = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  return {
    curve,
    oracle,
    ause: avg(curve.map((c, i) => c - oracle[i])),
    auseRandom: avg(oracle.map((o) => mean - o)),
    confidentHalf: sc[half] / half,
    unsureHalf: (sc[n] - sc[half]) / (n - half),
  };
}

/**
 * The mean of several images' sparsifications (each image counts once).
 *
 * @example
 * const s = meanSparsification(images.map((i) => computeSparsification(i.confidence, i.error)));
 */
export function meanSparsification(all: Sparsification[]): Sparsification {
  if (all.length === 0) throw new MedcolorError('ERR_METRIC_OPTION', 'no sparsification to average');
  const m = (f: (s: Sparsification) => number) => all.reduce((acc, s) => acc + f(s), 0) / all.length;
  return {
    curve: SPARSIFICATION_STEPS.map((_, i) => m((s) => s.curve[i])),
    oracle: SPARSIFICATION_STEPS.map((_, i) => m((s) => s.oracle[i])),
    ause: m((s) => s.ause),
    auseRandom: m((s) => s.auseRandom),
    confidentHalf: m((s) => s.confidentHalf),
    unsureHalf: m((s) => s.unsureHalf),
  };
}
