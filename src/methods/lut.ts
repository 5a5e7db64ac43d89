/**
 * `lut`: lookup-table pseudo-color, as clinical viewers apply it after the window.
 * Browser-safe (no Node built-ins).
 *
 * The input L* is the displayed gray level after window/VOI. A viewer maps the displayed value
 * (the 8-bit sRGB gray code 0..255 that shows this L*) to a palette index, so index =
 * round(255 * sRGB(Y(L*))): the bottom of the window (L* = 0) gets entry 0, the top (L* = 100)
 * entry 255.
 *
 * Modes:
 * - `classic`: the palette's own color, lightness included (returns `L`), as a viewer shows it.
 * - `preserve` (default): only hue and chroma of the palette; the input L* is kept exactly.
 *   With the palette entry's (L_p, a_p, b_p), the output chroma is (a_p, b_p) * L_in / L_p
 *   (the chroma-to-lightness ratio, i.e. the entry's saturation, is kept), then scaled toward
 *   gray only as far as needed to be displayable in sRGB at L_in (see computeGamutScale in color/gamut.ts).
 *   Black palette entries (L_p < 1) give gray.
 */
import { lToY, linearToSrgb, srgb8ToLab } from '../color/lab.js';
import { MedcolorError } from '../errors.js';
import type { ColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions } from './types.js';
import { getPalette, type Palette } from './palettes.js';
import { computeGamutScale } from '../color/gamut.js';
import { checkInput } from './util.js';

/** Options of the `lut` method. */
export interface LutOptions extends MethodOptions {
  /** A built-in palette name (see listPalettes()) or a parsed Palette. Default 'hot-iron'. */
  palette?: string | Palette;
  /** 'preserve' (default): keep input L*, palette hue/chroma; 'classic': palette colors as is. */
  mode?: 'classic' | 'preserve';
  /** Reverse the palette (entry 255 for black). Default false. */
  invert?: boolean;
}

// Resolution of the L* -> output table: 4096 levels (0.024 L* apart) are finer than 8-bit display.
const LEVELS = 4096;

/** Palette index (0..255) of a displayed lightness L* (0..100). */
export function lightnessToIndex(L: number): number {
  const l = L <= 0 ? 0 : L >= 100 ? 100 : L;
  return Math.round(255 * linearToSrgb(lToY(l)));
}

// The palette index is a non-decreasing step function of L*: INDEX_T[k] is the smallest L* (a
// double, found by bisection down to adjacent doubles) whose index is k or more, so the index of
// any L* is found exactly with a bin lookup and a comparison or two, without pow and cbrt.
const INDEX_BINS = 4096;
let indexT: Float64Array | undefined, indexBin: Uint8Array | undefined;
function buildIndexTable(): void {
  const t = new Float64Array(257);
  t[0] = -Infinity;
  t[256] = Infinity;
  for (let k = 1; k < 256; k++) {
    let lo = 0, hi = 100; // index 0 at L* 0, 255 at L* 100
    for (;;) {
      const mid = (lo + hi) / 2;
      if (mid === lo || mid === hi) break;
      if (lightnessToIndex(mid) >= k) hi = mid;
      else lo = mid;
    }
    t[k] = hi;
  }
  const bin = new Uint8Array(INDEX_BINS + 1);
  for (let i = 0, k = 0; i <= INDEX_BINS; i++) {
    const v = (i * 100) / INDEX_BINS;
    while (k < 255 && v >= t[k + 1]) k++;
    bin[i] = Math.max(0, k - 1); // one below: a value that rounds into bin i may lie just under its start
  }
  indexT = t;
  indexBin = bin;
}

/**
 * lightnessToIndex(L) for a whole plane, table-driven; NaN stays NaN (as in lightnessToIndex).
 * Writes into `out` (palette indices 0..255).
 */
function indexPlane(L: Float32Array, out: Float64Array | Float32Array): void {
  if (!indexT) buildIndexTable();
  const t = indexT!, bin = indexBin!;
  for (let i = 0; i < L.length; i++) {
    const l = L[i];
    if (!(l > 0)) out[i] = l <= 0 ? 0 : Number.NaN;
    else if (l >= 100) out[i] = 255;
    else {
      let k = bin[((l * INDEX_BINS) / 100) | 0];
      while (l >= t[k + 1]) k++;
      out[i] = k;
    }
  }
}

