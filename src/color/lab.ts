/**
 * sRGB <-> linear RGB <-> XYZ (D65, 2 degree observer) <-> CIELAB, exact formulas
 * (IEC 61966-2-1 for sRGB, CIE 15 for Lab). Batch functions work on interleaved arrays.
 *
 * Ranges: sRGB 8-bit 0..255 (gamma-encoded) or float 0..1; linear RGB 0..1; XYZ with Y in 0..1;
 * L* 0..100, a* and b* roughly -128..127.
 */

/** D65 reference white, Y normalized to 1. */
export const D65 = { X: 0.95047, Y: 1.0, Z: 1.08883 } as const;

// sRGB primaries with D65 white (IEC 61966-2-1), linear RGB -> XYZ.
const M_RGB2XYZ = [
  0.4124564, 0.3575761, 0.1804375,
  0.2126729, 0.7151522, 0.072175,
  0.0193339, 0.119192, 0.9503041,
];
// Its exact inverse.
const M_XYZ2RGB = [
  3.2404542, -1.5371385, -0.4985314,
  -0.969266, 1.8760108, 0.041556,
  0.0556434, -0.2040259, 1.0572252,
];

const EPS = 216 / 24389; // (6/29)^3
const KAPPA = 24389 / 27; // (29/3)^3

/** Gamma-encoded sRGB component (0..1) to linear light (0..1). */
export function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** Linear light (0..1) to gamma-encoded sRGB component (0..1). */
export function linearToSrgb(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
}

// Lookup table: 8-bit sRGB code -> linear value (exact, computed once).
const LIN8 = new Float32Array(256);
for (let i = 0; i < 256; i++) LIN8[i] = srgbToLinear(i / 255);

// Per-code contributions of each 8-bit channel to X/Xn, Y and Z/Zn (9 tables of 256 doubles):
// the matrix product becomes three table sums per component.
const XR = new Float64Array(256), XG = new Float64Array(256), XB = new Float64Array(256);
const YR = new Float64Array(256), YG = new Float64Array(256), YB = new Float64Array(256);
const ZR = new Float64Array(256), ZG = new Float64Array(256), ZB = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const v = LIN8[i];
  XR[i] = (M_RGB2XYZ[0] * v) / D65.X; XG[i] = (M_RGB2XYZ[1] * v) / D65.X; XB[i] = (M_RGB2XYZ[2] * v) / D65.X;
  YR[i] = M_RGB2XYZ[3] * v; YG[i] = M_RGB2XYZ[4] * v; YB[i] = M_RGB2XYZ[5] * v;
  ZR[i] = (M_RGB2XYZ[6] * v) / D65.Z; ZG[i] = (M_RGB2XYZ[7] * v) / D65.Z; ZB[i] = (M_RGB2XYZ[8] * v) / D65.Z;
}

// f(t) of CIELAB tabulated on [0, 1] with 2^16 steps, read with linear interpolation.
// The largest interpolation error (next to t = (6/29)^3, where |f''| peaks) is below 2e-8 in f,
// i.e. 2e-6 in L*: far below float32 resolution of the output. Two spare entries absorb t a
// hair above 1 (white after rounding). Lookups are written inline in the loops below: as a
// function the read was not inlined and cost 1.6x in srgb8ToLab. Table sums of 8-bit inputs lie
// in [0, 1 + 1e-7], so the index never leaves the table.
const F_STEPS = 65536;
const F_LUT = new Float64Array(F_STEPS + 2);
for (let i = 0; i < F_LUT.length; i++) {
  const t = i / F_STEPS;
  F_LUT[i] = t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}

