/**
 * Small helpers shared by the classical methods: a seeded random generator, local statistics
 * of a planar image, the reference image as CIELAB, input checks. (Keeping a*b* inside the sRGB
 * gamut is color math: color/gamut.ts.)
 * Browser-safe (no Node built-ins).
 */
import { srgb8ToLab } from '../color/lab.js';
import { MedcolorError } from '../errors.js';
import type { RgbImage } from '../image/types.js';

export { createRng } from '../random.js';

/** A standard normal sample from two uniform draws (Box-Muller). */
export function sampleNormal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12), v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Local mean and standard deviation over a (2r+1) x (2r+1) window (clipped at the border),
 * computed with summed-area tables in O(pixels).
 *
 * @example
 * const { std } = computeLocalStats(L, 256, 256, 2); // 5x5 neighborhood std, as in Welsh et al.
 */
export function computeLocalStats(
  data: Float32Array,
  width: number,
  height: number,
  radius: number,
): { mean: Float32Array; std: Float32Array } {
  const w1 = width + 1;
  // Float64 tables: sums of squares over large images lose too much in float32.
  const s1 = new Float64Array(w1 * (height + 1));
  const s2 = new Float64Array(w1 * (height + 1));
  for (let y = 0; y < height; y++) {
    let r1 = 0, r2 = 0;
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x];
      r1 += v; r2 += v * v;
      const o = (y + 1) * w1 + x + 1;
      s1[o] = s1[o - w1] + r1;
      s2[o] = s2[o - w1] + r2;
    }
  }
  const mean = new Float32Array(width * height), std = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - radius), y1 = Math.min(height, y + radius + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - radius), x1 = Math.min(width, x + radius + 1);
      const n = (y1 - y0) * (x1 - x0);
      const a = y0 * w1 + x0, b = y0 * w1 + x1, c = y1 * w1 + x0, d = y1 * w1 + x1;
      const m = (s1[d] - s1[b] - s1[c] + s1[a]) / n;
      const v = (s2[d] - s2[b] - s2[c] + s2[a]) / n - m * m;
      mean[y * width + x] = m;
      std[y * width + x] = v > 0 ? Math.sqrt(v) : 0;
    }
  }
  return { mean, std };
}

/** Interleaved CIELAB of a reference image, checked for shape. */
export function referenceToLab(ref: RgbImage | undefined, method: string): Float32Array {
  if (!ref) {
    throw new MedcolorError('ERR_REFERENCE_REQUIRED',
      `method '${method}' needs options.reference (a color RgbImage); none was given`);
  }
  if (ref.data.length !== ref.width * ref.height * 3 || ref.width < 1 || ref.height < 1) {
    throw new MedcolorError('ERR_BAD_REFERENCE',
      `options.reference must be ${ref.width}x${ref.height}x3 = ${ref.width * ref.height * 3} bytes; found ${ref.data.length}`);
  }
  return srgb8ToLab(ref.data);
}

/** Checks that a ColorizeInput's L has width*height values. */
export function checkInput(width: number, height: number, L: Float32Array, method: string): void {
  if (!(width > 0 && height > 0) || L.length !== width * height) {
    throw new MedcolorError('ERR_BAD_INPUT',
      `method '${method}': expected L with width*height = ${width * height} values; found ${L.length} for ${width}x${height}`);
  }
}
