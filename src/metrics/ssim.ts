/**
 * Structural similarity (Wang, Bovik, Sheikh, Simoncelli, IEEE TIP 13(4), 2004) with the
 * Gaussian window of the paper, computed exactly like
 * `skimage.metrics.structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=255, channel_axis=2)`:
 *
 * - window: Gaussian, sigma 1.5, truncated at radius r = round(3.5 * sigma) = 5 (11 taps),
 *   normalized to sum 1 (scipy.ndimage's kernel);
 * - local statistics with population (1/N) covariance; C1 = (K1 L)^2, C2 = (K2 L)^2 with
 *   K1 = 0.01, K2 = 0.03, L = data range;
 * - the SSIM map is averaged over the pixels whose full window lies inside the image (scikit-image
 *   filters with reflected borders, then crops r pixels on every side, so the border handling
 *   never reaches the average; here the border is simply never computed);
 * - multi-channel images: SSIM per channel, then the mean over channels.
 *
 * The filter is separable (rows, then columns) and runs in double precision. Browser-safe.
 */
import { MedcolorError } from '../errors.js';
import type { RgbImage } from '../image/types.js';

/** Options of {@link computeSsim}. */
export interface SsimOptions {
  /** Standard deviation of the Gaussian window in pixels. Default 1.5. */
  sigma?: number;
  /** Window radius in sigmas (scikit-image / scipy `truncate`). Default 3.5 (11-tap window at sigma 1.5). */
  truncate?: number;
  /** Luminance stabilizer K1. Default 0.01. */
  k1?: number;
  /** Contrast stabilizer K2. Default 0.03. */
  k2?: number;
  /** Dynamic range L of the values. Default 255 (8-bit). */
  dataRange?: number;
}

/** An interleaved image of any numeric type: `channels` values per pixel, row-major. */
export interface InterleavedImage {
  width: number;
  height: number;
  channels: number;
  data: ArrayLike<number>;
}

/** The normalized 1-D Gaussian of scipy.ndimage (radius = int(truncate * sigma + 0.5)). */
function gaussianKernel(sigma: number, truncate: number): Float64Array {
  const r = Math.floor(truncate * sigma + 0.5);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    k[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
    sum += k[i + r];
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * Mean SSIM of two 8-bit sRGB images of the same size (mean over R, G, B).
 * Returns 1 for identical images. Throws ERR_METRIC_SIZE_MISMATCH for different sizes and
 * ERR_METRIC_IMAGE_TOO_SMALL when a side is shorter than the window (11 px by default).
 *
 * @example
 * computeSsim(result, truth) // e.g. 0.948
 */
export function computeSsim(a: RgbImage, b: RgbImage, options: SsimOptions = {}): number {
  return computeSsimInterleaved({ ...a, channels: 3 }, { ...b, channels: 3 }, options);
}

/**
 * Mean SSIM of two interleaved images with any channel count and value type (e.g. a planar
 * L* image with `dataRange: 100`). The result is the mean over channels of each channel's SSIM.
 *
 * @example
 * computeSsimInterleaved({ width, height, channels: 1, data: L1 }, { width, height, channels: 1, data: L2 }, { dataRange: 100 })
 */
export function computeSsimInterleaved(a: InterleavedImage, b: InterleavedImage, options: SsimOptions = {}): number {
  const { sigma = 1.5, truncate = 3.5, k1 = 0.01, k2 = 0.03, dataRange = 255 } = options;
  const { width: W, height: H, channels: C } = a;
  if (b.width !== W || b.height !== H || b.channels !== C) {
    throw new MedcolorError(
      'ERR_METRIC_SIZE_MISMATCH',
      `SSIM: expected two images of the same size; found ${W}x${H}x${C} and ${b.width}x${b.height}x${b.channels}`,
    );
  }
  if (a.data.length !== W * H * C || b.data.length !== W * H * C) {
    throw new MedcolorError(
      'ERR_IMAGE_SIZE',
      `SSIM: expected ${W * H * C} values for ${W}x${H}x${C}; found ${a.data.length} and ${b.data.length}`,
    );
  }
  if (!(sigma > 0) || !(truncate > 0) || !(dataRange > 0)) {
    throw new MedcolorError(
      'ERR_METRIC_OPTION',
      `SSIM: sigma, truncate and dataRange must be positive; found sigma=${sigma}, truncate=${truncate}, dataRange=${dataRange}`,
    );
  }
  const k = gaussianKernel(sigma, truncate);
  const r = (k.length - 1) / 2;
  if (W < k.length || H < k.length) {
    throw new MedcolorError(
      'ERR_METRIC_IMAGE_TOO_SMALL',
      `SSIM: expected both sides >= ${k.length} px (the ${k.length}-tap window at sigma ${sigma}); found ${W}x${H}`,
    );
  }
  const c1 = (k1 * dataRange) ** 2;
  const c2 = (k2 * dataRange) ** 2;
  const ws = makeWorkspace(W, k.length);
  let total = 0;
  for (let c = 0; c < C; c++) total += ssimChannel(a.data, b.data, W, H, C, c, k, r, c1, c2, ws);
  return total / C;
}

/**
 * Work memory, reused for every channel: one image row of x, y, x^2, y^2, xy (p), and a ring of
 * the last 2r + 1 rows after the horizontal filter (h). Streaming rows through a ring keeps the
 * whole working set in cache (about 5 x 11 x W doubles) instead of ten full-image planes.
 */
interface Workspace {
  p: Float64Array[];
  h: Float64Array[];
}
function makeWorkspace(W: number, taps: number): Workspace {
  const Wv = W - (taps - 1);
  const p: Float64Array[] = [], h: Float64Array[] = [];
  for (let q = 0; q < 5; q++) { p.push(new Float64Array(W)); h.push(new Float64Array(taps * Wv)); }
  return { p, h };
}

/** SSIM of channel `c`, averaged over the valid region (full windows only, like scikit-image's crop). */
function ssimChannel(
  A: ArrayLike<number>, B: ArrayLike<number>, W: number, H: number, C: number, c: number,
  k: Float64Array, r: number, c1: number, c2: number, ws: Workspace,
): number {
  const taps = 2 * r + 1;
  const Wv = W - 2 * r; // valid columns: x in [r, W - r)
  const Hv = H - 2 * r; // valid rows: y in [r, H - r)
  const [px, py, pxx, pyy, pxy] = ws.p;
  const [hx, hy, hxx, hyy, hxy] = ws.h;
  const rows = new Int32Array(taps); // ring offsets of the rows y - 2r .. y
  const m = new Float64Array(5 * Wv); // column-filtered moments of one output row
  let sum = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0, j = y * W * C + c; x < W; x++, j += C) {
      const va = A[j], vb = B[j];
      px[x] = va; py[x] = vb; pxx[x] = va * va; pyy[x] = vb * vb; pxy[x] = va * vb;
    }
    const slot = (y % taps) * Wv;
    filterRow(px, hx, slot, Wv, k, r);
    filterRow(py, hy, slot, Wv, k, r);
    filterRow(pxx, hxx, slot, Wv, k, r);
    filterRow(pyy, hyy, slot, Wv, k, r);
    filterRow(pxy, hxy, slot, Wv, k, r);
    if (y < taps - 1) continue;
    for (let t = 0; t < taps; t++) rows[t] = ((y - 2 * r + t) % taps) * Wv;
    filterColumns(hx, m, 0, rows, Wv, k, r);
    filterColumns(hy, m, Wv, rows, Wv, k, r);
    filterColumns(hxx, m, 2 * Wv, rows, Wv, k, r);
    filterColumns(hyy, m, 3 * Wv, rows, Wv, k, r);
    filterColumns(hxy, m, 4 * Wv, rows, Wv, k, r);
    for (let x = 0; x < Wv; x++) {
      sum += ssimAt(m[x], m[Wv + x], m[2 * Wv + x], m[3 * Wv + x], m[4 * Wv + x], c1, c2);
    }
  }
  return sum / (Wv * Hv);
}

