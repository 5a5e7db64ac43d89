/**
 * The full-resolution recombination step of the pipeline in one pass: bilinear upsampling of the
 * method's a*b* to the size of L*, the gamut fit at constant L* (color/gamut.ts) and CIELAB ->
 * 8-bit sRGB (color/lab.ts), reading and writing each pixel once. Browser-safe.
 *
 * It gives bit for bit what the reference path gives (resizeBilinear, then fitChromaToGamut,
 * then lAbToSrgb8; test/color/recombine.test.ts checks it on real images for every method): the
 * same float operations in the same order, the upsampled a*b* rounded to float32 where the
 * reference stores them. What makes it fast:
 * - one loop instead of three passes over full-size arrays, and no full-size temporary: each
 *   row's a*b* live in a row buffer that stays in cache, copied out only when the full-size
 *   fitted a*b* are asked for (`targets.ab`; `ab: null` skips them: 8 bytes a pixel neither
 *   allocated nor written, which on a fresh allocation also means page faults);
 * - the x-interpolation of a source row (resizeBilinear's `top`/`bot`, in double) is done once
 *   per source row, not once per output row;
 * - the linear RGB computed by the in-gamut test is the one the Lab -> sRGB step needs, so an
 *   in-gamut pixel (most of them) is converted once; L*-only terms are reused while L* repeats;
 * - a memo keyed by the exact bits of (L*, a*, b*) answers pixels seen before (a palette or gray
 *   on an 8- to 16-bit image has few distinct colors, and the out-of-gamut ones cost a bisection
 *   of 8 to 13 gamut tests each). It is a pure function of its key, kept across images and calls,
 *   and switched off for an image where it does not pay (smooth chroma from the model);
 * - the rows after that go through a WebAssembly kernel (wasm/recombine-row.ts, the same float64
 *   arithmetic as writeInGamut, gamut.ts's fit and lab.ts, in the same order, two pixels at a
 *   time in f64x2 lanes): 17-19 ns a pixel where the JavaScript loop took 39-43 (2000 px
 *   radiographs colorized by the model, 0.1-0.4% out of gamut), 60 where it took 112 (28%).
 * Pointwise methods (gray, lut) on integer images do not come here per pixel: the pipeline runs
 * them once per distinct value (pipeline/colorize.ts).
 */
import { bilinearTaps, resizeBilinear } from '../image/resize.js';
import { fitChromaAt } from './gamut.js';
import { D65, linearToSrgb8 } from './lab.js';
import { rowKernel } from './recombine-row-kernel.js';

// The constants of color/gamut.ts and color/lab.ts (the same values, the same expressions).
const FIT_EPS = 1e-5;
const LO = -FIT_EPS, HI = 1 + FIT_EPS;
const M0 = 3.2404542, M1 = -1.5371385, M2 = -0.4985314;
const M3 = -0.969266, M4 = 1.8760108, M5 = 0.041556;
const M6 = 0.0556434, M7 = -0.2040259, M8 = 1.0572252;
const LAB_EPS = 216 / 24389, KAPPA = 24389 / 27;
const XN = D65.X, ZN = D65.Z;

// Memo of recent pixels: key = bits of (L*, a*, b*) as float32, value = the three sRGB codes and
// the fitted a*b*. Direct-mapped, 2^16 entries of 8 ints (2 MB), made on first use; a pure
// function of its key, so it is kept across images and calls.
const MEMO_BITS = 16;
const MEMO_SHIFT = 32 - MEMO_BITS;
let memo: Int32Array | undefined;
// The memo is used for an image only while it pays: after MEMO_PROBE lookups with fewer than
// half of them hits (smoothly varying chroma, e.g. the model's upsampled a*b*), it is left alone.
// It is not tried at all when the method's a*b* rarely repeat from pixel to pixel (see
// abRepeatsOften): probing costs about 4x a pixel of the kernel.
const MEMO_PROBE = 8192;

/**
 * Whether at least half of the a*b* pairs (interleaved, width x height) equal the pair to their
 * left, on up to 64 rows spread over the image: a palette's or a flat region's colors repeat, a
 * smooth prediction's do not (and then neither do the bilinearly upsampled ones).
 */
