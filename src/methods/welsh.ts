/**
 * `welsh`: "Transferring Color to Greyscale Images", Welsh, Ashikhmin and Mueller (SIGGRAPH 2002).
 * Browser-safe (no Node built-ins).
 *
 * Global mode, as in the paper: the reference's luminance is remapped linearly to the target's
 * mean and deviation (L' = std_t / std_r * (L - mean_r) + mean_t); about `samples` reference
 * pixels are taken by jittered sampling (one random pixel in each cell of a g x g grid,
 * g = round(sqrt(samples))); each target pixel takes the a*, b* of the sample minimizing
 * w * (L_t - L'_s)^2 + (1 - w) * (sd_t - sd_s)^2, with sd the standard deviation of lightness in a
 * 5x5 neighborhood and w = `luminanceWeight` (0.5 as in the paper).
 *
 * The best sample depends only on (L, sd), so the search runs once per cell of a fine
 * (L, sd) grid (0.25 L* by sd/256 steps) and pixels look their cell up: the result equals the
 * per-pixel search up to that quantization, at a cost independent of the image size.
 *
 * Swatch mode (options.swatches, pairs of rectangles): each target swatch is first colorized from
 * its reference swatch only (luminance remapped with the two swatches' statistics), then the
 * whole image is colorized with samples taken from the colorized target swatches. The paper does
 * that second step with 5x5 L2 neighborhood matching inside the target; we use the same
 * (L, sd) matching as in global mode, which is its first-order summary.
 */
import { MedcolorError } from '../errors.js';
import type { ColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions } from './types.js';
import { fitChromaToGamut } from '../color/gamut.js';
import { checkInput, computeLocalStats, createRng, referenceToLab } from './util.js';

/** A rectangle in pixels. */
export interface Rect { x: number; y: number; width: number; height: number }

/** A swatch pair: a region of the reference and the region of the target it should color. */
export interface SwatchPair { reference: Rect; target: Rect }

/** Options of the `welsh` method. */
export interface WelshOptions extends MethodOptions {
  /** Number of jittered samples (global mode, and per swatch). Default 200. */
  samples?: number;
  /** Weight of the luminance term against the neighborhood deviation term. Default 0.5. */
  luminanceWeight?: number;
  /** Swatch pairs; when given, swatch mode (see module comment). */
  swatches?: SwatchPair[];
  /** Random seed of the jitter. Default 1. */
  seed?: number;
}

interface Samples { L: Float32Array; sd: Float32Array; a: Float32Array; b: Float32Array }

function meanStdOf(v: Float32Array, idx?: Int32Array): [number, number] {
  let s = 0, s2 = 0;
  const n = idx ? idx.length : v.length;
  for (let k = 0; k < n; k++) { const x = v[idx ? idx[k] : k]; s += x; s2 += x * x; }
  const m = s / n;
  return [m, Math.sqrt(Math.max(0, s2 / n - m * m))];
}

function rectIndices(r: Rect, width: number, height: number, what: string): Int32Array {
  const x0 = Math.max(0, Math.floor(r.x)), y0 = Math.max(0, Math.floor(r.y));
  const x1 = Math.min(width, Math.floor(r.x + r.width)), y1 = Math.min(height, Math.floor(r.y + r.height));
  if (x1 <= x0 || y1 <= y0) {
    throw new MedcolorError('ERR_BAD_OPTION', `welsh: ${what} swatch ${JSON.stringify(r)} is empty inside the ${width}x${height} image`);
  }
  const out = new Int32Array((x1 - x0) * (y1 - y0));
  let k = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out[k++] = y * width + x;
  return out;
}

/** Jittered sampling: one random pixel in each cell of a g x g grid (g = round(sqrt(count))) over `rect`. */
function jitterSample(
  rect: Rect, width: number, height: number, count: number, rand: () => number,
): Int32Array {
  const x0 = Math.max(0, Math.floor(rect.x)), y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(width, Math.floor(rect.x + rect.width)), y1 = Math.min(height, Math.floor(rect.y + rect.height));
  const g = Math.max(1, Math.round(Math.sqrt(count)));
  const gx = Math.min(g, x1 - x0), gy = Math.min(g, y1 - y0);
  const out = new Int32Array(gx * gy);
  let k = 0;
  for (let j = 0; j < gy; j++) {
    for (let i = 0; i < gx; i++) {
      const cx0 = x0 + Math.floor(((x1 - x0) * i) / gx), cx1 = x0 + Math.floor(((x1 - x0) * (i + 1)) / gx);
      const cy0 = y0 + Math.floor(((y1 - y0) * j) / gy), cy1 = y0 + Math.floor(((y1 - y0) * (j + 1)) / gy);
      const x = cx0 + Math.min(cx1 - cx0 - 1, Math.floor(rand() * (cx1 - cx0)));
      const y = cy0 + Math.min(cy1 - cy0 - 1, Math.floor(rand() * (cy1 - cy0)));
      out[k++] = y * width + x;
    }
  }
  return out;
}

