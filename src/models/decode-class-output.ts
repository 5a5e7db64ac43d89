/**
 * A classification head's output for one image of a batch turned into a*b* and confidence at
 * the input's size: the logits [Q, h, w] of image k decoded per pixel (color/ab-decode.ts: mean
 * or annealed mean, entropy confidence), then upsampled bilinearly to width x height (the head
 * predicts at 1/stride of the input). Shared by inference (methods/model.ts) and validation.
 */
import { decodeAbLogits, type DecodeAbOptions } from '../color/ab-decode.js';
import { resizeBilinear } from '../image/resize.js';

/**
 * @param data the `ab_logits` output, [N, Q, h, w] row-major
 * @returns interleaved a*b* (2 per pixel) and planar confidence 0..1, at width x height
 *
 * @example
 * const { ab, confidence } = decodeClassOutput(out.ab_logits.data, 0, [1, 262, 128, 128], centers, 256, 256);
 */
export function decodeClassOutput(data: Float32Array, k: number, dims: readonly number[], centers: Float32Array, width: number, height: number, o: DecodeAbOptions = {}): { ab: Float32Array; confidence: Float32Array } {
  const [, q, h, w] = dims;
  const r = decodeAbLogits(data, k * q * h * w, h * w, centers, o);
  return { ab: resizeBilinear(r.ab, w, h, 2, width, height), confidence: resizeBilinear(r.confidence, w, h, 1, width, height) };
}
