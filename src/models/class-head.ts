/**
 * The classification head (Zhang et al., ECCV 2016): logits over the quantized a*b* bins
 * (color/ab-bins.ts) from the U-Net's last decoder features, average-pooled by `stride` first
 * (the paper predicts at 1/4 of the input's resolution; chroma is smooth, and the logits of Q
 * bins at full resolution would cost Q/2 times the memory of a*b*). A 1x1 convolution named
 * `logits` (so a warm start from a regression model starts it fresh). Its target is the soft
 * encoding of the true a*b* at the same resolution, weighted by class rebalancing
 * (color/ab-soft-encode.ts, color/ab-rebalance.ts); the loss is the soft cross-entropy
 * (nn/losses.ts).
 */
import type { Tensor } from '../nn/ir.js';
import { avgPool, conv2d } from '../nn/layers.js';
import type { BuildContext } from '../nn/params.js';

/** Default downsampling of the classification head (the logits are at 1/stride of the input). */
export const DEFAULT_CLASS_STRIDE = 2;

/** Parameter prefix of the classification head. */
export const CLASS_HEAD_PREFIX = 'logits.';

/**
 * Logits [N, bins, H/stride, W/stride] from decoder features [N, C, H, W] (H, W divisible by stride).
 *
 * @example
 * const logits = classHeadLogits(ctx, unetFeatures(ctx, L, unet), 262, 2);
 */
export function classHeadLogits(ctx: BuildContext, features: Tensor, bins: number, stride = DEFAULT_CLASS_STRIDE): Tensor {
  const [, , h, w] = features.shape;
  if (h % stride || w % stride) throw new Error(`classification head: features ${h}x${w} must be divisible by the stride ${stride}`);
  const x = stride > 1 ? avgPool(ctx, features, stride) : features;
  return conv2d(ctx, 'logits', x, { out: bins, k: 1 });
}