/** Colors the pixels `targetIdx` (or all) by best-matching sample on (L, sd). */
function matchSamples(
  L: Float32Array, sd: Float32Array, s: Samples, w: number, ab: Float32Array, targetIdx?: Int32Array,
): void {
  const LB = 401; // 0.25 L* steps over 0..100
  const n = targetIdx ? targetIdx.length : L.length;
  let sdMax = 1e-3;
  for (let k = 0; k < n; k++) { const v = sd[targetIdx ? targetIdx[k] : k]; if (v > sdMax) sdMax = v; }
  const SB = 256;
  const table = new Int32Array(LB * SB);
  const ns = s.L.length;
  for (let li = 0; li < LB; li++) {
    const l = li * 0.25;
    for (let si = 0; si < SB; si++) {
      const d = ((si + 0.5) / SB) * sdMax;
      let best = 0, bestD = Infinity;
      for (let k = 0; k < ns; k++) {
        const dl = l - s.L[k], ds = d - s.sd[k];
        const dist = w * dl * dl + (1 - w) * ds * ds;
        if (dist < bestD) { bestD = dist; best = k; }
      }
      table[li * SB + si] = best;
    }
  }
  for (let k = 0; k < n; k++) {
    const p = targetIdx ? targetIdx[k] : k;
    const lv = L[p] < 0 ? 0 : L[p] > 100 ? 100 : L[p];
    const li = Math.round(lv * 4);
    const si = Math.min(SB - 1, Math.floor((sd[p] / sdMax) * SB));
    const best = table[li * SB + si];
    ab[2 * p] = s.a[best];
    ab[2 * p + 1] = s.b[best];
  }
}

/**
 * Welsh et al. 2002 color transfer from `options.reference` (see module comment).
 *
 * @example
 * const r = await welshMethod.colorize({ width, height, L }, { reference, samples: 200, seed: 7 });
 */
export const welshMethod: ColorizationMethod = {
  name: 'welsh',
  description: 'Welsh, Ashikhmin, Mueller 2002: jittered reference samples matched by luminance and 5x5 deviation; optional swatches',
  needsReference: true,
  async colorize(input: ColorizeInput, options: WelshOptions = {}): Promise<ColorizeResult> {
    const { width, height, L } = input;
    checkInput(width, height, L, 'welsh');
    const ref = referenceToLab(options.reference, 'welsh');
    const rw = options.reference!.width, rh = options.reference!.height;
    const count = Math.max(1, Math.floor(options.samples ?? 200));
    const w = options.luminanceWeight ?? 0.5;
    if (!(w >= 0 && w <= 1)) throw new MedcolorError('ERR_BAD_OPTION', `welsh: luminanceWeight must be in 0..1; found ${w}`);
    const rand = createRng(options.seed ?? 1);
    const nr = rw * rh;
    const refL = new Float32Array(nr);
    for (let i = 0; i < nr; i++) refL[i] = ref[3 * i];
    const tgtSd = computeLocalStats(L, width, height, 2).std;
    const ab = new Float32Array(2 * width * height);

    const takeSamples = (idx: Int32Array, Ls: Float32Array, sds: Float32Array, a: (p: number) => number, b: (p: number) => number): Samples => ({
      L: Float32Array.from(idx, (p) => Ls[p]),
      sd: Float32Array.from(idx, (p) => sds[p]),
      a: Float32Array.from(idx, a),
      b: Float32Array.from(idx, b),
    });

    if (!options.swatches || options.swatches.length === 0) {
      const [mr, sr] = meanStdOf(refL);
      const [mt, st] = meanStdOf(L);
      const g = sr > 1e-6 ? st / sr : 1;
      const remapped = Float32Array.from(refL, (v) => (v - mr) * g + mt);
      const refSd = computeLocalStats(remapped, rw, rh, 2).std;
      const idx = jitterSample({ x: 0, y: 0, width: rw, height: rh }, rw, rh, count, rand);
      const s = takeSamples(idx, remapped, refSd, (p) => ref[3 * p + 1], (p) => ref[3 * p + 2]);
      matchSamples(L, tgtSd, s, w, ab);
    } else {
      // Step 1: each target swatch from its reference swatch.
      const swIdx: Int32Array[] = [];
      for (const pair of options.swatches) {
        const rIdx = rectIndices(pair.reference, rw, rh, 'reference');
        const tIdx = rectIndices(pair.target, width, height, 'target');
        const [mr, sr] = meanStdOf(refL, rIdx);
        const [mt, st] = meanStdOf(L, tIdx);
        const g = sr > 1e-6 ? st / sr : 1;
        const remapped = Float32Array.from(refL, (v) => (v - mr) * g + mt);
        const refSd = computeLocalStats(remapped, rw, rh, 2).std;
        const idx = jitterSample(pair.reference, rw, rh, count, rand);
        const s = takeSamples(idx, remapped, refSd, (p) => ref[3 * p + 1], (p) => ref[3 * p + 2]);
        matchSamples(L, tgtSd, s, w, ab, tIdx);
        swIdx.push(tIdx);
      }
      // Step 2: the whole image from samples of the colorized target swatches.
      const all: number[] = [];
      const per = Math.max(1, Math.round(count / options.swatches.length));
      options.swatches.forEach((pair) => all.push(...jitterSample(pair.target, width, height, per, rand)));
      const idx = Int32Array.from(all);
      const colored = ab.slice();
      const s = takeSamples(idx, L, tgtSd, (p) => colored[2 * p], (p) => colored[2 * p + 1]);
      matchSamples(L, tgtSd, s, w, ab);
      // Keep the swatches' own (directly transferred) colors.
      for (const tIdx of swIdx) for (const p of tIdx) { ab[2 * p] = colored[2 * p]; ab[2 * p + 1] = colored[2 * p + 1]; }
    }
    fitChromaToGamut(L, ab);
    return { width, height, ab };
  },
};