/** SSIM from the local moments E[x], E[y], E[x^2], E[y^2], E[xy] (population covariance). */
function ssimAt(mx: number, my: number, mxx: number, myy: number, mxy: number, c1: number, c2: number): number {
  const vx = mxx - mx * mx;
  const vy = myy - my * my;
  const vxy = mxy - mx * my;
  return ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
}

// The kernel is symmetric (k[r - t] = k[r + t]), so each output costs r + 1 multiplies. The
// default window (r = 5) has unrolled paths: V8 does not unroll the tap loop, whose overhead was
// most of the time (about 2x on a 512x512 RGB pair).

/** Horizontal filter of one row at the valid columns, into dst[o .. o + Wv). */
function filterRow(src: Float64Array, dst: Float64Array, o: number, Wv: number, k: Float64Array, r: number): void {
  const kc = k[r];
  if (r === 5) {
    const k1 = k[6], k2 = k[7], k3 = k[8], k4 = k[9], k5 = k[10];
    for (let x = 0, c = 5; x < Wv; x++, c++) {
      dst[o + x] = kc * src[c]
        + k1 * (src[c - 1] + src[c + 1]) + k2 * (src[c - 2] + src[c + 2]) + k3 * (src[c - 3] + src[c + 3])
        + k4 * (src[c - 4] + src[c + 4]) + k5 * (src[c - 5] + src[c + 5]);
    }
    return;
  }
  for (let x = 0; x < Wv; x++) {
    const c = x + r;
    let s = kc * src[c];
    for (let t = 1; t <= r; t++) s += k[r + t] * (src[c - t] + src[c + t]);
    dst[o + x] = s;
  }
}

/** Vertical filter over the ring rows (rows[t] = offset of row y - 2r + t), into dst[o .. o + Wv). */
function filterColumns(src: Float64Array, dst: Float64Array, o: number, rows: Int32Array, Wv: number, k: Float64Array, r: number): void {
  const kc = k[r];
  if (r === 5) {
    const k1 = k[6], k2 = k[7], k3 = k[8], k4 = k[9], k5 = k[10];
    const r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3], r4 = rows[4], r5 = rows[5];
    const r6 = rows[6], r7 = rows[7], r8 = rows[8], r9 = rows[9], r10 = rows[10];
    for (let x = 0; x < Wv; x++) {
      dst[o + x] = kc * src[r5 + x]
        + k1 * (src[r4 + x] + src[r6 + x]) + k2 * (src[r3 + x] + src[r7 + x]) + k3 * (src[r2 + x] + src[r8 + x])
        + k4 * (src[r1 + x] + src[r9 + x]) + k5 * (src[r0 + x] + src[r10 + x]);
    }
    return;
  }
  const ctr = rows[r];
  for (let x = 0; x < Wv; x++) dst[o + x] = kc * src[ctr + x];
  for (let t = 1; t <= r; t++) {
    const w = k[r + t];
    const up = rows[r - t], down = rows[r + t];
    for (let x = 0; x < Wv; x++) dst[o + x] += w * (src[up + x] + src[down + x]);
  }
}
