/**
 * Keeps lightness exact when a*b* leave the sRGB gamut. Clipping each RGB channel (what a plain
 * Lab -> sRGB conversion does) changes luminance; here the chroma of an out-of-gamut color is
 * scaled toward the gray axis at constant L* until the color fits, so the L* of the output is the
 * L* given. Gray (a* = b* = 0) is inside the gamut for every L* in [0, 100], so a fit always exists.
 *
 * Ranges: L* 0..100 (clamped), a*b* any; D65 white; "inside" means linear sRGB in [0, 1] within
 * 1e-5 (an overshoot that small changes L* by far less than 8-bit rounding). Browser-safe.
 */
import { D65 } from './lab.js';

// Tolerance in linear light.
const EPS = 1e-5;
const LO = -EPS, HI = 1 + EPS;
// Most out-of-gamut colors are barely out (palettes, smooth predictions): a bracket near 1 first.
const NEAR = 0.97;
// XYZ (D65) -> linear sRGB (IEC 61966-2-1), the matrix of color/lab.ts.
const M0 = 3.2404542, M1 = -1.5371385, M2 = -0.4985314;
const M3 = -0.969266, M4 = 1.8760108, M5 = 0.041556;
const M6 = 0.0556434, M7 = -0.2040259, M8 = 1.0572252;
const LAB_EPS = 216 / 24389, KAPPA = 24389 / 27;

// Per L*, only X and Z move with the chroma scale: fy = (L* + 16) / 116 and Y's share of each
// channel (ry, gy, by) are computed once per pixel and passed as plain numbers: kept in
// module-level variables instead, the fit ran 1.3-1.6x slower than this (same-run, 0.5 MP).

/** Whether (L*, a*, b*) is inside sRGB, L* given by fy and Y's share of R, G, B. */
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

/** The largest s in [0, 1] (to 1/1000 or better) with (L*, s a*, s b*) inside sRGB. */
function scaleInside(fy: number, ry: number, gy: number, by: number, a: number, b: number): number {
  if (insideAb(fy, ry, gy, by, a, b)) return 1;
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
  return lo;
}

/** fy = (L* + 16) / 116 of L* clamped to [0, 100]. */
function fyOf(L: number): number {
  return ((L < 0 ? 0 : L > 100 ? 100 : L) + 16) / 116;
}
/** Relative luminance Y of fy (CIELAB's inverse, linear below the knee). */
function yOf(fy: number): number {
  const l = 116 * fy - 16;
  return l > KAPPA * LAB_EPS ? fy * fy * fy : l / KAPPA;
}

/**
 * The largest factor s in [0, 1] (found to 1/1000 or better) such that (L*, s a*, s b*) is inside
 * the sRGB gamut; 1 when the color is inside already. For building palettes and tables of
 * displayable colors; for whole a*b* planes use `fitChromaToGamut`.
 *
 * @example
 * const s = computeGamutScale(50, 120, 0); // 0.66: at L* 50, a* above about 79 (b* 0) is not displayable
 */
export function computeGamutScale(L: number, a: number, b: number): number {
  if (a === 0 && b === 0) return 1;
  const fy = fyOf(L), y = yOf(fy);
  return scaleInside(fy, M1 * y, M4 * y, M7 * y, a, b);
}

/**
 * Scales a*b* (interleaved, two per pixel) in place, pixel by pixel, to the largest fraction
 * (found to 1/1000 or better) that keeps the color inside sRGB at the pixel's L* (planar), keeping
 * its hue. Returns how many pixels were changed.
 *
 * @example
 * const changed = fitChromaToGamut(L, ab); // then lAbToSrgb8(L, ab) keeps L* to 8-bit rounding
 */
export function fitChromaToGamut(L: Float32Array, ab: Float32Array): number {
  let changed = 0;
  for (let j = 0; j < L.length; j++) if (fitChromaAt(L[j], ab, j)) changed++;
  return changed;
}

/**
 * fitChromaToGamut for one pixel: scales ab[2j], ab[2j+1] in place to fit at lightness L; returns
 * whether they changed. For fused loops (color/recombine.ts) that fit as they go.
 *
 * @example
 * if (fitChromaAt(L[j], ab, j)) changed++;
 */
export function fitChromaAt(L: number, ab: Float32Array, j: number): boolean {
  const a = ab[2 * j], b = ab[2 * j + 1];
  if (a === 0 && b === 0) return false;
  const fy = fyOf(L), y = yOf(fy);
  const ry = M1 * y, gy = M4 * y, by = M7 * y;
  let s = scaleInside(fy, ry, gy, by, a, b);
  if (s === 1) return false;
  ab[2 * j] = a * s;
  ab[2 * j + 1] = b * s;
  // Storing as float32 may round just outside; step back until the stored values fit.
  while (s > 0 && !insideAb(fy, ry, gy, by, ab[2 * j], ab[2 * j + 1])) {
    s = Math.max(0, s - 1 / 4096);
    ab[2 * j] = a * s;
    ab[2 * j + 1] = b * s;
  }
  return true;
}
