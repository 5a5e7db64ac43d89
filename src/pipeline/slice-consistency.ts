/**
 * Colors that stay consistent across the slices of a volume (NIfTI) or the frames of a
 * multi-frame DICOM, and the rule by which hints given on one slice reach its neighbors.
 * Browser-safe.
 *
 * A 2D colorizer sees each slice alone, so the same tissue can change color from one slice to
 * the next although its lightness hardly changes (flicker). {@link smoothChromaAcrossSlices}
 * replaces every pixel's a*b* by a weighted mean of the a*b* at the same pixel in the slices
 * t-r..t+r, a joint bilateral filter along the slice axis:
 *
 *   w_k(p) = exp(-k^2 / (2 sigma_s^2)) * exp(-(L_{t+k}(p) - L_t(p))^2 / (2 sigma_L^2))
 *
 * (defaults r = 2, sigma_s = 1 slice, sigma_L = 6 L*): where the structure continues (similar
 * L*) the colors agree, where the lightness changes (another tissue) the colors may change too.
 * L* itself is never touched. {@link measureSliceFlicker} gives the figure this is judged by:
 * the mean chroma change between adjacent slices beside the mean change of L* between them.
 *
 * Hints on a volume ({@link hintedFrames}): hints given with `frame: s` (the slice they were
 * painted on) apply, at the same pixel positions, to the slices s-R..s+R (R = `frameReach`,
 * default {@link DEFAULT_HINT_FRAME_REACH}); the other slices are colorized without them. The
 * smoothing above then carries the hinted colors a little further and softens the step at the
 * edge of the reach. Hints without `frame` apply to every frame, as for a single image.
 */
import type { Plane } from '../image/types.js';

/** Slices on each side of the hinted slice that hints given on it reach. */
export const DEFAULT_HINT_FRAME_REACH = 3;

/** Options of {@link smoothChromaAcrossSlices}. */
export interface SliceSmoothingOptions {
  /** Slices on each side (r). Default 2. */
  radius?: number;
  /** Gaussian sigma along the slice axis, in slices. Default 1. */
  sigmaSlices?: number;
  /** Gaussian sigma of the L* difference, in L* units. Default 6. */
  sigmaL?: number;
}

/**
 * Smooths a*b* along the slice axis, weighted by slice distance and L* similarity (module
 * comment). `L[t]` are the slices' L* planes, `ab[t]` their interleaved a*b*, all of one size.
 * Returns new a*b* arrays (the inputs are not changed).
 *
 * @example
 * const smoothed = smoothChromaAcrossSlices(outs.map((o) => o.L.data), outs.map((o) => o.ab), width, height);
 */
export function smoothChromaAcrossSlices(L: Float32Array[], ab: Float32Array[], width: number, height: number, options: SliceSmoothingOptions = {}): Float32Array[] {
  const r = options.radius ?? 2, ss = options.sigmaSlices ?? 1, sl = options.sigmaL ?? 6;
  const n = width * height, T = L.length;
  const gs = Array.from({ length: r + 1 }, (_, k) => Math.exp(-(k * k) / (2 * ss * ss)));
  const kL = 1 / (2 * sl * sl);
  return ab.map((_, t) => {
    const out = new Float32Array(2 * n), Lt = L[t];
    const lo = Math.max(0, t - r), hi = Math.min(T - 1, t + r);
    for (let i = 0; i < n; i++) {
      let sw = 0, sa = 0, sb = 0;
      for (let u = lo; u <= hi; u++) {
        const d = L[u][i] - Lt[i];
        const w = gs[Math.abs(u - t)] * Math.exp(-d * d * kL);
        sw += w; sa += w * ab[u][2 * i]; sb += w * ab[u][2 * i + 1];
      }
      out[2 * i] = sa / sw; out[2 * i + 1] = sb / sw;
    }
    return out;
  });
}

/** What {@link measureSliceFlicker} returns: means over all pixels of all adjacent slice pairs. */
export interface SliceFlicker {
  /** Mean |(a*, b*)_{t+1} - (a*, b*)_t| (Euclidean, CIELAB units). */
  chromaChange: number;
  /** Mean |L*_{t+1} - L*_t|. */
  lightnessChange: number;
  /** chromaChange / lightnessChange: chroma change per unit of lightness change. */
  ratio: number;
  /** Adjacent pairs measured. */
  pairs: number;
}

/**
 * The mean chroma change between adjacent slices beside the mean change of L* between them,
 * over every pixel (optionally only pixels with `mask`, e.g. inside the body: L* > 5 in both).
 *
 * @example
 * const f = measureSliceFlicker(outs.map((o) => o.L), outs.map((o) => o.ab));
 */
export function measureSliceFlicker(L: Plane[], ab: Float32Array[], minL = 5): SliceFlicker {
  let dc = 0, dl = 0, count = 0;
  for (let t = 0; t + 1 < L.length; t++) {
    const a = L[t].data, b = L[t + 1].data, x = ab[t], y = ab[t + 1];
    for (let i = 0; i < a.length; i++) {
      if (a[i] <= minL && b[i] <= minL) continue; // background of both slices
      dl += Math.abs(b[i] - a[i]);
      dc += Math.hypot(y[2 * i] - x[2 * i], y[2 * i + 1] - x[2 * i + 1]);
      count++;
    }
  }
  const chromaChange = count ? dc / count : 0, lightnessChange = count ? dl / count : 0;
  return { chromaChange, lightnessChange, ratio: lightnessChange > 0 ? chromaChange / lightnessChange : 0, pairs: Math.max(0, L.length - 1) };
}

/**
 * Whether frame `t` gets hints given on frame `hintFrame` (module comment): always when the
 * hints name no frame, else when |t - hintFrame| <= reach.
 *
 * @example
 * hintedFrames(40)(43); // true (reach 3)
 * hintedFrames(40)(44); // false
 */
export function hintedFrames(hintFrame: number | undefined, reach = DEFAULT_HINT_FRAME_REACH): (t: number) => boolean {
  return (t) => hintFrame === undefined || Math.abs(t - hintFrame) <= reach;
}
