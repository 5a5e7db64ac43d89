/**
 * Decoding a classification colorizer's output (Zhang et al., ECCV 2016): per pixel, logits over
 * the a*b* bins become a color by the mean of the distribution, or by the annealed mean (the
 * distribution sharpened by a temperature T, softmax(logits / T), then its mean; T = 0.38 in the
 * paper: more vivid than the mean, less patchy than the mode). The same pass gives a
 * confidence: 1 - H(p) / ln Q, from the entropy of the (unannealed) distribution p, 1 when all
 * mass is on one bin, 0 when uniform. Browser-safe.
 */

/** Decoding of the distribution: its mean, or the annealed mean. */
export type AbDecode = 'mean' | 'annealed-mean';
export const AB_DECODES: readonly AbDecode[] = ['mean', 'annealed-mean'];
/** The paper's temperature of the annealed mean. */
export const ANNEALED_MEAN_TEMPERATURE = 0.38;

export interface DecodeAbOptions {
  decode?: AbDecode;
  /** Temperature of the annealed mean (ignored by 'mean'); > 0, default 0.38. */
  temperature?: number;
}

/**
 * Decodes `n` pixels of planar logits ([Q, n] from `offset`: bin q of pixel i at
 * offset + q * n + i) over bins with interleaved `centers`. Returns interleaved a*b* (2n) and
 * the planar confidence (n) in 0..1.
 *
 * @example
 * const { ab, confidence } = decodeAbLogits(logits, 0, 128 * 128, bins.centers, { decode: 'annealed-mean' });
 */
export function decodeAbLogits(logits: ArrayLike<number>, offset: number, n: number, centers: Float32Array, o: DecodeAbOptions = {}): { ab: Float32Array; confidence: Float32Array } {
  const q = centers.length / 2;
  const invT = (o.decode ?? 'annealed-mean') === 'mean' ? 1 : 1 / (o.temperature ?? ANNEALED_MEAN_TEMPERATURE);
  const ab = new Float32Array(2 * n), confidence = new Float32Array(n);
  const lnQ = Math.log(q);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < q; k++) max = Math.max(max, logits[offset + k * n + i]);
    // p = softmax(z) for the entropy; pT = softmax(z / T) for the color.
    let s1 = 0, sz = 0, sT = 0, sa = 0, sb = 0;
    for (let k = 0; k < q; k++) {
      const z = logits[offset + k * n + i] - max;
      const e = Math.exp(z);
      s1 += e;
      sz += e * z;
      const eT = invT === 1 ? e : Math.exp(z * invT);
      sT += eT;
      sa += eT * centers[2 * k];
      sb += eT * centers[2 * k + 1];
    }
    ab[2 * i] = sa / sT;
    ab[2 * i + 1] = sb / sT;
    // H = -sum p ln p = ln s1 - sum(e z) / s1.
    const h = Math.log(s1) - sz / s1;
    confidence[i] = Math.min(1, Math.max(0, 1 - h / lnQ));
  }
  return { ab, confidence };
}
