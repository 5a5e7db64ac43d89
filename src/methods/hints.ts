/**
 * Color hints for hint-taking models (Zhang et al., "Real-Time User-Guided Image Colorization
 * with Learned Deep Priors", SIGGRAPH 2017): a person's points or strokes with a color, turned
 * into the two hint planes the model takes (a*b* and a mask), and the simulation of such hints
 * from a ground-truth image that training and `medcolor eval` share. Browser-safe.
 *
 * Hints come in the formats `scribble` reads (see scribble.ts: a stroke list, its JSON text, or
 * an RGB image the size of the input with colored marks), in the pixel coordinates of a frame
 * (the full-size image); {@link rasterizeHints} maps them to the model's working size.
 *
 * Simulation (docs/hints.md), per image, from one seeded generator:
 * - the number of hints K: given (evaluation), or drawn from a geometric distribution on
 *   1, 2, ... with p = 1/8 (training; mean 8), as the paper does;
 * - each hint's center: a 2D Gaussian around the image center with sigma = size / 4 on each
 *   axis, rounded and clamped to the image;
 * - its side: uniform over 1..9 pixels (a square; even sides extend one pixel more to the
 *   right/bottom, as rasterizeStrokes draws them);
 * - its color: the mean true a*, b* over the pixels of that square.
 */
import { MedcolorError } from '../errors.js';
import type { RgbImage } from '../image/types.js';
import { AB_SCALE } from '../models/contract.js';
import { parseStrokes, rasterizeStrokes, type Stroke } from './scribble.js';
import { createRng, sampleNormal } from './util.js';
import { srgb8ToLab } from '../color/lab.js';

/** Hints as a person gives them, with the frame their coordinates refer to. */
export interface Hints {
  /** A stroke list, its JSON text, or an RGB image of the frame's size with colored marks. */
  strokes: Stroke[] | string | RgbImage;
  /** Size of the frame the coordinates are in (default: the size the hints are rasterized at). */
  width?: number;
  height?: number;
  /** Chroma above which a pixel of a hint image is a hint. Default 4 (as scribble). */
  threshold?: number;
  /** File the hints came from (for error messages). */
  file?: string;
  /**
   * Multi-frame input (volume slices, DICOM frames): the 0-based frame the hints were given on;
   * they then apply to the frames within `frameReach` of it only (pipeline/slice-consistency.ts).
   * Absent: every frame gets them.
   */
  frame?: number;
  /** Frames on each side of `frame` the hints reach. Default 3 (DEFAULT_HINT_FRAME_REACH). */
  frameReach?: number;
}

/** The model's hint inputs for one image, planar, at the working size. */
export interface HintPlanes {
  width: number;
  height: number;
  /** Planar a* then b* (2 * width * height) in CIELAB units, 0 where the mask is 0. */
  ab: Float32Array;
  /** 1 at hinted pixels, 0 elsewhere. */
  mask: Uint8Array;
}

function inFrame(strokes: Stroke[], w: number, h: number): void {
  strokes.forEach((s, i) => {
    for (const [x, y] of s.points) {
      if (!(x >= 0 && y >= 0 && x <= w - 1 && y <= h - 1)) {
        throw new MedcolorError('ERR_BAD_STROKES', `hint ${i}: point [${x}, ${y}] lies outside the ${w}x${h} image (expected 0 <= x <= ${w - 1}, 0 <= y <= ${h - 1})`);
      }
    }
  });
}

/**
 * Turns hints into the model's hint planes at `width` x `height`. Stroke coordinates and widths
 * are scaled from the hints' frame (full-size pixels) to this size; a hint image is reduced by
 * taking, for each working pixel, the mean a*b* of the hint pixels it covers. Points outside the
 * frame, invalid colors or a hint image of the wrong size are MedcolorError 'ERR_BAD_STROKES'.
 *
 * @example
 * const p = rasterizeHints({ strokes: [{ points: [[600, 400]], color: '#c04040' }], width: 1024, height: 768 }, 256, 256);
 */
export function rasterizeHints(hints: Hints, width: number, height: number): HintPlanes {
  try {
    return rasterizeIn(hints, width, height);
  } catch (e) {
    // Errors of the stroke parser and rasterizer name the hints file.
    if (e instanceof MedcolorError && hints.file && !e.file) throw new MedcolorError(e.code, e.message, { file: hints.file, cause: e });
    throw e;
  }
}