function abRepeatsOften(ab: Float32Array, width: number, height: number): boolean {
  const step = Math.max(1, Math.floor(height / 64));
  let same = 0, pairs = 0;
  for (let y = 0; y < height; y += step) {
    for (let x = 2 * (y * width + 1), end = 2 * (y + 1) * width; x < end; x += 2) {
      if (ab[x] === ab[x - 2] && ab[x + 1] === ab[x - 1]) same++;
    }
    pairs += width - 1;
  }
  return 2 * same >= pairs;
}

/**
 * One pixel the fast branch does not take (out of gamut, or L* outside 0..100): gamut.ts's fit and
 * lab.ts's conversion, fitting ab[2j..2j+1] in place and writing rgb[3j..3j+2]. Out of the main
 * loop so that the loop stays small.
 */
function finishPixel(Lv: number, ab: Float32Array, j: number, rgb: Uint8Array, o: number): void {
  fitChromaAt(Lv, ab, j);
  writeSrgb8(Lv, ab[2 * j], ab[2 * j + 1], rgb, o);
}

/** One source row of interleaved a*b* interpolated along x at the output columns (resizeBilinear's `top`). */
function interpolateRow(src: Float32Array, r: number, x0s: Int32Array, x1s: Int32Array, wxs: Float32Array, out: Float64Array): void {
  for (let x = 0; x < x0s.length; x++) {
    const pa = r + 2 * x0s[x], pb = r + 2 * x1s[x], wx = wxs[x];
    out[2 * x] = src[pa] + (src[pb] - src[pa]) * wx;
    out[2 * x + 1] = src[pa + 1] + (src[pb + 1] - src[pa + 1]) * wx;
  }
}

/** Where the result goes; allocated when not given. */
export interface RecombineTargets {
  /** 8-bit sRGB, 3 * width * height bytes. */
  rgb?: Uint8Array;
  /** The fitted a*b* at full size, interleaved, 2 * width * height values; null: not wanted. */
  ab?: Float32Array | null;
}

/**
 * Joins full-size L* (0..100, planar, width x height) with a*b* given at abWidth x abHeight
 * (interleaved; upsampled bilinearly with half-pixel centers, as resizeBilinear) into 8-bit sRGB,
 * fitting each pixel's chroma into the sRGB gamut at its L* first (as fitChromaToGamut). Returns
 * the sRGB image and the fitted full-size a*b*; equal, value for value, to
 * `ab = resizeBilinear(abSmall, ...); fitChromaToGamut(L, ab); rgb = lAbToSrgb8(L, ab)`.
 * a*b* smaller than half the size in either direction (which resizeBilinear box-filters) go
 * through resizeBilinear first. With `targets.ab === null` only the sRGB image is made.
 *
 * @example
 * const { rgb, ab } = recombineToSrgb8(L, 2048, 2048, abFromModel, 256, 256);
 * const { rgb: only } = recombineToSrgb8(L, 2048, 2048, abFromModel, 256, 256, { ab: null });
 */
