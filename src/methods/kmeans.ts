/**
 * `kmeans`: pseudo-coloring by intensity clustering, in the spirit of Juang et al. 2010
 * ("MRI brain lesion image detection based on color-converted K-means clustering segmentation").
 * Browser-safe (no Node built-ins).
 *
 * 1. Features per pixel: L* and, when `textureWeight` > 0, textureWeight * (standard deviation of
 *    L* over a 5x5 neighborhood).
 * 2. k-means (k-means++ seeding, Lloyd iterations). With L* alone, on all pixels through a
 *    4096-bin weighted histogram; with the texture feature, on a seeded random subsample of at
 *    most `maxSamples` pixels. Then every pixel goes to its nearest center.
 * 3. K: `k` when given; otherwise automatic: K = 2..maxK are clustered and the K with the largest
 *    mean silhouette, computed on a seeded random subsample of 1000 pixels, wins.
 * 4. Class colors, by rank of the class mean L* (darkest class first):
 *    - with `options.reference`: the reference's L* is clustered into the same K classes (same
 *      features); target class of rank i takes the mean a*, b* of the reference class of rank i;
 *    - otherwise from a palette (`palette`, default 'hot-iron'): class of rank i takes entry
 *      round(255 * (i + 0.5) / K), its chroma scaled by (class mean L*) / (entry L*) as in
 *      `lut` preserve mode.
 *    Chroma is finally scaled toward gray where it would not be displayable at the pixel's L*.
 * Confidence: (d2 - d1) / (d2 + d1), d1, d2 the distances to the nearest and second nearest
 * centers (0 on a boundary between classes, 1 at a center).
 */
import { srgb8ToLab } from '../color/lab.js';
import { MedcolorError } from '../errors.js';
import type { ColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions } from './types.js';
import { getPalette, type Palette } from './palettes.js';
import { fitChromaToGamut } from '../color/gamut.js';
import { checkInput, computeLocalStats, createRng, referenceToLab } from './util.js';

/** Options of the `kmeans` method. */
export interface KmeansOptions extends MethodOptions {
  /** Number of classes; automatic (silhouette over 2..maxK) when omitted. */
  k?: number;
  /** Largest K tried by the automatic choice. Default 8. */
  maxK?: number;
  /** Weight of the 5x5 local deviation feature; 0 (default) clusters on L* alone. */
  textureWeight?: number;
  /** Palette for class colors when there is no reference. Default 'hot-iron'. */
  palette?: string | Palette;
  /** Pixels used to fit the centers when the texture feature is on. Default 20000. */
  maxSamples?: number;
  /** Seed of subsampling and k-means++. Default 1. */
  seed?: number;
}

/** Result of clusterFeatures. */
export interface Clustering {
  k: number;
  /** k x dims centers, sorted by their first feature (L*) ascending. */
  centers: Float32Array;
  /** Class index per point (into the sorted centers). */
  labels: Uint8Array;
  /** (d2 - d1) / (d2 + d1) per point. */
  margin: Float32Array;
}

function dist2(f: Float32Array, i: number, c: Float32Array, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) { const v = f[i * d + t] - c[j * d + t]; s += v * v; }
  return s;
}

/**
 * Lloyd k-means with k-means++ seeding on points `f` (n x d), each with weight `w[i]` (1 when
 * absent). Returns unsorted centers.
 */
function lloyd(f: Float32Array, w: Float64Array | undefined, n: number, d: number, k: number, rand: () => number, iters = 100): Float32Array {
  const c = new Float32Array(k * d);
  const wt = (i: number): number => (w ? w[i] : 1);
  // k-means++: the first center by weight, each next one with probability weight * squared distance.
  let totalW = 0;
  for (let i = 0; i < n; i++) totalW += wt(i);
  let u = rand() * totalW, first = n - 1;
  for (let i = 0; i < n; i++) { u -= wt(i); if (u <= 0) { first = i; break; } }
  for (let t = 0; t < d; t++) c[t] = f[first * d + t];
  const dmin = new Float64Array(n).fill(Infinity);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const v = dist2(f, i, c, j - 1, d);
      if (v < dmin[i]) dmin[i] = v;
      total += wt(i) * dmin[i];
    }
    let r = rand() * total, pick = n - 1;
    for (let i = 0; i < n; i++) { r -= wt(i) * dmin[i]; if (r <= 0) { pick = i; break; } }
    for (let t = 0; t < d; t++) c[j * d + t] = f[pick * d + t];
  }
  const lab = new Int32Array(n).fill(-1);
  const sum = new Float64Array(k * d), cnt = new Float64Array(k);
  for (let it = 0; it < iters; it++) {
    let changed = 0;
    sum.fill(0); cnt.fill(0);
    for (let i = 0; i < n; i++) {
      let best = 0, bd = Infinity;
      for (let j = 0; j < k; j++) { const v = dist2(f, i, c, j, d); if (v < bd) { bd = v; best = j; } }
      if (lab[i] !== best) { lab[i] = best; changed++; }
      const wi = wt(i);
      cnt[best] += wi;
      for (let t = 0; t < d; t++) sum[best * d + t] += wi * f[i * d + t];
    }
    for (let j = 0; j < k; j++) {
      if (cnt[j] > 0) for (let t = 0; t < d; t++) c[j * d + t] = sum[j * d + t] / cnt[j];
    }
    if (changed === 0) break;
  }
  return c;
}

