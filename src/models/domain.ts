/**
 * A model's input domain, described compactly: statistics of simple lightness and texture
 * features of its training inputs (L* at the working size), stored in the model's metadata as
 * `medcolor.domain` (JSON, {@link DomainDescriptor}). An input whose features lie far from them
 * is outside what the model was trained on: the model method then warns `WARN_OUT_OF_DOMAIN`.
 * Browser-safe (no Node imports).
 *
 * Features of one L* plane (0..100): mean and spread of L*, five quantiles, the shares of near
 * black (< 5) and near white (> 95) pixels (as 10 * their square root, which evens out their
 * long tails), the histogram's entropy, mean gradient magnitude at full, 1/4 and 1/16 size, the
 * 90th percentile of the full-size gradient, the mean local standard deviation in 8x8 blocks,
 * and the layout: mean L* of the corners and of the centre, left-right asymmetry.
 *
 * Each feature is standardized by the training images' median and robust spread (with a floor
 * per feature). The descriptor keeps up to {@link MAX_PROTOTYPES} training images in that space;
 * the distance of an input is the root mean square (over the features) of its difference to the
 * k-th nearest of them (k = 3): a nearest-neighbour distance follows domains whose images form
 * several clusters (photographs of every kind) where a single mean and spread would not.
 */
import { MedcolorError } from '../errors.js';
import { META, parseMetadataJson } from './contract.js';
import { boxDownsample } from '../image/resize.js';

/** Version of the `medcolor.domain` JSON written by {@link describeDomain}. */
export const DOMAIN_FORMAT = 'medcolor-domain-v1';

/** Names of the features, in the order {@link computeDomainFeatures} returns them. */
export const DOMAIN_FEATURES = [
  'mean', 'std', 'p05', 'p25', 'p50', 'p75', 'p95', 'dark', 'bright', 'entropy',
  'grad', 'grad4', 'grad16', 'grad_p90', 'block_std', 'corners', 'center', 'mirror',
] as const;

/** Smallest spread per feature (its units: L*, shares, bits, L* per pixel): keeps z finite where the training set barely varies. */
const SPREAD_FLOOR = [2, 2, 2, 2, 2, 2, 2, 0.5, 0.5, 0.1, 0.2, 0.2, 0.2, 0.4, 0.3, 2, 2, 1];

/** Training images kept in a descriptor (evenly spaced over the training set). */
export const MAX_PROTOTYPES = 256;
/** The neighbour whose distance counts. */
const NEIGHBOUR = 3;

/** The `medcolor.domain` metadata entry of a model. */
export interface DomainDescriptor {
  format: typeof DOMAIN_FORMAT;
  /** The training inputs in words ("colonoscopy frames (Kvasir-SEG)"). */
  words: string;
  /** Feature names (= {@link DOMAIN_FEATURES}). */
  features: string[];
  /** Median of each feature over the training images. */
  center: number[];
  /** Robust spread of each feature (1.4826 * median absolute deviation, floored). */
  spread: number[];
  /** Standardized features of up to {@link MAX_PROTOTYPES} training images. */
  prototypes: number[][];
  /** Which nearest prototype's distance counts (3). */
  k: number;
  /** Inputs whose distance exceeds this warn. */
  threshold: number;
  /** Images the statistics come from, and the calibration images the threshold was set on. */
  images: number;
  calibration?: { images: number; quantile: number; warned: number };
}

/** How far one input is from a model's domain. */
export interface DomainCheck {
  distance: number;
  threshold: number;
  outside: boolean;
  words: string;
}

/**
 * The features of one L* plane (0..100), as listed in {@link DOMAIN_FEATURES}.
 *
 * @example
 * computeDomainFeatures(L, 256, 256)[0]; // mean L*
 */
export function computeDomainFeatures(L: Float32Array, width: number, height: number): number[] {
  const n = width * height;
  if (L.length !== n || n === 0) {
    throw new MedcolorError('ERR_BAD_INPUT', `domain features need ${width}x${height} L* values; found ${L.length}`);
  }
  // Histogram at 1/4 L* steps for the quantiles and the entropy (64 bins).
  const fine = new Float64Array(401);
  let sum = 0, sum2 = 0, dark = 0, bright = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.min(100, Math.max(0, L[i]));
    sum += v;
    sum2 += v * v;
    if (v < 5) dark++;
    if (v > 95) bright++;
    fine[Math.round(v * 4)]++;
  }
  const mean = sum / n;
  const std = Math.sqrt(Math.max(0, sum2 / n - mean * mean));
  const quantile = (q: number): number => {
    const target = q * n;
    let acc = 0;
    for (let b = 0; b < fine.length; b++) {
      acc += fine[b];
      if (acc >= target) return b / 4;
    }
    return 100;
  };
  const coarse = new Float64Array(64);
  for (let b = 0; b < fine.length; b++) coarse[Math.min(63, Math.floor((b / 4 / 100) * 64))] += fine[b];
  let entropy = 0;
  for (const c of coarse) if (c > 0) entropy -= (c / n) * Math.log2(c / n);
  const g = gradientStats(L, width, height);
  const grad4 = downsampledGradient(L, width, height, 4);
  const grad16 = downsampledGradient(L, width, height, 16);
  return [
    mean, std, quantile(0.05), quantile(0.25), quantile(0.5), quantile(0.75), quantile(0.95),
    10 * Math.sqrt(dark / n), 10 * Math.sqrt(bright / n), entropy, g.mean, grad4, grad16, g.p90, blockStd(L, width, height, 8),
    ...layout(L, width, height),
  ];
}