export function recombineToSrgb8(
  L: Float32Array, width: number, height: number, abSmall: Float32Array, abWidth: number, abHeight: number,
  targets?: RecombineTargets & { ab?: Float32Array },
): { rgb: Uint8Array; ab: Float32Array };
export function recombineToSrgb8(
  L: Float32Array, width: number, height: number, abSmall: Float32Array, abWidth: number, abHeight: number,
  targets: RecombineTargets & { ab: null },
): { rgb: Uint8Array; ab: null };
export function recombineToSrgb8(
  L: Float32Array,
  width: number,
  height: number,
  abSmall: Float32Array,
  abWidth: number,
  abHeight: number,
  targets: RecombineTargets = {},
): { rgb: Uint8Array; ab: Float32Array | null } {
  const n = width * height;
  const rgb = targets.rgb ?? new Uint8Array(3 * n);
  const ab = targets.ab === null ? null : (targets.ab ?? new Float32Array(2 * n));
  // The row buffers are the WebAssembly kernel's: the memo's loop works in them too.
  const K = rowKernel(width);
  const rowAb = K.ab, rowAb32 = new Int32Array(rowAb.buffer, rowAb.byteOffset, rowAb.length);
  const M = (memo ??= new Int32Array(8 << MEMO_BITS));
  let useMemo = abRepeatsOften(abSmall, abWidth, abHeight), lookups = 0, hits = 0;
  let src = abSmall;
  let sameSize = abWidth === width && abHeight === height;
  if (!sameSize && (Math.floor(abWidth / width) >= 2 || Math.floor(abHeight / height) >= 2)) {
    src = resizeBilinear(abSmall, abWidth, abHeight, 2, width, height); // shrinking: box filter first
    sameSize = true;
  }
  const { x0s, x1s, wxs } = sameSize ? bilinearTaps(1, 1) : bilinearTaps(abWidth, width);
  const sy = abHeight / height;
  const L32 = new Int32Array(L.buffer, L.byteOffset, L.length);
  // The two source rows interpolated along x, in double as resizeBilinear's `top` and `bot`:
  // each is shared by all the output rows between two source rows.
  let top = K.top, bot = K.bot;
  let topRow = -1, botRow = -1;
  for (let y = 0; y < height; y++) {
    let wy = 0;
    if (!sameSize) {
      let fyp = (y + 0.5) * sy - 0.5;
      if (fyp < 0) fyp = 0;
      const y0 = Math.min(Math.floor(fyp), abHeight - 1);
      const y1 = Math.min(y0 + 1, abHeight - 1);
      wy = fyp - y0;
      if (y0 !== topRow) {
        if (y0 === botRow) {
          const t = top;
          top = bot;
          bot = t;
          botRow = -1;
        } else interpolateRow(src, y0 * abWidth * 2, x0s, x1s, wxs, top);
        topRow = y0;
      }
      if (y1 !== botRow) {
        interpolateRow(src, y1 * abWidth * 2, x0s, x1s, wxs, bot);
        botRow = y1;
      }
    }
    const row = y * width;
    if (useMemo) {
      hits += recombineRow(L, L32, row, width, src, top, bot, wy, sameSize, rowAb, rowAb32, rgb, M);
      lookups += width;
      if (lookups >= MEMO_PROBE && 2 * hits < lookups) useMemo = false;
    } else {
      // The kernel: a*b*, the gamut fit where needed (gamut.ts's, in its row buffers), sRGB.
      K.L.set(L.subarray(row, row + width));
      if (sameSize) {
        rowAb.set(src.subarray(2 * row, 2 * (row + width)));
        K.run(null, null, 0);
      } else K.run(top, bot, wy);
      rgb.set(K.rgb.subarray(0, 3 * width), 3 * row);
    }
    if (ab) ab.set(rowAb, 2 * row);
  }
  return { rgb, ab };
}

/**
 * One output row (pixels row .. row + width - 1), its fitted a*b* into `ab` (one row, indexed
 * by column); returns how many pixels the memo answered. The hot loop is a function of its own
 * so that it is optimized from full type feedback after a few rows (one long loop in the caller
 * runs on on-stack-replacement code, deoptimized and recompiled at every image).
 */