// Linear light -> 8-bit sRGB code, exactly Math.round(linearToSrgb(clamp(v)) * 255), without pow.
// SRGB8_T[k] is the smallest linear value that encodes to code >= k (found by bisection on the
// exact formula). Codes are at least 1/(255*12.92) = 3.0e-4 apart in linear light, wider than a
// bin of SRGB8_BIN (1/4096 = 2.4e-4), so each bin holds at most one threshold: the code at the
// start of the bin plus one comparison gives the exact code.
const SRGB8_T = new Float64Array(257);
SRGB8_T[0] = -Infinity;
SRGB8_T[256] = Infinity;
for (let k = 1; k < 256; k++) {
  let lo = 0, hi = 1;
  for (let it = 0; it < 64; it++) {
    const mid = (lo + hi) / 2;
    if (Math.round(linearToSrgb(mid) * 255) >= k) hi = mid; else lo = mid;
  }
  SRGB8_T[k] = hi;
}
const SRGB8_BINS = 4096;
const SRGB8_BIN = new Uint8Array(SRGB8_BINS + 1);
for (let i = 0, k = 0; i <= SRGB8_BINS; i++) {
  const v = i / SRGB8_BINS;
  while (k < 255 && v >= SRGB8_T[k + 1]) k++;
  SRGB8_BIN[i] = k;
}

/**
 * The tables of {@link linearToSrgb8} (read-only): `thresholds[k]`, the smallest linear value
 * that encodes to code >= k (257, -Infinity and Infinity at the ends), and `bins[i]`, the code
 * at linear value i / 4096 (4097). For kernels that do the same lookup (color/recombine-row-kernel.ts).
 */
export function srgb8Tables(): { thresholds: Float64Array; bins: Uint8Array } {
  return { thresholds: SRGB8_T, bins: SRGB8_BIN };
}

/**
 * Linear light (clipped to 0..1) to an 8-bit gamma-encoded sRGB code, exactly
 * `Math.round(linearToSrgb(v) * 255)` but table-driven (no pow).
 *
 * @example
 * linearToSrgb8(0.2140) // 128
 */
export function linearToSrgb8(v: number): number {
  if (!(v > 0)) return 0; // also maps NaN to 0
  if (v >= 1) return 255;
  // At most one threshold per bin: one comparison, no loop (a branch on it mispredicts often).
  const k = SRGB8_BIN[(v * SRGB8_BINS) | 0];
  return k + +(v >= SRGB8_T[k + 1]);
}

function fLab(t: number): number {
  return t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}
function fLabInv(f: number): number {
  const f3 = f * f * f;
  return f3 > EPS ? f3 : (116 * f - 16) / KAPPA;
}

/** Relative luminance Y (0..1) to L* (0..100). */
export function yToL(y: number): number {
  return 116 * fLab(y) - 16;
}

/** L* (0..100) to relative luminance Y (0..1). */
export function lToY(l: number): number {
  return fLabInv((l + 16) / 116);
}

/** Linear RGB (0..1) to CIELAB; writes into `out` at offset `o`. */
export function linearRgbToLab(r: number, g: number, b: number, out: Float32Array | number[], o = 0): void {
  const x = (M_RGB2XYZ[0] * r + M_RGB2XYZ[1] * g + M_RGB2XYZ[2] * b) / D65.X;
  const y = M_RGB2XYZ[3] * r + M_RGB2XYZ[4] * g + M_RGB2XYZ[5] * b;
  const z = (M_RGB2XYZ[6] * r + M_RGB2XYZ[7] * g + M_RGB2XYZ[8] * b) / D65.Z;
  const fx = fLab(x), fy = fLab(y), fz = fLab(z);
  out[o] = 116 * fy - 16;
  out[o + 1] = 500 * (fx - fy);
  out[o + 2] = 200 * (fy - fz);
}

