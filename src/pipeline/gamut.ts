/**
 * Keeps lightness exact when a*b* leave the sRGB gamut. Clipping each RGB channel (what a plain
 * Lab -> sRGB conversion does) changes luminance; here the chroma of an out-of-gamut pixel is
 * scaled toward the gray axis at constant L* until the color fits, so the L* of the output is the
 * L* given. Gray (a* = b* = 0) is inside the gamut for every L* in [0, 100], so a fit always exists.
 * Browser-safe.
 */
import { D65 } from '../color/lab.js';

// Tolerance in linear light: overshoots this small change L* by far less than 8-bit rounding.
const EPS = 1e-5;
const LO = -EPS, HI = 1 + EPS;
// Most out-of-gamut pixels are barely out (palettes, smooth predictions): a bracket near 1 first.
const NEAR = 0.97;
// XYZ (D65) -> linear sRGB (IEC 61966-2-1), the matrix of color/lab.ts.
const M0 = 3.2404542, M1 = -1.5371385, M2 = -0.4985314;
const M3 = -0.969266, M4 = 1.8760108, M5 = 0.041556;
const M6 = 0.0556434, M7 = -0.2040259, M8 = 1.0572252;
const LAB_EPS = 216 / 24389, KAPPA = 24389 / 27;

/** Whether (L*, a*, b*) is inside sRGB, with L* given by fy = (L*+16)/116 and Y's share of R, G, B. */
function insideAb(fy: number, ry: number, gy: number, by: number, a: number, b: number): boolean {
  const fx = fy + a / 500, fz = fy - b / 200;
  const fx3 = fx * fx * fx, fz3 = fz * fz * fz;
  const x = (fx3 > LAB_EPS ? fx3 : (116 * fx - 16) / KAPPA) * D65.X;
  const z = (fz3 > LAB_EPS ? fz3 : (116 * fz - 16) / KAPPA) * D65.Z;
  const r = M0 * x + ry + M2 * z;
  if (r < LO || r > HI) return false;
  const g = M3 * x + gy + M5 * z;
  if (g < LO || g > HI) return false;
  const bl = M6 * x + by + M8 * z;
  return bl >= LO && bl <= HI;
}

/**
 * Scales a*b* in place, pixel by pixel, to the largest fraction (found to 1/1000 or better) that
 * keeps the color inside sRGB at its L*. Returns how many pixels were changed.
 *
 * @example
 * const changed = fitChromaToGamut(L, ab); // then lAbToSrgb8(L, ab) keeps L*
 */
export function fitChromaToGamut(L: Float32Array, ab: Float32Array): number {
  let changed = 0;
  for (let j = 0; j < L.length; j++) {
    const a = ab[2 * j], b = ab[2 * j + 1];
    if (a === 0 && b === 0) continue;
    const l = L[j] < 0 ? 0 : L[j] > 100 ? 100 : L[j];
    // Per pixel: Y and its share of each channel are fixed; only X and Z move with the chroma scale s.
    const fy = (l + 16) / 116;
    const y = l > KAPPA * LAB_EPS ? fy * fy * fy : l / KAPPA;
    const ry = M1 * y, gy = M4 * y, by = M7 * y;
    if (insideAb(fy, ry, gy, by, a, b)) continue;
    let lo = 0, hi = 1, steps = 10; // 0.97 / 2^10 < 1e-3
    if (insideAb(fy, ry, gy, by, a * NEAR, b * NEAR)) {
      lo = NEAR;
      steps = 5; // 0.03 / 2^5 < 1e-3
    } else hi = NEAR;
    for (let it = 0; it < steps; it++) {
      const mid = (lo + hi) / 2;
      if (insideAb(fy, ry, gy, by, a * mid, b * mid)) lo = mid;
      else hi = mid;
    }
    ab[2 * j] = a * lo;
    ab[2 * j + 1] = b * lo;
    // Storing as float32 may round just outside; step back until the stored values fit.
    while (lo > 0 && !insideAb(fy, ry, gy, by, ab[2 * j], ab[2 * j + 1])) {
      lo = Math.max(0, lo - 1 / 4096);
      ab[2 * j] = a * lo;
      ab[2 * j + 1] = b * lo;
    }
    changed++;
  }
  return changed;
}