function recombineRow(
  L: Float32Array, L32: Int32Array, row: number, width: number,
  src: Float32Array, top: Float64Array, bot: Float64Array, wy: number, sameSize: boolean,
  ab: Float32Array, ab32: Int32Array, rgb: Uint8Array, M: Int32Array,
): number {
  let hits = 0;
  // L*-only terms of the previous pixel (neighbours often share L*).
  let lastL = Number.NaN, fy = 0, yy = 0;
  for (let x = 0; x < width; x++) {
    const j = row + x;
    // 1. a*b* at this pixel, stored as float32 (resizeBilinear's output).
    if (sameSize) {
      ab[2 * x] = src[2 * j];
      ab[2 * x + 1] = src[2 * j + 1];
    } else {
      const ta = top[2 * x], tb = top[2 * x + 1];
      ab[2 * x] = ta + (bot[2 * x] - ta) * wy;
      ab[2 * x + 1] = tb + (bot[2 * x + 1] - tb) * wy;
    }
    const o = 3 * j;
    const kL = L32[j], kA = ab32[2 * x], kB = ab32[2 * x + 1];
    const h = ((Math.imul(kL, 0x9e3779b1) ^ Math.imul(kA, 0x85ebca77) ^ Math.imul(kB, 0xc2b2ae3d)) >>> MEMO_SHIFT) << 3;
    if (M[h + 6] === 1 && M[h] === kL && M[h + 1] === kA && M[h + 2] === kB) {
      const p = M[h + 3];
      rgb[o] = p & 255;
      rgb[o + 1] = (p >>> 8) & 255;
      rgb[o + 2] = p >>> 16;
      ab32[2 * x] = M[h + 4];
      ab32[2 * x + 1] = M[h + 5];
      hits++;
      continue;
    }
    M[h + 6] = 1;
    M[h] = kL;
    M[h + 1] = kA;
    M[h + 2] = kB;
    const a = ab[2 * x], b = ab[2 * x + 1];
    const Lv = L[j];
    // 2. gamut.ts's test at constant L*: inside (and L* in 0..100), its linear RGB is the output's.
    if (Lv !== lastL) {
      lastL = Lv;
      fy = (Lv + 16) / 116;
      yy = Lv > KAPPA * LAB_EPS ? fy * fy * fy : Lv / KAPPA;
    }
    if (!writeInGamut(Lv, fy, yy, a, b, rgb, o)) finishPixel(Lv, ab, x, rgb, o); // 3. out of gamut: the fit
    M[h + 3] = rgb[o] | (rgb[o + 1] << 8) | (rgb[o + 2] << 16);
    M[h + 4] = ab32[2 * x];
    M[h + 5] = ab32[2 * x + 1];
  }
  return hits;
}

/**
 * gamut.ts's test at constant L* for one pixel (fy, yy: the L*-only terms of L* Lv): when it is
 * inside (and L* in 0..100), writes its 8-bit sRGB at rgb[o] and returns true; else writes nothing.
 * The memo's loop calls it; the kernel (wasm/recombine-row.ts) does the same for its rows.
 */
function writeInGamut(Lv: number, fy: number, yy: number, a: number, b: number, rgb: Uint8Array, o: number): boolean {
  const fx = fy + a / 500, fz = fy - b / 200;
  const fx3 = fx * fx * fx, fz3 = fz * fz * fz;
  const X = (fx3 > LAB_EPS ? fx3 : (116 * fx - 16) / KAPPA) * XN;
  const Z = (fz3 > LAB_EPS ? fz3 : (116 * fz - 16) / KAPPA) * ZN;
  const r = M0 * X + M1 * yy + M2 * Z;
  const g = M3 * X + M4 * yy + M5 * Z;
  const bl = M6 * X + M7 * yy + M8 * Z;
  if (!(Lv >= 0 && Lv <= 100 && ((a === 0 && b === 0) || (r >= LO && r <= HI && g >= LO && g <= HI && bl >= LO && bl <= HI)))) return false;
  rgb[o] = linearToSrgb8(r);
  rgb[o + 1] = linearToSrgb8(g);
  rgb[o + 2] = linearToSrgb8(bl);
  return true;
}

// color/lab.ts's Lab -> 8-bit sRGB of one pixel (labToSrgb8At), the same arithmetic.
function writeSrgb8(Lv: number, a: number, b: number, out: Uint8Array, o: number): void {
  const fy = (Lv + 16) / 116;
  const fx = fy + a / 500;
  const fz = fy - b / 200;
  const fx3 = fx * fx * fx, fz3 = fz * fz * fz;
  const x = (fx3 > LAB_EPS ? fx3 : (116 * fx - 16) / KAPPA) * XN;
  const y = Lv > KAPPA * LAB_EPS ? fy * fy * fy : Lv / KAPPA;
  const z = (fz3 > LAB_EPS ? fz3 : (116 * fz - 16) / KAPPA) * ZN;
  out[o] = linearToSrgb8(M0 * x + M1 * y + M2 * z);
  out[o + 1] = linearToSrgb8(M3 * x + M4 * y + M5 * z);
  out[o + 2] = linearToSrgb8(M6 * x + M7 * y + M8 * z);
}
