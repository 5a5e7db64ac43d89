/**
 * Keeps lightness exact when a*b* leave the sRGB gamut. Clipping each RGB channel (what a plain
 * Lab -> sRGB conversion does) changes luminance; here the chroma of an out-of-gamut pixel is
 * scaled toward the gray axis at constant L* until the color fits, so the L* of the output is the
 * L* given. Gray (a* = b* = 0) is inside the gamut for every L* in [0, 100], so a fit always exists.
 * Browser-safe.
 */
import { labToLinearRgb } from '../color/lab.js';

// Tolerance in linear light: overshoots this small change L* by far less than 8-bit rounding.
const EPS = 1e-5;
const NEAR = 0.97;

/**
 * Scales a*b* in place, pixel by pixel, to the largest fraction (found to better than 1/2048) that keeps the
 * color inside sRGB at its L*. Returns how many pixels were changed.
 *
 * @example
 * const changed = fitChromaToGamut(L, ab); // then lAbToSrgb8(L, ab) keeps L*
 */
export function fitChromaToGamut(L: Float32Array, ab: Float32Array): number {
  const t = [0, 0, 0];
  let changed = 0;
  const inside = (l: number, a: number, b: number): boolean => {
    labToLinearRgb(l, a, b, t, 0);
    return t[0] >= -EPS && t[0] <= 1 + EPS && t[1] >= -EPS && t[1] <= 1 + EPS && t[2] >= -EPS && t[2] <= 1 + EPS;
  };
  for (let j = 0; j < L.length; j++) {
    const l = L[j] < 0 ? 0 : L[j] > 100 ? 100 : L[j];
    const a = ab[2 * j], b = ab[2 * j + 1];
    if (a === 0 && b === 0) continue;
    if (inside(l, a, b)) continue;
    // Most out-of-gamut pixels are barely out (palettes, smooth predictions): try a near-1 bracket
    // first, which needs fewer steps for the same 1/2048 precision.
    let lo = 0, hi = 1, steps = 12;
    if (inside(l, a * NEAR, b * NEAR)) {
      lo = NEAR;
      steps = 6;
    } else hi = NEAR;
    for (let it = 0; it < steps; it++) {
      const mid = (lo + hi) / 2;
      if (inside(l, a * mid, b * mid)) lo = mid;
      else hi = mid;
    }
    ab[2 * j] = a * lo;
    ab[2 * j + 1] = b * lo;
    // Storing as float32 may round just outside; step back until the stored values fit.
    while (lo > 0 && !inside(l, ab[2 * j], ab[2 * j + 1])) {
      lo = Math.max(0, lo - 1 / 4096);
      ab[2 * j] = a * lo;
      ab[2 * j + 1] = b * lo;
    }
    changed++;
  }
  return changed;
}
