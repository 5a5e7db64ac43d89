/**
 * PatchGAN discriminator (Isola et al. 2017) on (L, a*b*): 4x4 convolutions with stride 2 and
 * LeakyReLU(0.2), no normalization (so that, inside the generator's step, it has no state to
 * update), ending in one logit per overlapping patch.
 */
import type { Tensor } from '../nn/ir.js';
import { activation, concat, conv2d } from '../nn/layers.js';
import type { BuildContext } from '../nn/params.js';

export interface PatchGanOptions {
  /** Filters of the first layer (default 32). */
  base?: number;
  /** Stride-2 layers (default 3: 70x70-style receptive field at 4 layers total). */
  layers?: number;
}

/** Logits [N,1,h,w] for L [N,1,H,W] and a*b* [N,2,H,W] (both normalized). Parameters under `disc.`. */
export function patchGan(ctx: BuildContext, L: Tensor, ab: Tensor, o: PatchGanOptions = {}): Tensor {
  const base = o.base ?? 32, layers = o.layers ?? 3;
  let h = concat(ctx, [L, ab]);
  for (let i = 0; i < layers; i++) {
    h = activation(ctx, conv2d(ctx, `disc.c${i}`, h, { out: base * 2 ** i, k: 4, stride: 2, pad: 1 }), 'leaky_relu', 0.2);
  }
  h = activation(ctx, conv2d(ctx, `disc.c${layers}`, h, { out: base * 2 ** layers, k: 3, stride: 1, pad: 1 }), 'leaky_relu', 0.2);
  return conv2d(ctx, 'disc.out', h, { out: 1, k: 3, stride: 1, pad: 1 });
}

/** Mean of softplus(-x): the logistic loss of calling x "real". */
export function realLoss(ctx: BuildContext, logits: Tensor): Tensor {
  return ctx.g.op1('ReduceMean', [ctx.g.op1('Softplus', [ctx.g.op1('Neg', [logits])])], { keepdims: 0 });
}

/** Mean of softplus(x): the logistic loss of calling x "fake". */
export function fakeLoss(ctx: BuildContext, logits: Tensor): Tensor {
  return ctx.g.op1('ReduceMean', [ctx.g.op1('Softplus', [logits])], { keepdims: 0 });
}
