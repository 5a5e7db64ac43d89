/**
 * The quantized a*b* space of the classification head: bins from the sRGB gamut, nearest-bin
 * lookups against brute force, soft encoding, class rebalancing, decoding and its confidence.
 */
import { describe, expect, it } from 'vitest';
import { AB_GRID, computeAbBins, findNearestAbBin, findNearestAbBins, indexAbBins } from '../../src/color/ab-bins.js';
import { ANNEALED_MEAN_TEMPERATURE, decodeAbLogits } from '../../src/color/ab-decode.js';
import { computeRebalanceWeights, countAbBins, smoothAbPrior } from '../../src/color/ab-rebalance.js';
import { softEncodeAb } from '../../src/color/ab-soft-encode.js';
import { computeGamutScale } from '../../src/color/gamut.js';
import { createRng } from '../../src/random.js';

const bins = computeAbBins();
const has = (a: number, b: number) => { for (let k = 0; k < bins.count; k++) if (bins.centers[2 * k] === a && bins.centers[2 * k + 1] === b) return true; return false; };

describe('in-gamut a*b* bins (grid 10)', () => {
  it('are the cells of the grid that sRGB reaches at some L*: 262, gray and the primaries in, impossible colors out', () => {
    expect(bins.grid).toBe(AB_GRID);
    expect(bins.count).toBe(262);
    for (const c of bins.centers) expect(Math.abs(c % 10)).toBe(0);
    expect(has(0, 0)).toBe(true);
    // sRGB red (a* 80, b* 67), green (-86, 83), blue (79, -108) at their own L*.
    expect(has(80, 70)).toBe(true);
    expect(has(-90, 80)).toBe(true);
    expect(has(80, -110)).toBe(true);
    // Strong green-blue (a* -100, b* -100) and strong blue-red beyond blue are nowhere in sRGB.
    expect(has(-100, -100)).toBe(false);
    expect(has(120, -120)).toBe(false);
    let inside = false;
    for (let L = 0.5; L < 100; L += 0.5) if (computeGamutScale(L, -100, -100) === 1) inside = true;
    expect(inside).toBe(false);
  });
  it('find the nearest bin and the k nearest as a brute-force search does', () => {
    const rng = createRng(7);
    const idx = new Int32Array(5), d2 = new Float32Array(5);
    for (let t = 0; t < 500; t++) {
      const a = (rng() * 2 - 1) * 140, b = (rng() * 2 - 1) * 140;
      const all = Array.from({ length: bins.count }, (_, k) => ({ k, d: (bins.centers[2 * k] - a) ** 2 + (bins.centers[2 * k + 1] - b) ** 2 })).sort((x, y) => x.d - y.d);
      expect(all[0].d).toBeCloseTo((bins.centers[2 * findNearestAbBin(bins, a, b)] - a) ** 2 + (bins.centers[2 * findNearestAbBin(bins, a, b) + 1] - b) ** 2, 3);
      findNearestAbBins(bins, a, b, 5, idx, d2);
      for (let j = 0; j < 5; j++) expect(d2[j]).toBeCloseTo(all[j].d, 2);
    }
  });
  it('index again from their centers (what a model carries in its metadata)', () => {
    const again = indexAbBins(Float32Array.from(bins.centers), 10);
    expect(again.count).toBe(bins.count);
    expect(findNearestAbBin(again, 33, -41)).toBe(findNearestAbBin(bins, 33, -41));
  });
});

describe('soft encoding (5 nearest bins, Gaussian sigma 5)', () => {
  it('gives a bin center 1/(1 + 4 e^-2) and its four neighbors e^-2 of that; sums to 1; weights scale it', () => {
    const n = 2, q = bins.count;
    const z = new Float32Array(q * n);
    softEncodeAb(bins, [0, 23], 0, [0, -7], 0, n, z, 0);
    const center = findNearestAbBin(bins, 0, 0);
    expect(z[center * n]).toBeCloseTo(1 / (1 + 4 * Math.exp(-2)), 5);
    expect(z[findNearestAbBin(bins, 10, 0) * n]).toBeCloseTo(Math.exp(-2) / (1 + 4 * Math.exp(-2)), 5);
    for (let i = 0; i < n; i++) {
      let s = 0, nonzero = 0;
      for (let k = 0; k < q; k++) { s += z[k * n + i]; if (z[k * n + i] > 0) nonzero++; }
      expect(s).toBeCloseTo(1, 5);
      expect(nonzero).toBe(5);
    }
    // The largest share goes to the nearest bin (20, -10) of (23, -7).
    const second = Array.from({ length: q }, (_, k) => z[k * n + 1]);
    expect(second.indexOf(Math.max(...second))).toBe(findNearestAbBin(bins, 20, -10));
    const weights = new Float32Array(q).fill(1);
    weights[center] = 3;
    const zw = new Float32Array(q * n);
    softEncodeAb(bins, [0, 23], 0, [0, -7], 0, n, zw, 0, { weights });
    expect(zw[center * n]).toBeCloseTo(3 * z[center * n], 5);
    expect(zw[findNearestAbBin(bins, 20, -10) * n + 1]).toBeCloseTo(z[findNearestAbBin(bins, 20, -10) * n + 1], 6);
  });
});