// Preserve-mode tables (a*, b* per L* level) of recent palettes, keyed by the palette's bytes.
interface PreserveTable { rgb: Uint8Array; invert: boolean; ta: Float32Array; tb: Float32Array }
const preserveTables: PreserveTable[] = [];

function preserveTable(palette: Palette, invert: boolean, lab: Float32Array): PreserveTable {
  const hit = preserveTables.find((t) => t.invert === invert && t.rgb.every((v, i) => v === palette.rgb[i]));
  if (hit) return hit;
  // a* b* depend only on L_in; tabulate at LEVELS lightness levels.
  const ta = new Float32Array(LEVELS), tb = new Float32Array(LEVELS);
  for (let q = 0; q < LEVELS; q++) {
    const lin = (q * 100) / (LEVELS - 1);
    let k = lightnessToIndex(lin);
    if (invert) k = 255 - k;
    const [lp, ap, bp] = [lab[3 * k], lab[3 * k + 1], lab[3 * k + 2]];
    if (lp < 1) continue;
    const s = lin / lp;
    const g = computeGamutScale(lin, ap * s, bp * s);
    ta[q] = ap * s * g;
    tb[q] = bp * s * g;
  }
  const table = { rgb: palette.rgb.slice(), invert, ta, tb };
  preserveTables.unshift(table);
  if (preserveTables.length > 8) preserveTables.pop();
  return table;
}

function resolvePalette(p: LutOptions['palette']): Palette {
  if (p === undefined) return getPalette('hot-iron');
  if (typeof p === 'string') return getPalette(p);
  if (p && p.rgb instanceof Uint8Array && p.rgb.length === 768) return p;
  throw new MedcolorError('ERR_BAD_OPTION', 'options.palette must be a palette name or a Palette with 256*3 bytes');
}

/**
 * Colorizes with a palette; see the module comment for the two modes.
 *
 * @example
 * const r = await lutMethod.colorize({ width, height, L }, { palette: 'pet', mode: 'classic' });
 * // r.L is the palette's lightness, r.ab its chroma
 */
export const lutMethod: ColorizationMethod = {
  name: 'lut',
  description: 'lookup-table pseudo-color after the window (DICOM Hot Iron, PET, Hot Metal Blue, PET 20 Step; hot, bone, jet, viridis, inferno; user file)',
  // Each pixel's color is its palette entry's: a function of its L* alone.
  pointwise: true,
  async colorize(input: ColorizeInput, options: LutOptions = {}): Promise<ColorizeResult> {
    const { width, height, L } = input;
    checkInput(width, height, L, 'lut');
    const mode = options.mode ?? 'preserve';
    if (mode !== 'classic' && mode !== 'preserve') {
      throw new MedcolorError('ERR_BAD_OPTION', `lut: mode must be 'classic' or 'preserve'; found '${String(mode)}'`);
    }
    const palette = resolvePalette(options.palette);
    const lab = srgb8ToLab(palette.rgb);
    const n = width * height;
    const ab = new Float32Array(2 * n);
    if (mode === 'classic') {
      // The index plane goes in outL, then each index is replaced by its entry's L*.
      const outL = new Float32Array(n);
      indexPlane(L, outL);
      const inv = options.invert === true;
      for (let i = 0; i < n; i++) {
        const k = inv ? 255 - outL[i] : outL[i];
        outL[i] = lab[3 * k];
        ab[2 * i] = lab[3 * k + 1];
        ab[2 * i + 1] = lab[3 * k + 2];
      }
      return { width, height, ab, L: outL };
    }
    const { ta, tb } = preserveTable(palette, options.invert === true, lab);
    for (let i = 0; i < n; i++) {
      const l = L[i] <= 0 ? 0 : L[i] >= 100 ? 100 : L[i];
      const q = Math.round((l * (LEVELS - 1)) / 100);
      ab[2 * i] = ta[q];
      ab[2 * i + 1] = tb[q];
    }
    return { width, height, ab };
  },
};
