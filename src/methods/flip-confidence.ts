/**
 * The regression model's per-pixel confidence, by test-time augmentation: the model is run on
 * the image and on its left-right and top-bottom mirror images (hints mirrored with them), the
 * mirrored predictions are mirrored back, and at each pixel the spread of the three a*b*
 * predictions (root mean square distance to their mean, in CIELAB units) becomes
 * confidence = exp(-spread / {@link FLIP_SPREAD_SCALE}): 1 where the three agree exactly, 0.37
 * where they spread by 4 units, near 0 beyond 15. A network that has learned what a structure's
 * color is predicts it wherever the structure is; where its colors depend on where things are in
 * the frame (a guess), the mirror images disagree. Costs two extra model runs per image, so it
 * is computed only when asked. Browser-safe.
 */
import type { HintPlanes } from './hints.js';

/** Spread of the mirrored predictions (a*b* units) at which confidence is 1/e. */
export const FLIP_SPREAD_SCALE = 4;

/** The mirror images used: left-right, top-bottom. */
export const FLIPS = ['horizontal', 'vertical'] as const;
export type Flip = (typeof FLIPS)[number];

/** Index of the pixel that (x, y) maps to under a flip (its own inverse). */
function flipIndex(flip: Flip, x: number, y: number, w: number, h: number): number {
  return flip === 'horizontal' ? y * w + (w - 1 - x) : (h - 1 - y) * w + x;
}

/** A planar image of `channels` planes mirrored. */
export function flipPlanar(data: Float32Array | Uint8Array, w: number, h: number, channels: number, flip: Flip): typeof data {
  const out = new (data.constructor as Float32ArrayConstructor | Uint8ArrayConstructor)(data.length);
  const hw = w * h;
  for (let c = 0; c < channels; c++) {
    const o = c * hw;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[o + flipIndex(flip, x, y, w, h)] = data[o + y * w + x];
  }
  return out;
}

/** Interleaved a*b* mirrored (the inverse of mirroring the input). */
export function flipInterleavedAb(ab: Float32Array, w: number, h: number, flip: Flip): Float32Array {
  const out = new Float32Array(ab.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = y * w + x, d = flipIndex(flip, x, y, w, h);
      out[2 * d] = ab[2 * s];
      out[2 * d + 1] = ab[2 * s + 1];
    }
  }
  return out;
}

/** Hint planes mirrored. */
export function flipHints(h: HintPlanes, flip: Flip): HintPlanes {
  return {
    width: h.width,
    height: h.height,
    ab: flipPlanar(h.ab, h.width, h.height, 2, flip) as Float32Array,
    mask: flipPlanar(h.mask, h.width, h.height, 1, flip) as Uint8Array,
  };
}

/**
 * Confidence from predictions of the same pixels (interleaved a*b*, already mirrored back):
 * exp(-RMS distance to their mean / FLIP_SPREAD_SCALE).
 *
 * @example
 * const c = agreementConfidence([ab, abFromHFlip, abFromVFlip], 256 * 256);
 */
export function agreementConfidence(predictions: Float32Array[], pixels: number): Float32Array {
  return predictionSpread(predictions, pixels).map((s) => Math.exp(-s / FLIP_SPREAD_SCALE));
}

/**
 * Per pixel, the RMS distance (a*b* units) of predictions of the same pixels (interleaved a*b*)
 * to their mean.
 */
export function predictionSpread(predictions: Float32Array[], pixels: number): Float32Array {
  const k = predictions.length;
  const out = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    let ma = 0, mb = 0;
    for (const p of predictions) {
      ma += p[2 * i];
      mb += p[2 * i + 1];
    }
    ma /= k;
    mb /= k;
    let s = 0;
    for (const p of predictions) s += (p[2 * i] - ma) ** 2 + (p[2 * i + 1] - mb) ** 2;
    out[i] = Math.sqrt(s / k);
  }
  return out;
}