function assign(f: Float32Array, n: number, d: number, c: Float32Array, k: number): { labels: Uint8Array; margin: Float32Array } {
  const labels = new Uint8Array(n), margin = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let b1 = 0, d1 = Infinity, d2 = Infinity;
    for (let j = 0; j < k; j++) {
      const v = dist2(f, i, c, j, d);
      if (v < d1) { d2 = d1; d1 = v; b1 = j; } else if (v < d2) d2 = v;
    }
    labels[i] = b1;
    const s1 = Math.sqrt(d1), s2 = Math.sqrt(d2);
    margin[i] = k === 1 || s1 + s2 === 0 ? 1 : (s2 - s1) / (s2 + s1);
  }
  return { labels, margin };
}

/** Mean silhouette of points `f` (n x d) with labels. */
function silhouette(f: Float32Array, n: number, d: number, labels: Uint8Array, k: number): number {
  const sums = new Float64Array(k), cnts = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0); cnts.fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) { const v = f[i * d + t] - f[j * d + t]; s += v * v; }
      sums[labels[j]] += Math.sqrt(s); cnts[labels[j]]++;
    }
    const own = labels[i];
    if (cnts[own] === 0) continue; // singleton: silhouette 0
    const a = sums[own] / cnts[own];
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && cnts[c] > 0) b = Math.min(b, sums[c] / cnts[c]);
    if (b === Infinity) continue;
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

/** `count` distinct indices of 0..n-1, seeded (partial Fisher-Yates). */
function sampleIndices(n: number, count: number, rand: () => number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
  }
  return idx.subarray(0, count);
}

/** Options of clusterFeatures. */
export interface ClusterOptions { k?: number; maxK?: number; maxSamples?: number; seed?: number }

/**
 * k-means of n points of d features (interleaved), with automatic K by silhouette when `k` is
 * not given. Centers are sorted by the first feature.
 *
 * @example
 * const { k, labels } = clusterFeatures(L, L.length, 1, { seed: 3 }); // K chosen automatically
 */
export function clusterFeatures(f: Float32Array, n: number, d: number, options: ClusterOptions = {}): Clustering {
  const rand = createRng(options.seed ?? 1);
  const maxSamples = Math.max(10, options.maxSamples ?? 20000);
  // Points the centers are fitted to: for one feature, all pixels as a 4096-bin weighted
  // histogram (exact up to 1/4096 of the range, at a cost independent of the image size);
  // otherwise a seeded random subsample of at most maxSamples pixels.
  let fit: Float32Array, fitW: Float64Array | undefined, m: number;
  if (d === 1) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) { const v = f[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
    const B = 4096, span = hi - lo || 1;
    const hs = new Float64Array(B), hc = new Float64Array(B);
    for (let i = 0; i < n; i++) {
      const b = Math.min(B - 1, Math.floor(((f[i] - lo) / span) * B));
      hs[b] += f[i]; hc[b]++;
    }
    let used = 0;
    for (let b = 0; b < B; b++) if (hc[b] > 0) used++;
    fit = new Float32Array(used); fitW = new Float64Array(used); m = used;
    for (let b = 0, j = 0; b < B; b++) if (hc[b] > 0) { fit[j] = hs[b] / hc[b]; fitW[j] = hc[b]; j++; }
  } else {
    const idx = sampleIndices(n, Math.min(n, maxSamples), rand);
    m = idx.length;
    fit = new Float32Array(m * d);
    for (let i = 0; i < m; i++) for (let q = 0; q < d; q++) fit[i * d + q] = f[idx[i] * d + q];
  }
  let k = options.k;
  let centers: Float32Array;
  if (k !== undefined) {
    if (!(Number.isInteger(k) && k >= 1 && k <= 255)) {
      throw new MedcolorError('ERR_BAD_OPTION', `kmeans: k must be an integer in 1..255; found ${k}`);
    }
    centers = lloyd(fit, fitW, m, d, k, rand);
  } else {
    const maxK = Math.min(options.maxK ?? 8, 255, m);
    // Silhouette on a seeded random subsample of 1000 pixels.
    const sIdx = sampleIndices(n, Math.min(n, 1000), rand);
    const sm = sIdx.length;
    const silF = new Float32Array(sm * d);
    for (let i = 0; i < sm; i++) for (let q = 0; q < d; q++) silF[i * d + q] = f[sIdx[i] * d + q];
    let bestScore = -Infinity;
    centers = new Float32Array(d);
    k = 1;
    for (let kk = 2; kk <= maxK; kk++) {
      const c = lloyd(fit, fitW, m, d, kk, rand);
      const { labels } = assign(silF, sm, d, c, kk);
      const score = silhouette(silF, sm, d, labels, kk);
      if (score > bestScore + 1e-6) { bestScore = score; centers = c; k = kk; }
    }
  }
  // Sort centers by L* (first feature).
  const order = Array.from({ length: k }, (_, j) => j).sort((p, q) => centers[p * d] - centers[q * d]);
  const sorted = new Float32Array(k * d);
  order.forEach((j, r) => { for (let t = 0; t < d; t++) sorted[r * d + t] = centers[j * d + t]; });
  const { labels, margin } = assign(f, n, d, sorted, k);
  return { k, centers: sorted, labels, margin };
}

