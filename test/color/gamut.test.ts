import { describe, expect, it } from 'vitest';
import { lAbToSrgb8, labToLinearRgb, srgb8ToL } from '../../src/color/lab.js';
import { computeGamutScale, fitChromaToGamut } from '../../src/color/gamut.js';
import { createRng } from '../../src/train/augment.js';

function inGamut(L: number, a: number, b: number, eps = 1e-5): boolean {
  const t = [0, 0, 0];
  labToLinearRgb(L, a, b, t, 0);
  return t.every((v) => v >= -eps && v <= 1 + eps);
}

describe('fitChromaToGamut', () => {
  it('keeps in-gamut colors, scales out-of-gamut chroma to the gamut edge, and L* survives 8-bit encoding', () => {
    const n = 20000;
    const rng = createRng(3);
    const L = new Float32Array(n), ab = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      L[i] = rng() * 100;
      ab[2 * i] = (rng() - 0.5) * 240;
      ab[2 * i + 1] = (rng() - 0.5) * 240;
    }
    L[0] = 0; L[1] = 100; // extremes: only gray fits
    const orig = ab.slice();
    const changed = fitChromaToGamut(L, ab);
    expect(changed).toBeGreaterThan(n / 4);
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const a0 = orig[2 * i], b0 = orig[2 * i + 1], a = ab[2 * i], b = ab[2 * i + 1];
      expect(inGamut(L[i], a, b)).toBe(true);
      if (inGamut(L[i], a0, b0)) {
        expect(a).toBe(a0);
        expect(b).toBe(b0);
        kept++;
      } else {
        // Same hue, smaller chroma, and at the edge: 1/500 more chroma leaves the gamut.
        const s = Math.hypot(a, b) / Math.hypot(a0, b0);
        expect(s).toBeLessThan(1);
        if (s > 0.01) expect(Math.abs(Math.atan2(b, a) - Math.atan2(b0, a0))).toBeLessThan(1e-4);
        expect(inGamut(L[i], a0 * (s + 1 / 500), b0 * (s + 1 / 500))).toBe(false);
      }
    }
    expect(kept).toBeGreaterThan(1000);
    const Lout = srgb8ToL(lAbToSrgb8(L, ab));
    let maxErr = 0;
    for (let i = 0; i < n; i++) maxErr = Math.max(maxErr, Math.abs(Lout[i] - L[i]));
    expect(maxErr).toBeLessThan(0.6);
    // Without the fit, clipping changes L* by far more.
    const Lclip = srgb8ToL(lAbToSrgb8(L, orig));
    let maxClip = 0;
    for (let i = 0; i < n; i++) maxClip = Math.max(maxClip, Math.abs(Lclip[i] - L[i]));
    expect(maxClip).toBeGreaterThan(5);
    console.log(`max |dL*| with gamut fit ${maxErr.toFixed(3)}, with per-channel clipping ${maxClip.toFixed(1)}`);
  });
});

describe('computeGamutScale', () => {
  it('is 1 inside the gamut and the factor fitChromaToGamut applies outside, at the gamut edge', () => {
    const rng = createRng(11);
    let outside = 0;
    for (let i = 0; i < 5000; i++) {
      const L = rng() * 100, a = (rng() - 0.5) * 240, b = (rng() - 0.5) * 240;
      const s = computeGamutScale(L, a, b);
      const ab = Float32Array.of(a, b);
      fitChromaToGamut(Float32Array.of(L), ab);
      if (inGamut(L, a, b)) {
        expect(s).toBe(1);
        continue;
      }
      outside++;
      expect(s).toBeLessThan(1);
      expect(inGamut(L, a * s, b * s)).toBe(true);
      expect(inGamut(L, a * (s + 1 / 500), b * (s + 1 / 500))).toBe(false);
      // The plane fitter ends at the same factor (less at most the float32 step-back).
      expect(Math.abs(Math.hypot(ab[0], ab[1]) - s * Math.hypot(a, b))).toBeLessThan(2e-3 * Math.hypot(a, b));
    }
    expect(outside).toBeGreaterThan(1000);
    // A worked value: at L* 50, +a* (b* 0) is displayable up to about 79, whatever the a* asked.
    expect(computeGamutScale(50, 120, 0) * 120).toBeCloseTo(computeGamutScale(50, 200, 0) * 200, 0);
    expect(computeGamutScale(0, 10, 10)).toBeLessThan(1e-3); // black: only gray fits
    expect(computeGamutScale(37, 0, 0)).toBe(1);
  });
});
