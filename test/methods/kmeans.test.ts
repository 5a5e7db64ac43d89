import { describe, expect, it } from 'vitest';
import { srgb8ToLab } from '../../src/color/lab.js';
import { clusterFeatures, kmeansMethod } from '../../src/methods/kmeans.js';
import { hue, hueDiff, makeL, makeRgb, noise, roundTripL } from './helpers.js';

const W = 90, H = 60;
const n = noise(21);
// Three known intensity classes in vertical bands: L* 20, 50, 80 with noise of std ~2.
const truth = (x: number): number => (x < 30 ? 0 : x < 60 ? 1 : 2);
const LEVELS = [20, 50, 80];
const L = makeL(W, H, (x) => LEVELS[truth(x)] + 7 * n());

describe('kmeans (Juang et al. 2010)', () => {
  it('recovers K = 3 known intensity classes, automatically chosen', () => {
    const c = clusterFeatures(L, L.length, 1, { seed: 2 });
    expect(c.k).toBe(3);
    Array.from(c.centers).forEach((m, j) => expect(m).toBeCloseTo(LEVELS[j], 0));
    let ok = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (c.labels[y * W + x] === truth(x)) ok++;
    expect(ok / L.length).toBeGreaterThan(0.999);
  });

  it('finds 5 classes when there are 5, and honors a given k', () => {
    const L5 = makeL(100, 40, (x) => 10 + 20 * Math.floor(x / 20) + 4 * n());
    expect(clusterFeatures(L5, L5.length, 1, { seed: 1 }).k).toBe(5);
    expect(clusterFeatures(L5, L5.length, 1, { k: 2, seed: 1 }).k).toBe(2);
  });

  it('colors classes by rank from a reference: class i takes the mean a*b* of reference class i', async () => {
    // Reference: dark = green, mid = magenta, bright = yellow (its own lightness levels).
    const rn = noise(8);
    const ref = makeRgb(60, 30, (x) => (x < 20 ? [15 + rn(), -30, 20] : x < 40 ? [45 + rn(), 40, -20] : [90 + rn(), -5, 60]));
    const r = await kmeansMethod.colorize({ width: W, height: H, L }, { reference: ref, seed: 3 });
    // Expected: the mean a*, b* of each reference band as stored in 8-bit sRGB.
    const lab = srgb8ToLab(ref.data);
    const expectHue = [0, 1, 2].map((band) => {
      let sa = 0, sb = 0;
      for (let y = 0; y < 30; y++) for (let x = 20 * band; x < 20 * band + 20; x++) { sa += lab[3 * (y * 60 + x) + 1]; sb += lab[3 * (y * 60 + x) + 2]; }
      return hue(sa, sb);
    });
    for (const x of [10, 45, 80]) {
      const i = 30 * W + x;
      expect(hueDiff(hue(r.ab[2 * i], r.ab[2 * i + 1]), expectHue[truth(x)]), `x=${x}`).toBeLessThan(1);
    }
    const back = roundTripL(L, r.ab);
    for (let i = 0; i < L.length; i++) expect(Math.abs(back[i] - L[i])).toBeLessThan(0.6);
  });

  it('colors classes from a palette with distinct hues; confidence is high at centers', async () => {
    const r = await kmeansMethod.colorize({ width: W, height: H, L }, { k: 3, palette: 'jet', seed: 1 });
    const hues = [10, 45, 80].map((x) => hue(r.ab[2 * (30 * W + x)], r.ab[2 * (30 * W + x) + 1]));
    expect(hueDiff(hues[0], hues[1])).toBeGreaterThan(40);
    expect(hueDiff(hues[1], hues[2])).toBeGreaterThan(40);
    let mean = 0;
    for (const v of r.confidence!) mean += v / L.length;
    expect(mean).toBeGreaterThan(0.6);
  });

  it('with the texture feature, separates regions of equal mean L* but different texture', async () => {
    // Left: smooth L* 50; right: L* 50 +- 15 checkerboard-like noise. L* alone cannot tell them apart;
    // the deviation feature must outweigh the right side's L* spread (weight 3: 3 * 15 vs +-15).
    const tn = noise(31);
    const Lt = makeL(80, 40, (x, y) => (x < 40 ? 50 + 0.5 * tn() : 50 + ((x + y) % 2 ? 15 : -15) + 2 * tn()));
    const r = await kmeansMethod.colorize({ width: 80, height: 40, L: Lt }, { k: 2, textureWeight: 3, palette: 'jet', seed: 1 });
    // Interior pixels (away from the 5x5 window straddling the border) get one chroma per side.
    const left = 20 * 80 + 10, right = 20 * 80 + 70;
    const dist = Math.hypot(r.ab[2 * left] - r.ab[2 * right], r.ab[2 * left + 1] - r.ab[2 * right + 1]);
    expect(dist).toBeGreaterThan(10);
    let same = 0, total = 0;
    for (let y = 3; y < 37; y++) for (let x = 3; x < 77; x++) {
      if (Math.abs(x - 39.5) < 4) continue;
      const ref = x < 40 ? left : right, i = y * 80 + x;
      total++;
      if (Math.hypot(r.ab[2 * i] - r.ab[2 * ref], r.ab[2 * i + 1] - r.ab[2 * ref + 1]) < 8) same++;
    }
    expect(same / total).toBeGreaterThan(0.98);
  });
});