/** CIELAB to linear RGB (unclipped); writes into `out` at offset `o`. */
export function labToLinearRgb(L: number, a: number, b: number, out: Float32Array | number[], o = 0): void {
  const fy = (L + 16) / 116;
  const fx = fy + a / 500;
  const fz = fy - b / 200;
  const x = fLabInv(fx) * D65.X;
  const y = L > KAPPA * EPS ? fy * fy * fy : L / KAPPA;
  const z = fLabInv(fz) * D65.Z;
  out[o] = M_XYZ2RGB[0] * x + M_XYZ2RGB[1] * y + M_XYZ2RGB[2] * z;
  out[o + 1] = M_XYZ2RGB[3] * x + M_XYZ2RGB[4] * y + M_XYZ2RGB[5] * z;
  out[o + 2] = M_XYZ2RGB[6] * x + M_XYZ2RGB[7] * y + M_XYZ2RGB[8] * z;
}

/**
 * 8-bit interleaved sRGB (gamma-encoded, 3 channels) to interleaved CIELAB float32.
 *
 * @example
 * const lab = srgb8ToLab(rgb.data); // lab[0] is L* of the first pixel, 0..100
 */
export function srgb8ToLab(rgb: Uint8Array | Uint8ClampedArray, out = new Float32Array(rgb.length)): Float32Array {
  const n = rgb.length - (rgb.length % 3);
  const F = F_LUT;
  for (let i = 0; i < n; i += 3) {
    const r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
    let t = (XR[r] + XG[g] + XB[b]) * F_STEPS;
    let k = t | 0;
    let f0 = F[k];
    const fx = f0 + (F[k + 1] - f0) * (t - k);
    t = (YR[r] + YG[g] + YB[b]) * F_STEPS;
    k = t | 0;
    f0 = F[k];
    const fy = f0 + (F[k + 1] - f0) * (t - k);
    t = (ZR[r] + ZG[g] + ZB[b]) * F_STEPS;
    k = t | 0;
    f0 = F[k];
    const fz = f0 + (F[k + 1] - f0) * (t - k);
    out[i] = 116 * fy - 16;
    out[i + 1] = 500 * (fx - fy);
    out[i + 2] = 200 * (fy - fz);
  }
  return out;
}

/**
 * The interleaved a*, b* (2 values per pixel) of interleaved 8-bit sRGB: the chroma a colorizer
 * is scored against, and hints are simulated from.
 *
 * @example
 * const ab = srgb8ToAb(truth.data); // ab[2 * i], ab[2 * i + 1] of pixel i
 */
export function srgb8ToAb(rgb: Uint8Array | Uint8ClampedArray): Float32Array {
  const lab = srgb8ToLab(rgb);
  const ab = new Float32Array((lab.length / 3) * 2);
  for (let i = 0, j = 0; i < lab.length; i += 3, j += 2) {
    ab[j] = lab[i + 1];
    ab[j + 1] = lab[i + 2];
  }
  return ab;
}

/**
 * Interleaved CIELAB float32 to 8-bit sRGB (gamma-encoded); out-of-gamut colors are clipped
 * per channel in linear light.
 */
export function labToSrgb8(lab: Float32Array, out = new Uint8Array(lab.length)): Uint8Array {
  const n = lab.length - (lab.length % 3);
  for (let i = 0; i < n; i += 3) labToSrgb8At(lab[i], lab[i + 1], lab[i + 2], out, i);
  return out;
}

// One Lab pixel -> three 8-bit sRGB codes at out[o..o+2]; the body of labToSrgb8 and lAbToSrgb8.
function labToSrgb8At(L: number, a: number, b: number, out: Uint8Array, o: number): void {
  const fy = (L + 16) / 116;
  const fx = fy + a / 500;
  const fz = fy - b / 200;
  const fx3 = fx * fx * fx, fz3 = fz * fz * fz;
  const x = (fx3 > EPS ? fx3 : (116 * fx - 16) / KAPPA) * D65.X;
  const y = L > KAPPA * EPS ? fy * fy * fy : L / KAPPA;
  const z = (fz3 > EPS ? fz3 : (116 * fz - 16) / KAPPA) * D65.Z;
  out[o] = linearToSrgb8(M_XYZ2RGB[0] * x + M_XYZ2RGB[1] * y + M_XYZ2RGB[2] * z);
  out[o + 1] = linearToSrgb8(M_XYZ2RGB[3] * x + M_XYZ2RGB[4] * y + M_XYZ2RGB[5] * z);
  out[o + 2] = linearToSrgb8(M_XYZ2RGB[6] * x + M_XYZ2RGB[7] * y + M_XYZ2RGB[8] * z);
}