describe('class rebalancing (lambda 0.5, sigma 5)', () => {
  // 90% gray, 9% pink, 1% saturated red.
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < 1000; i++) { const c = i < 900 ? [1, -2] : i < 990 ? [30, -10] : [70, 50]; a.push(c[0]); b.push(c[1]); }
  const counts = new Float64Array(bins.count);
  countAbBins(bins, a, 0, b, 0, a.length, counts);
  const gray = findNearestAbBin(bins, 0, 0), pink = findNearestAbBin(bins, 30, -10), red = findNearestAbBin(bins, 70, 50);
  it('counts by nearest bin, weights rare colors above common ones, mean weight 1 over the data', () => {
    expect(counts[gray]).toBe(900);
    expect(counts[pink]).toBe(90);
    expect(counts[red]).toBe(10);
    const w = computeRebalanceWeights(bins, counts);
    const p = smoothAbPrior(bins, counts);
    let mean = 0, psum = 0;
    for (let k = 0; k < bins.count; k++) { mean += p[k] * w[k]; psum += p[k]; }
    expect(psum).toBeCloseTo(1, 9);
    expect(mean).toBeCloseTo(1, 5);
    expect(w[gray]).toBeLessThan(w[pink]);
    expect(w[pink]).toBeLessThan(w[red]);
    // An unseen bin gets the largest weight: 1 / (lambda / Q), the same for every unseen bin far from the data.
    const far = findNearestAbBin(bins, -80, -60);
    expect(w[far]).toBeGreaterThan(w[red]);
    // By the formula: w ∝ 1 / ((1 - λ) p + λ / Q).
    const q = bins.count;
    expect(w[gray] / w[far]).toBeCloseTo((0.5 / q) / (0.5 * p[gray] + 0.5 / q), 4);
  });
  it('lambda 1 (uniform prior) weights every bin 1', () => {
    const w = computeRebalanceWeights(bins, counts, { lambda: 1 });
    for (const v of w) expect(v).toBeCloseTo(1, 5);
  });
  it('smoothing spreads a bin to its neighbors by exp(-d^2 / 2 sigma^2)', () => {
    const one = new Float64Array(bins.count);
    one[gray] = 1;
    const p = smoothAbPrior(bins, one, 5);
    expect(p[findNearestAbBin(bins, 10, 0)] / p[gray]).toBeCloseTo(Math.exp(-2), 6);
    expect(p[findNearestAbBin(bins, 10, 10)] / p[gray]).toBeCloseTo(Math.exp(-4), 6);
  });
});

describe('decoding: mean, annealed mean, entropy confidence', () => {
  const q = bins.count;
  const i0 = findNearestAbBin(bins, 40, 20), i1 = findNearestAbBin(bins, -20, 30);
  // One pixel: p = 0.7 on (40, 20), 0.3 on (-20, 30), nothing elsewhere (logits -inf ~ -1e4).
  const logits = new Float32Array(q).fill(-1e4);
  logits[i0] = Math.log(0.7);
  logits[i1] = Math.log(0.3);
  it('mean: the expectation of the bin centers', () => {
    const { ab } = decodeAbLogits(logits, 0, 1, bins.centers, { decode: 'mean' });
    expect(ab[0]).toBeCloseTo(0.7 * 40 + 0.3 * -20, 3);
    expect(ab[1]).toBeCloseTo(0.7 * 20 + 0.3 * 30, 3);
  });
  it('annealed mean: p^(1/T) renormalized, T 0.38 by default, nearer the mode', () => {
    const T = ANNEALED_MEAN_TEMPERATURE;
    const w0 = 0.7 ** (1 / T), w1 = 0.3 ** (1 / T), s = w0 + w1;
    const { ab } = decodeAbLogits(logits, 0, 1, bins.centers);
    expect(ab[0]).toBeCloseTo((w0 * 40 + w1 * -20) / s, 3);
    expect(ab[1]).toBeCloseTo((w0 * 20 + w1 * 30) / s, 3);
    const hot = decodeAbLogits(logits, 0, 1, bins.centers, { decode: 'annealed-mean', temperature: 0.05 }).ab;
    expect(hot[0]).toBeCloseTo(40, 1);
  });
  it('confidence: 1 - H / ln Q; 0 for a uniform distribution, near 1 for a certain one', () => {
    const { confidence } = decodeAbLogits(logits, 0, 1, bins.centers);
    const h = -(0.7 * Math.log(0.7) + 0.3 * Math.log(0.3));
    expect(confidence[0]).toBeCloseTo(1 - h / Math.log(q), 4);
    const uniform = decodeAbLogits(new Float32Array(q), 0, 1, bins.centers, { decode: 'mean' });
    expect(uniform.confidence[0]).toBeCloseTo(0, 5);
    let ma = 0, mb = 0;
    for (let k = 0; k < q; k++) { ma += bins.centers[2 * k] / q; mb += bins.centers[2 * k + 1] / q; }
    expect(uniform.ab[0]).toBeCloseTo(ma, 3);
    expect(uniform.ab[1]).toBeCloseTo(mb, 3);
    const sure = new Float32Array(q).fill(-1e4);
    sure[i1] = 0;
    expect(decodeAbLogits(sure, 0, 1, bins.centers).confidence[0]).toBeCloseTo(1, 5);
  });
  it('reads planar [Q, n] from an offset', () => {
    const n = 3, off = 5;
    const planar = new Float32Array(off + q * n).fill(-1e4);
    for (let i = 0; i < n; i++) planar[off + [i0, i1, i0][i] * n + i] = 0;
    const { ab } = decodeAbLogits(planar, off, n, bins.centers, { decode: 'mean' });
    expect(Array.from(ab)).toEqual([40, 20, -20, 30, 40, 20]);
  });
});