/**
 * Where the light is: mean L* of the four corners (each 1/8 of the sides), of the central
 * half, and the mean difference between the image and its left-right mirror at 1/8 size
 * (round fields of view and centred anatomy are symmetric, photographs rarely).
 */
function layout(L: Float32Array, w: number, h: number): [number, number, number] {
  const mean = (x0: number, y0: number, x1: number, y1: number): number => {
    let s = 0, c = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++, c++) s += L[y * w + x];
    return c ? s / c : 0;
  };
  const cw = Math.max(1, w >> 3), ch = Math.max(1, h >> 3);
  const corners = (mean(0, 0, cw, ch) + mean(w - cw, 0, w, ch) + mean(0, h - ch, cw, h) + mean(w - cw, h - ch, w, h)) / 4;
  const center = mean(w >> 2, h >> 2, w - (w >> 2), h - (h >> 2));
  const small = boxDownsample(L, w, h, 1, 8, 8);
  let diff = 0;
  for (let y = 0; y < small.height; y++) {
    for (let x = 0; x < small.width; x++) diff += Math.abs(small.data[y * small.width + x] - small.data[y * small.width + small.width - 1 - x]);
  }
  return [corners, center, diff / (small.width * small.height)];
}

/** Mean and 90th percentile of the central-difference gradient magnitude. */
function gradientStats(L: Float32Array, w: number, h: number): { mean: number; p90: number } {
  if (w < 3 || h < 3) return { mean: 0, p90: 0 };
  const hist = new Float64Array(1001); // 0.1 L*/px steps up to 100
  let sum = 0, count = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx = (L[i + 1] - L[i - 1]) / 2, gy = (L[i + w] - L[i - w]) / 2;
      const m = Math.sqrt(gx * gx + gy * gy);
      sum += m;
      hist[Math.min(1000, Math.round(m * 10))]++;
      count++;
    }
  }
  let acc = 0, p90 = 100;
  for (let b = 0; b < hist.length; b++) {
    acc += hist[b];
    if (acc >= 0.9 * count) {
      p90 = b / 10;
      break;
    }
  }
  return { mean: sum / count, p90 };
}

/** Mean gradient magnitude after box-downsampling by `factor` (coarse texture, per source pixel). */
function downsampledGradient(L: Float32Array, w: number, h: number, factor: number): number {
  const small = boxDownsample(L, w, h, 1, factor, factor);
  return gradientStats(small.data, small.width, small.height).mean / factor;
}

/** Mean standard deviation of L* in non-overlapping blocks of `b` x `b` pixels. */
function blockStd(L: Float32Array, w: number, h: number, b: number): number {
  let total = 0, blocks = 0;
  for (let by = 0; by + b <= h; by += b) {
    for (let bx = 0; bx + b <= w; bx += b) {
      let s = 0, s2 = 0;
      for (let y = by; y < by + b; y++) {
        for (let x = bx; x < bx + b; x++) {
          const v = L[y * w + x];
          s += v;
          s2 += v * v;
        }
      }
      const m = s / (b * b);
      total += Math.sqrt(Math.max(0, s2 / (b * b) - m * m));
      blocks++;
    }
  }
  return blocks ? total / blocks : 0;
}