function buildFeatures(L: Float32Array, width: number, height: number, tw: number): { f: Float32Array; d: number } {
  if (!(tw > 0)) return { f: L, d: 1 };
  const sd = computeLocalStats(L, width, height, 2).std;
  const f = new Float32Array(2 * L.length);
  for (let i = 0; i < L.length; i++) { f[2 * i] = L[i]; f[2 * i + 1] = tw * sd[i]; }
  return { f, d: 2 };
}

/**
 * Colors each intensity class (see module comment).
 *
 * @example
 * const r = await kmeansMethod.colorize({ width, height, L }, { k: 4, palette: 'jet' });
 */
export const kmeansMethod: ColorizationMethod = {
  name: 'kmeans',
  description: 'Juang et al. 2010: k-means intensity classes (optional texture), colors from a palette or a reference by class rank',
  async colorize(input: ColorizeInput, options: KmeansOptions = {}): Promise<ColorizeResult> {
    const { width, height, L } = input;
    checkInput(width, height, L, 'kmeans');
    const tw = options.textureWeight ?? 0;
    const { f, d } = buildFeatures(L, width, height, tw);
    const cl = clusterFeatures(f, L.length, d, options);
    const k = cl.k;
    const ca = new Float32Array(k), cb = new Float32Array(k);
    if (options.reference) {
      const ref = referenceToLab(options.reference, 'kmeans');
      const rw = options.reference.width, rh = options.reference.height;
      const refL = new Float32Array(rw * rh);
      for (let i = 0; i < refL.length; i++) refL[i] = ref[3 * i];
      const rf = buildFeatures(refL, rw, rh, tw);
      const rc = clusterFeatures(rf.f, refL.length, rf.d, { ...options, k });
      const sa = new Float64Array(k), sb = new Float64Array(k), cnt = new Float64Array(k);
      for (let i = 0; i < refL.length; i++) {
        const j = rc.labels[i];
        sa[j] += ref[3 * i + 1]; sb[j] += ref[3 * i + 2]; cnt[j]++;
      }
      for (let j = 0; j < k; j++) { ca[j] = cnt[j] ? sa[j] / cnt[j] : 0; cb[j] = cnt[j] ? sb[j] / cnt[j] : 0; }
    } else {
      const pal = typeof options.palette === 'object' ? options.palette : getPalette(options.palette ?? 'hot-iron');
      const lab = srgb8ToLab(pal.rgb);
      for (let j = 0; j < k; j++) {
        const e = Math.round((255 * (j + 0.5)) / k);
        const lp = lab[3 * e];
        const s = lp < 1 ? 0 : cl.centers[j * d] / lp;
        ca[j] = lab[3 * e + 1] * s;
        cb[j] = lab[3 * e + 2] * s;
      }
    }
    const ab = new Float32Array(2 * L.length);
    for (let i = 0; i < L.length; i++) { ab[2 * i] = ca[cl.labels[i]]; ab[2 * i + 1] = cb[cl.labels[i]]; }
    fitChromaToGamut(L, ab);
    return { width, height, ab, confidence: cl.margin };
  },
};
