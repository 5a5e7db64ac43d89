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
  for (let i = 0; i < rgb.length; i += 3) {
    linearRgbToLab(LIN8[rgb[i]], LIN8[rgb[i + 1]], LIN8[rgb[i + 2]], out, i);
  }
  return out;
}

/**
 * Interleaved CIELAB float32 to 8-bit sRGB (gamma-encoded); out-of-gamut colors are clipped
 * per channel in linear light.
 */
export function labToSrgb8(lab: Float32Array, out = new Uint8Array(lab.length)): Uint8Array {
  const t = [0, 0, 0];
  for (let i = 0; i < lab.length; i += 3) {
    labToLinearRgb(lab[i], lab[i + 1], lab[i + 2], t, 0);
    for (let c = 0; c < 3; c++) {
      const v = t[c] <= 0 ? 0 : t[c] >= 1 ? 1 : t[c];
      out[i + c] = Math.round(linearToSrgb(v) * 255);
    }
  }
  return out;
}

/** L* of every pixel of an 8-bit sRGB image (gray images have r=g=b). */
export function srgb8ToL(rgb: Uint8Array, out = new Float32Array(rgb.length / 3)): Float32Array {
  for (let i = 0, j = 0; j < out.length; i += 3, j++) {
    const y = M_RGB2XYZ[3] * LIN8[rgb[i]] + M_RGB2XYZ[4] * LIN8[rgb[i + 1]] + M_RGB2XYZ[5] * LIN8[rgb[i + 2]];
    out[j] = yToL(y);
  }
  return out;
}

/**
 * Joins a planar L* (0..100) with interleaved a*b* of the same size into 8-bit sRGB.
 * This is the recombination step: the L* given is the one kept.
 */
export function lAbToSrgb8(L: Float32Array, ab: Float32Array, out = new Uint8Array(L.length * 3)): Uint8Array {
  const t = [0, 0, 0];
  for (let j = 0, i = 0; j < L.length; j++, i += 3) {
    labToLinearRgb(L[j], ab[2 * j], ab[2 * j + 1], t, 0);
    for (let c = 0; c < 3; c++) {
      const v = t[c] <= 0 ? 0 : t[c] >= 1 ? 1 : t[c];
      out[i + c] = Math.round(linearToSrgb(v) * 255);
    }
  }
  return out;
}
