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
import { avgPool, concat, conv2d, convBnAct, convTranspose2d, globalAvgPool, linear, type Conv2dOptions } from '../nn/layers.js';
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
  /**
   * BatchNorm after each 3x3 convolution (default true). Without it each convolution has a bias:
   * the layout of an exported (BatchNorm-folded) model, so such a model's weights can be loaded
   * back and trained further (models/warm-start.ts).
   */
  batchNorm?: boolean;
  /**
   * Guide planes (a hint-taking model's hint a*b* and mask) enter every level: concatenated to the
   * input of each encoder and decoder convolution, average-pooled to its resolution, after the
   * level's own features (so an exported model without them loads with zero weights for them).
   * Gives every scale direct access to sparse hints instead of only the first layer. Default false.
   */
  guided?: boolean;
}

/** Number of channels at each encoder level. */
export function unetChannels(o: UNetOptions): number[] {
  const b = o.base ?? 32, depth = o.depth ?? 3;
  return Array.from({ length: depth + 1 }, (_, i) => b * 2 ** i);
}

/** Conv-BN-ReLU, or conv(+bias)-ReLU without BatchNorm (parameters `NAME.conv.weight`, `NAME.conv.bias`). */
function convBlock(ctx: BuildContext, name: string, x: Tensor, o: Conv2dOptions, batchNorm: boolean): Tensor {
  if (batchNorm) return convBnAct(ctx, name, x, o);
  return ctx.g.op1('Relu', [conv2d(ctx, `${name}.conv`, x, o)]);
}

/**
 * Builds the U-Net forward pass. `L` is [N,1,H,W] holding L* / 50 - 1; returns [N,2,H,W] in
 * (-1, 1) (a*b* divided by the model's ab scale). H and W must be divisible by 2^depth.
 *
 * @example
 * const ab = unetForward(ctx, L, { base: 32, globalContext: true });
 */
export function unetForward(ctx: BuildContext, L: Tensor, o: UNetOptions = {}, embedding?: Tensor, guide?: Tensor): Tensor {
  return unetForwardWithFeatures(ctx, L, o, embedding, guide).ab;
}

/** {@link unetForward}, also returning the last decoder features (the input of the 1x1 head). */
export function unetForwardWithFeatures(ctx: BuildContext, L: Tensor, o: UNetOptions = {}, embedding?: Tensor, guide?: Tensor): { ab: Tensor; features: Tensor } {
  const h = unetFeatures(ctx, L, o, embedding, guide);
  return { ab: ctx.g.op1('Tanh', [conv2d(ctx, 'head', h, { out: 2, k: 1 })]), features: h };
}

/** The U-Net without its a*b* head: the last decoder features [N,base,H,W] (input of the heads). */
export function unetFeatures(ctx: BuildContext, L: Tensor, o: UNetOptions = {}, embedding?: Tensor, guide?: Tensor): Tensor {
  const ch = unetChannels(o);
  const depth = ch.length - 1;
  const f = 2 ** depth;
  const bn = o.batchNorm ?? true;
  if (L.shape[2] % f || L.shape[3] % f) throw new Error(`U-Net: input ${L.shape[2]}x${L.shape[3]} must be divisible by ${f}`);
  // guides[i]: the guide planes at the resolution of level i (1/2^i).
  const guides: Tensor[] = [];
  if (o.guided) {
    if (!guide) throw new Error('U-Net: guided needs the guide planes');
    guides.push(guide);
    for (let i = 1; i <= depth; i++) guides.push(avgPool(ctx, guides[i - 1]));
  }
  const withGuide = (x: Tensor, level: number) => (o.guided ? concat(ctx, [x, guides[level]]) : x);
  const enc: Tensor[] = [];
  let h = convBlock(ctx, 'enc0', withGuide(L, 0), { out: ch[0] }, bn);
  enc.push(h);
  for (let i = 1; i <= depth; i++) {
    h = convBlock(ctx, `enc${i}`, withGuide(h, i - 1), { out: ch[i], stride: 2 }, bn);
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
    h = convBlock(ctx, `dec${i}`, withGuide(concat(ctx, [up, enc[i]]), i), { out: ch[i] }, bn);
  }
  return h;
}
