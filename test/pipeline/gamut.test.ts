import { describe, expect, it } from 'vitest';
import { lAbToSrgb8, labToLinearRgb, srgb8ToL } from '../../src/color/lab.js';
import { fitChromaToGamut } from '../../src/pipeline/gamut.js';
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
