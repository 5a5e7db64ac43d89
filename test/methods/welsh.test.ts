import { describe, expect, it } from 'vitest';
import { welshMethod } from '../../src/methods/welsh.js';
import { makeL, makeRgb, noise, roundTripL } from './helpers.js';

const W = 80, H = 60;
const n1 = noise(11);
// Reference: dark smooth part is blue, bright textured part is orange.
const reference = makeRgb(W, H, (x) => (x < W / 2 ? [25 + n1() * 0.5, -5, -40] : [75 + 12 * n1(), 25, 45]));
// Target: the same two kinds of region, other shapes and slightly other lightness.
const n2 = noise(12);
const inDisk = (x: number, y: number): boolean => (x - 40) ** 2 + (y - 30) ** 2 < 18 ** 2;
const L = makeL(W, H, (x, y) => (inDisk(x, y) ? 70 + 12 * n2() : 30 + 0.5 * n2()));

describe('welsh (Welsh, Ashikhmin, Mueller 2002)', () => {
  it('transfers each reference region color to the target region matching it by luminance', async () => {
    const r = await welshMethod.colorize({ width: W, height: H, L }, { reference, seed: 4 });
    let okDisk = 0, nDisk = 0, okBg = 0, nBg = 0;
    for (let y = 2; y < H - 2; y++) for (let x = 2; x < W - 2; x++) {
      const i = y * W + x, a = r.ab[2 * i], b = r.ab[2 * i + 1];
      // Skip the 2-pixel band around the disk border where the 5x5 deviation mixes both regions.
      const d = Math.hypot(x - 40, y - 30);
      if (Math.abs(d - 18) < 3) continue;
      if (inDisk(x, y)) { nDisk++; if (a > 10 && b > 20) okDisk++; } else { nBg++; if (b < -20) okBg++; }
    }
    expect(okDisk / nDisk).toBeGreaterThan(0.95);
    expect(okBg / nBg).toBeGreaterThan(0.95);
    const back = roundTripL(L, r.ab);
    for (let i = 0; i < L.length; i++) expect(Math.abs(back[i] - L[i])).toBeLessThan(0.6);
  });

  it('is deterministic for a seed and uses about `samples` samples', async () => {
    const a = await welshMethod.colorize({ width: W, height: H, L }, { reference, seed: 9 });
    const b = await welshMethod.colorize({ width: W, height: H, L }, { reference, seed: 9 });
    expect(a.ab).toEqual(b.ab);
    // With one sample every pixel gets the same chroma, up to gamut scaling (which keeps the hue).
    const one = await welshMethod.colorize({ width: W, height: H, L }, { reference, samples: 1, seed: 2 });
    const h0 = Math.atan2(one.ab[1], one.ab[0]);
    expect(Math.hypot(one.ab[0], one.ab[1])).toBeGreaterThan(5);
    for (let i = 0; i < L.length; i++) expect(Math.atan2(one.ab[2 * i + 1], one.ab[2 * i])).toBeCloseTo(h0, 4);
    // With 200 samples both colors appear.
    expect(new Set(Array.from(a.ab.filter((_, i) => i % 2 === 1), (v) => Math.sign(Math.round(v / 10)))).size).toBeGreaterThanOrEqual(2);
  });

  it('swatches: colors come from the paired reference region only', async () => {
    // Pair the target disk with the reference's blue half: the disk must turn blue, although
    // by luminance it matches the orange half, and the rest follows the swatches.
    const r = await welshMethod.colorize({ width: W, height: H, L }, {
      reference, seed: 1,
      swatches: [
        { reference: { x: 0, y: 0, width: 30, height: 60 }, target: { x: 33, y: 23, width: 14, height: 14 } },
        { reference: { x: 50, y: 0, width: 30, height: 60 }, target: { x: 0, y: 0, width: 15, height: 15 } },
      ],
    });
    const centre = 30 * W + 40, corner = 5 * W + 5;
    expect(r.ab[2 * centre + 1]).toBeLessThan(-20); // blue
    expect(r.ab[2 * corner + 1]).toBeGreaterThan(10); // background paired with orange
    // A disk pixel outside the swatch follows it (blue), a background pixel far away too (orange).
    const diskOther = 30 * W + 52, bgOther = 55 * W + 75;
    expect(r.ab[2 * diskOther + 1]).toBeLessThan(-20);
    expect(r.ab[2 * bgOther + 1]).toBeGreaterThan(10);
  });
});
