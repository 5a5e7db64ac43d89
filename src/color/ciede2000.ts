/**
 * CIEDE2000 color difference (CIE 142-2001), following the implementation notes of Sharma, Wu
 * and Dalal (Color Res. Appl. 30(1), 2005), including their conventions for achromatic colors
 * (hue 0 when a' = b = 0) and for the mean hue when the two hues are 180 degrees apart.
 *
 * Inputs are CIELAB (D65) values: L* 0..100, a*, b* roughly -128..127. Browser-safe.
 */
import { MedcolorError } from '../errors.js';

const DEG = Math.PI / 180;
const POW25_7 = 6103515625; // 25^7
const COS30 = Math.cos(30 * DEG), SIN30 = Math.sin(30 * DEG);
const COS6 = Math.cos(6 * DEG), SIN6 = Math.sin(6 * DEG);
const COS63 = Math.cos(63 * DEG), SIN63 = Math.sin(63 * DEG);

/**
 * CIEDE2000 difference between two CIELAB colors. kL, kC, kH are the parametric weights
 * (1 for the reference conditions; textiles often use kL = 2).
 *
 * @example
 * deltaE2000(50, 2.6772, -79.7751, 50, 0, -82.7485) // 2.0425 (Sharma et al., pair 1)
 */
export function deltaE2000(
  L1: number, a1: number, b1: number,
  L2: number, a2: number, b2: number,
  kL = 1, kC = 1, kH = 1,
): number {
  // Chroma-dependent stretch of a* (G), which makes near-neutral hues less sensitive.
  const cBar = (Math.sqrt(a1 * a1 + b1 * b1) + Math.sqrt(a2 * a2 + b2 * b2)) / 2;
  const cBar2 = cBar * cBar;
  const cBar7 = cBar2 * cBar2 * cBar2 * cBar;
  const g = 0.5 * (1 - Math.sqrt(cBar7 / (cBar7 + POW25_7)));
  const ap1 = (1 + g) * a1;
  const ap2 = (1 + g) * a2;
  const cp1 = Math.sqrt(ap1 * ap1 + b1 * b1);
  const cp2 = Math.sqrt(ap2 * ap2 + b2 * b2);
  // Hue angles in degrees, 0..360; an achromatic color gets hue 0.
  let hp1 = ap1 === 0 && b1 === 0 ? 0 : Math.atan2(b1, ap1) / DEG;
  if (hp1 < 0) hp1 += 360;
  let hp2 = ap2 === 0 && b2 === 0 ? 0 : Math.atan2(b2, ap2) / DEG;
  if (hp2 < 0) hp2 += 360;

  const dLp = L2 - L1;
  const dCp = cp2 - cp1;
  const cpProd = cp1 * cp2;
  let dhp = 0;
  if (cpProd !== 0) {
    dhp = hp2 - hp1;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(cpProd) * Math.sin((dhp / 2) * DEG);

  const lBarP = (L1 + L2) / 2;
  const cBarP = (cp1 + cp2) / 2;
  let hBarP: number;
  if (cpProd === 0) hBarP = hp1 + hp2;
  else if (Math.abs(hp1 - hp2) <= 180) hBarP = (hp1 + hp2) / 2;
  else if (hp1 + hp2 < 360) hBarP = (hp1 + hp2 + 360) / 2;
  else hBarP = (hp1 + hp2 - 360) / 2;

  // T = 1 - 0.17 cos(h - 30) + 0.24 cos(2h) + 0.32 cos(3h + 6) - 0.20 cos(4h - 63), from one
  // cos/sin pair through the multiple-angle identities (4 cosines cost more than the rest).
  const ch = Math.cos(hBarP * DEG), sh = Math.sin(hBarP * DEG);
  const c2h = 2 * ch * ch - 1, s2h = 2 * sh * ch;
  const c3h = ch * (4 * ch * ch - 3), s3h = sh * (3 - 4 * sh * sh);
  const c4h = 2 * c2h * c2h - 1, s4h = 2 * s2h * c2h;
  const t = 1
    - 0.17 * (ch * COS30 + sh * SIN30)
    + 0.24 * c2h
    + 0.32 * (c3h * COS6 - s3h * SIN6)
    - 0.2 * (c4h * COS63 + s4h * SIN63);
  const hd = (hBarP - 275) / 25;
  const dTheta = 30 * Math.exp(-hd * hd);
  const cBarP2 = cBarP * cBarP;
  const cBarP7 = cBarP2 * cBarP2 * cBarP2 * cBarP;
  const rC = 2 * Math.sqrt(cBarP7 / (cBarP7 + POW25_7));
  const l50 = (lBarP - 50) * (lBarP - 50);
  const sL = 1 + (0.015 * l50) / Math.sqrt(20 + l50);
  const sC = 1 + 0.045 * cBarP;
  const sH = 1 + 0.015 * cBarP * t;
  const rT = -Math.sin(2 * dTheta * DEG) * rC;

  const dl = dLp / (kL * sL);
  const dc = dCp / (kC * sC);
  const dh = dHp / (kH * sH);
  return Math.sqrt(dl * dl + dc * dc + dh * dh + rT * dc * dh);
}

function checkPair(labA: ArrayLike<number>, labB: ArrayLike<number>, what: string): void {
  if (labA.length !== labB.length || labA.length % 3 !== 0) {
    throw new MedcolorError(
      'ERR_METRIC_SIZE_MISMATCH',
      `${what}: expected two interleaved Lab arrays of equal length (a multiple of 3); found lengths ${labA.length} and ${labB.length}`,
    );
  }
}

/**
 * Per-pixel CIEDE2000 between two interleaved CIELAB arrays (L*, a*, b* per pixel), e.g. for
 * an error heat map. Returns one value per pixel.
 *
 * @example
 * const map = deltaE2000Map(srgb8ToLab(result.data), srgb8ToLab(truth.data));
 */
export function deltaE2000Map(
  labA: ArrayLike<number>,
  labB: ArrayLike<number>,
  out = new Float32Array(labA.length / 3),
): Float32Array {
  checkPair(labA, labB, 'deltaE2000Map');
  for (let i = 0, j = 0; i < labA.length; i += 3, j++) {
    out[j] = deltaE2000(labA[i], labA[i + 1], labA[i + 2], labB[i], labB[i + 1], labB[i + 2]);
  }
  return out;
}

/**
 * Mean CIEDE2000 over all pixels of two interleaved CIELAB arrays of the same size
 * (reference weights kL = kC = kH = 1). Accumulates in double precision. Returns 0 for empty input.
 *
 * @example
 * meanDeltaE2000(srgb8ToLab(result.data), srgb8ToLab(truth.data)) // e.g. 7.9
 */
export function meanDeltaE2000(labA: ArrayLike<number>, labB: ArrayLike<number>): number {
  checkPair(labA, labB, 'meanDeltaE2000');
  const n = labA.length / 3;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < labA.length; i += 3) {
    sum += deltaE2000(labA[i], labA[i + 1], labA[i + 2], labB[i], labB[i + 1], labB[i + 2]);
  }
  return sum / n;
}
