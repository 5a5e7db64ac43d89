/**
 * The colorization U-Net: L* in, a*b* out (CIELAB), as in the encoder-decoder of the paper.
 * Encoder: 3x3 convolutions, stride 2 to downsample, each followed by BatchNorm and ReLU, `base`
 * filters in the first layer, doubling after each downsampling. Decoder: 4x4 stride-2 transposed
 * convolutions halving the filters, concatenated with the matching encoder features (skip
 * connections), then conv-BN-ReLU. Output: 1x1 conv, tanh, scaled to the a*b* range outside.
 *
 * Options add a global-context branch (pooled bottleneck features through two fully connected
 * layers, broadcast and fused into the bottleneck, as Iizuka et al. 2016) and a fusion layer for
 * an embedding from a pretrained encoder (as Deep Koalarization fuses Inception-ResNet-v2).
 * With `depth: 3` and neither option it is exactly the benchmark U-Net of shared/reference.
 */
import type { Tensor } from '../nn/ir.js';
import { concat, conv2d, convBnAct, convTranspose2d, globalAvgPool, linear } from '../nn/layers.js';
import type { BuildContext } from '../nn/params.js';

export interface UNetOptions {
  /** Filters of the first layer (default 32; the paper uses 64). */
  base?: number;
  /** Number of stride-2 downsamplings (default 3). */
  depth?: number;
  /** Add the global-context branch at the bottleneck (default false). */
  globalContext?: boolean;
  /** Width of an external embedding [N, E] fused at the bottleneck (default: none). */
  embeddingSize?: number;
}

/** Number of channels at each encoder level. */
export function unetChannels(o: UNetOptions): number[] {
  const b = o.base ?? 32, depth = o.depth ?? 3;
  return Array.from({ length: depth + 1 }, (_, i) => b * 2 ** i);
}

/**
 * Builds the U-Net forward pass. `L` is [N,1,H,W] holding L* / 50 - 1; returns [N,2,H,W] in
 * (-1, 1) (a*b* divided by the model's ab scale). H and W must be divisible by 2^depth.
 *
 * @example
 * const ab = unetForward(ctx, L, { base: 32, globalContext: true });
 */
export function unetForward(ctx: BuildContext, L: Tensor, o: UNetOptions = {}, embedding?: Tensor): Tensor {
  const ch = unetChannels(o);
  const depth = ch.length - 1;
  const f = 2 ** depth;
  if (L.shape[2] % f || L.shape[3] % f) throw new Error(`U-Net: input ${L.shape[2]}x${L.shape[3]} must be divisible by ${f}`);
  const enc: Tensor[] = [];
  let h = convBnAct(ctx, 'enc0', L, { out: ch[0] });
  enc.push(h);
  for (let i = 1; i <= depth; i++) {
    h = convBnAct(ctx, `enc${i}`, h, { out: ch[i], stride: 2 });
    enc.push(h);
  }
  const fuse: Tensor[] = [];
  const [, cb, hb, wb] = h.shape;
  // Batch-agnostic (Reshape keeps dim 0, Expand broadcasts it) so that exports can take any N.
  const broadcast = (v: Tensor) => ctx.g.op1('Expand', [ctx.g.op1('Reshape', [v, ctx.g.ints([0, v.shape[1], 1, 1])]), ctx.g.ints([1, v.shape[1], hb, wb])]);
  if (o.globalContext) {
    let gvec = globalAvgPool(ctx, h);
    gvec = ctx.g.op1('Relu', [linear(ctx, 'global.fc1', gvec, cb)]);
    gvec = ctx.g.op1('Relu', [linear(ctx, 'global.fc2', gvec, cb)]);
    fuse.push(broadcast(gvec));
  }
  if (embedding) {
    if (o.embeddingSize && embedding.shape[1] !== o.embeddingSize) throw new Error(`U-Net: embedding has ${embedding.shape[1]} features, expected ${o.embeddingSize}`);
    const e = ctx.g.op1('Relu', [linear(ctx, 'fusion.fc', embedding, cb)]);
    fuse.push(broadcast(e));
  }
  if (fuse.length) {
    h = ctx.g.op1('Relu', [conv2d(ctx, 'fusion.conv', concat(ctx, [h, ...fuse]), { out: cb, k: 1 })]);
  }
  for (let i = depth - 1; i >= 0; i--) {
    const up = convTranspose2d(ctx, `up${i}`, h, { out: ch[i] });
    h = convBnAct(ctx, `dec${i}`, concat(ctx, [up, enc[i]]), { out: ch[i] });
  }
  return ctx.g.op1('Tanh', [conv2d(ctx, 'head', h, { out: 2, k: 1 })]);
}