/** L* of every pixel of an 8-bit sRGB image (gray images have r=g=b). */
export function srgb8ToL(rgb: Uint8Array, out = new Float32Array(rgb.length / 3)): Float32Array {
  const F = F_LUT;
  for (let i = 0, j = 0; j < out.length; i += 3, j++) {
    const t = (YR[rgb[i]] + YG[rgb[i + 1]] + YB[rgb[i + 2]]) * F_STEPS;
    const k = t | 0;
    const f0 = F[k];
    out[j] = 116 * (f0 + (F[k + 1] - f0) * (t - k)) - 16;
  }
  return out;
}

/**
 * Color to gray by lightness: for each pixel of interleaved, gamma-encoded sRGB (3 samples per
 * pixel, full scale `max`: 255 for 8-bit codes, 1 for 0..1 floats), the sRGB gray level on the
 * 0..255 scale (not rounded) whose CIELAB L* equals the pixel's L*.
 *
 * L* depends on the relative luminance Y alone, and Y = 0.2126729 R + 0.7151522 G + 0.072175 B
 * in linear light: the Y row of the sRGB (D65) -> XYZ matrix of this file. These are medcolor's
 * one set of color-to-gray weights, chosen because L* is what medcolor keeps; luma weights on
 * gamma-encoded values (Rec. 601 0.299/0.587/0.114, Rec. 709 on R'G'B') would give a gray of a
 * different L*. The gray of luminance Y is linearToSrgb(Y), so `srgb8ToL` of the rounded result
 * is the pixel's L* to 8-bit rounding. Used for color raster, DICOM (RGB, YBR, PALETTE COLOR)
 * and NIfTI RGB24 inputs alike.
 *
 * @example
 * const g = rgbToLightnessGray(rgb.data);      // 8-bit RgbImage data -> 0..255 grays
 * const h = rgbToLightnessGray(rgb01, 1);      // floats in 0..1 -> 0..255 grays
 */
export function rgbToLightnessGray(rgb: ArrayLike<number>, max = 255, out = new Float32Array(Math.floor(rgb.length / 3))): Float32Array {
  const n = out.length;
  if (max === 255 && (rgb instanceof Uint8Array || rgb instanceof Uint8ClampedArray)) {
    // 8-bit codes: the per-code luminance tables.
    for (let j = 0, i = 0; j < n; j++, i += 3) {
      const y = YR[rgb[i]] + YG[rgb[i + 1]] + YB[rgb[i + 2]];
      out[j] = 255 * linearToSrgb(y < 1 ? y : 1);
    }
    return out;
  }
  const [wr, wg, wb] = [M_RGB2XYZ[3], M_RGB2XYZ[4], M_RGB2XYZ[5]];
  for (let j = 0, i = 0; j < n; j++, i += 3) {
    const y = wr * srgbToLinear(rgb[i] / max) + wg * srgbToLinear(rgb[i + 1] / max) + wb * srgbToLinear(rgb[i + 2] / max);
    out[j] = 255 * linearToSrgb(Math.min(1, Math.max(0, y)));
  }
  return out;
}

/**
 * Joins a planar L* (0..100) with interleaved a*b* of the same size into 8-bit sRGB.
 * This is the recombination step: the L* given is the one kept.
 */
export function lAbToSrgb8(L: Float32Array, ab: Float32Array, out = new Uint8Array(L.length * 3)): Uint8Array {
  for (let j = 0, i = 0; j < L.length; j++, i += 3) labToSrgb8At(L[j], ab[2 * j], ab[2 * j + 1], out, i);
  return out;
}