/** Median of a list (not modified). */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The q-quantile (0..1) of a list, linear between order statistics. */
export function quantileOf(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = q * (s.length - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Options of {@link describeDomain}. */
export interface DescribeDomainOptions {
  /** The training inputs in words. */
  words: string;
  /** Feature vectors of held-out images of the same domain (the val split) to set the threshold on. */
  calibration?: number[][];
  /** Share of calibration images allowed to warn (default 0.03: the threshold is their 97th percentile). */
  allowed?: number;
  /** Never below this threshold (default 0.5). */
  minThreshold?: number;
}

/**
 * Describes a domain from the feature vectors of its training images; the threshold is the
 * larger of `minThreshold` and the (1 - allowed) quantile of the distances of the calibration
 * images (else of the training images themselves).
 *
 * @example
 * const d = describeDomain(trainFeatures, { words: 'retinal fundus photographs (DRIVE)', calibration: valFeatures });
 */
export function describeDomain(features: number[][], options: DescribeDomainOptions): DomainDescriptor {
  if (features.length < 2) {
    throw new MedcolorError('ERR_DATASET', `a domain needs at least 2 training images; found ${features.length}`);
  }
  const k = DOMAIN_FEATURES.length;
  const center: number[] = [], spread: number[] = [];
  for (let j = 0; j < k; j++) {
    const col = features.map((f) => f[j]);
    const c = median(col);
    center.push(round(c));
    spread.push(round(Math.max(SPREAD_FLOOR[j], 1.4826 * median(col.map((v) => Math.abs(v - c))))));
  }
  const step = Math.max(1, features.length / MAX_PROTOTYPES);
  const prototypes: number[][] = [];
  for (let p = 0; Math.floor(p) < features.length && prototypes.length < MAX_PROTOTYPES; p += step) {
    prototypes.push(standardize(center, spread, features[Math.floor(p)]).map((v) => Math.round(v * 1000) / 1000 || 0));
  }
  const partial: DomainDescriptor = {
    format: DOMAIN_FORMAT, words: options.words, features: [...DOMAIN_FEATURES], center, spread, prototypes,
    k: Math.min(NEIGHBOUR, prototypes.length), threshold: Infinity, images: features.length,
  };
  const allowed = options.allowed ?? 0.03;
  const cal = options.calibration?.length ? options.calibration : features;
  const distances = cal.map((f) => domainDistance(partial, f));
  const threshold = round(Math.max(options.minThreshold ?? 0.5, quantileOf(distances, 1 - allowed)));
  return {
    ...partial,
    threshold,
    calibration: { images: cal.length, quantile: 1 - allowed, warned: distances.filter((d) => d > threshold).length },
  };
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4 || 0;
}

function standardize(center: number[], spread: number[], features: number[]): number[] {
  return features.map((v, j) => (v - center[j]) / spread[j]);
}

/** Distance of a feature vector to the domain: RMS difference to the k-th nearest prototype, in standardized units. */
export function domainDistance(domain: DomainDescriptor, features: number[]): number {
  const z = standardize(domain.center, domain.spread, features);
  const d = domain.prototypes.map((p) => {
    let s = 0;
    for (let j = 0; j < z.length; j++) s += (z[j] - p[j]) ** 2;
    return Math.sqrt(s / z.length);
  }).sort((a, b) => a - b);
  return d[Math.min(domain.k, d.length) - 1];
}

/**
 * Reads a model's `medcolor.domain` metadata; undefined when the model has none.
 * A malformed entry -> MedcolorError 'ERR_MODEL_CONTRACT'.
 */
export function parseDomainDescriptor(value: string | undefined, file?: string): DomainDescriptor | undefined {
  if (value === undefined || value === '') return undefined;
  const d = parseMetadataJson(META.domain, value, file) as DomainDescriptor;
  const k = DOMAIN_FEATURES.length;
  const ok = d && d.format === DOMAIN_FORMAT && Array.isArray(d.center) && d.center.length === k && Array.isArray(d.spread) &&
    d.spread.length === k && d.spread.every((s) => typeof s === 'number' && s > 0) && Array.isArray(d.prototypes) &&
    d.prototypes.length > 0 && d.prototypes.every((p) => Array.isArray(p) && p.length === k) && Number.isInteger(d.k) && d.k >= 1 && typeof d.threshold === 'number' && d.threshold > 0 &&
    typeof d.words === 'string' && d.features?.join(',') === DOMAIN_FEATURES.join(',');
  if (!ok) {
    throw new MedcolorError('ERR_MODEL_CONTRACT',
      `metadata medcolor.domain must be ${DOMAIN_FORMAT} with ${k} features (${DOMAIN_FEATURES.join(', ')}), positive spreads and threshold; found ${value.slice(0, 120)}`,
      { file });
  }
  return d;
}

/**
 * How far an L* plane is from a domain.
 *
 * @example
 * const c = checkDomain(domain, L, 256, 256);
 * if (c.outside) console.warn(`distance ${c.distance} > ${c.threshold}: not ${c.words}`);
 */
export function checkDomain(domain: DomainDescriptor, L: Float32Array, width: number, height: number): DomainCheck {
  const distance = domainDistance(domain, computeDomainFeatures(L, width, height));
  return { distance, threshold: domain.threshold, outside: distance > domain.threshold, words: domain.words };
}