function rasterizeIn(hints: Hints, width: number, height: number): HintPlanes {
  const n = width * height;
  const out: HintPlanes = { width, height, ab: new Float32Array(2 * n), mask: new Uint8Array(n) };
  const src = hints.strokes;
  if (typeof src === 'string' || Array.isArray(src)) {
    const fw = hints.width ?? width, fh = hints.height ?? height;
    const strokes = typeof src === 'string' ? parseStrokes(src) : src;
    inFrame(strokes, fw, fh);
    const sx = width / fw, sy = height / fh;
    // Pixel centers: x in the frame covers [x, x+1); the same spot at the working size is (x+0.5)*s-0.5.
    const scaled = strokes.map((s) => ({
      ...s,
      points: s.points.map(([x, y]) => [(x + 0.5) * sx - 0.5, (y + 0.5) * sy - 0.5] as [number, number]),
      width: Math.max(1, (s.width ?? 3) * Math.min(sx, sy)),
    }));
    const r = rasterizeStrokes(scaled, width, height);
    out.mask.set(r.fixed);
    out.ab.set(r.a, 0);
    out.ab.set(r.b, n);
    return out;
  }
  const img = src;
  const fw = hints.width ?? img.width, fh = hints.height ?? img.height;
  if (img.width !== fw || img.height !== fh || img.data.length !== fw * fh * 3) {
    throw new MedcolorError('ERR_BAD_STROKES', `the hint image is ${img.width}x${img.height}; expected the input's size ${fw}x${fh} (RGB)`);
  }
  const lab = srgb8ToLab(img.data);
  const t2 = (hints.threshold ?? 4) ** 2;
  const sa = new Float64Array(n), sb = new Float64Array(n), cnt = new Uint32Array(n);
  for (let y = 0; y < fh; y++) {
    const ty = Math.min(height - 1, Math.floor((y * height) / fh));
    for (let x = 0; x < fw; x++) {
      const i = y * fw + x;
      const ca = lab[3 * i + 1], cb = lab[3 * i + 2];
      if (ca * ca + cb * cb <= t2) continue;
      const t = ty * width + Math.min(width - 1, Math.floor((x * width) / fw));
      sa[t] += ca; sb[t] += cb; cnt[t]++;
    }
  }
  for (let t = 0; t < n; t++) {
    if (!cnt[t]) continue;
    out.mask[t] = 1;
    out.ab[t] = sa[t] / cnt[t];
    out.ab[n + t] = sb[t] / cnt[t];
  }
  return out;
}

/** Options of {@link simulateHints}; defaults are the published recipe. */
export interface SimulateHintsOptions {
  /** Number of hints; default: drawn from the geometric distribution (training). */
  count?: number;
  /** Parameter of the geometric distribution of the count on 1, 2, ... Default 1/8. */
  p?: number;
  /** Smallest and largest square side in pixels. Default 1 and 9. */
  minSide?: number;
  maxSide?: number;
  /** Seed of the generator (ignored when `rand` is given). Default 1. */
  seed?: number;
  /** A generator to draw from (training passes its own stream). */
  rand?: () => number;
}

/** A draw from the geometric distribution on 1, 2, ... with success probability p. */
export function drawGeometric(rand: () => number, p: number): number {
  let k = 1;
  while (rand() >= p && k < 10_000) k++;
  return k;
}

/**
 * Simulated hints from a ground-truth chroma image (interleaved a*, b* at width x height), by the
 * recipe in the module comment. Returns square dot strokes with their {a, b} color, usable both
 * by the model (rasterizeHints) and by `scribble`, so both get exactly the same hints.
 *
 * @example
 * const hints = simulateHints(truthAb, 256, 256, { count: 10, seed: 3 });
 */
export function simulateHints(truthAb: Float32Array, width: number, height: number, options: SimulateHintsOptions = {}): Stroke[] {
  const rand = options.rand ?? createRng(options.seed ?? 1);
  const minS = Math.max(1, options.minSide ?? 1), maxS = Math.max(minS, options.maxSide ?? 9);
  const count = options.count ?? drawGeometric(rand, options.p ?? 1 / 8);
  const out: Stroke[] = [];
  for (let k = 0; k < count; k++) {
    const cx = Math.round(Math.min(width - 1, Math.max(0, width / 2 + (sampleNormal(rand) * width) / 4)));
    const cy = Math.round(Math.min(height - 1, Math.max(0, height / 2 + (sampleNormal(rand) * height) / 4)));
    const side = minS + Math.min(maxS - minS, Math.floor(rand() * (maxS - minS + 1)));
    // The same pixels as rasterizeStrokes' square pen of this side.
    const lo = -Math.floor((side - 1) / 2), hi = Math.ceil((side - 1) / 2);
    let sa = 0, sb = 0, cnt = 0;
    for (let y = Math.max(0, cy + lo); y <= Math.min(height - 1, cy + hi); y++) {
      for (let x = Math.max(0, cx + lo); x <= Math.min(width - 1, cx + hi); x++) {
        sa += truthAb[2 * (y * width + x)]; sb += truthAb[2 * (y * width + x) + 1]; cnt++;
      }
    }
    out.push({ points: [[cx, cy]], width: side, shape: 'square', color: { a: sa / cnt, b: sb / cnt } });
  }
  return out;
}

/**
 * Writes hint planes into a model batch at sample k: `hintAb` [N,2,H,W] holds a*b* / AB_SCALE at
 * hinted pixels (0 elsewhere), `hintMask` [N,1,H,W] the mask, as the model contract says.
 */
export function writeHintInputs(p: HintPlanes, k: number, hintAb: Float32Array, hintMask: Float32Array): void {
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    if (!p.mask[i]) continue;
    hintMask[k * n + i] = 1;
    hintAb[2 * k * n + i] = p.ab[i] / AB_SCALE;
    hintAb[(2 * k + 1) * n + i] = p.ab[n + i] / AB_SCALE;
  }
}
