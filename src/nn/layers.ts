/**
 * Layers on top of the graph builder: keep model code short. Each layer declares its
 * parameters by name under a prefix, so a model is a plain function of a BuildContext.
 *
 * @example
 * const h = convBnAct(ctx, 'enc1', x, { out: 64, stride: 2 });
 */
import type { Tensor } from './ir.js';
import type { BuildContext } from './params.js';

export interface Conv2dOptions {
  out: number;
  /** Kernel size (default 3). */
  k?: number;
  /** Stride (default 1). */
  stride?: number;
  /** Padding on every side (default: (k-1)/2 * dilation, 'same' for odd k at stride 1). */
  pad?: number;
  dilation?: number;
  group?: number;
  /** Add a bias (default true). */
  bias?: boolean;
}

/** 2-D convolution, He-initialized. */
export function conv2d(ctx: BuildContext, name: string, x: Tensor, o: Conv2dOptions): Tensor {
  const k = o.k ?? 3, s = o.stride ?? 1, d = o.dilation ?? 1, grp = o.group ?? 1;
  const p = o.pad ?? Math.floor(((k - 1) * d) / 2);
  const cin = x.shape[1];
  const w = ctx.param({ name: `${name}.weight`, shape: [o.out, cin / grp, k, k], init: 'he', fanIn: (cin / grp) * k * k, fanOut: o.out * k * k, trainable: true });
  const b = o.bias === false ? undefined : ctx.param({ name: `${name}.bias`, shape: [o.out], init: 'zeros', fanIn: 1, fanOut: 1, trainable: true });
  return ctx.g.op1('Conv', b ? [x, w, b] : [x, w], { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], dilations: [d, d], group: grp }, 'conv');
}

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the old running statistic (ONNX convention; PyTorch's momentum 0.1 is 0.9 here). Default 0.9. */
  momentum?: number;
}

function bnParams(ctx: BuildContext, name: string, c: number) {
  const scale = ctx.param({ name: `${name}.scale`, shape: [c], init: 'ones', fanIn: 1, fanOut: 1, trainable: true });
  const bias = ctx.param({ name: `${name}.bias`, shape: [c], init: 'zeros', fanIn: 1, fanOut: 1, trainable: true });
  const mean = ctx.param({ name: `${name}.running_mean`, shape: [c], init: 'zeros', fanIn: 1, fanOut: 1, trainable: false });
  const variance = ctx.param({ name: `${name}.running_var`, shape: [c], init: 'ones', fanIn: 1, fanOut: 1, trainable: false });
  return { scale, bias, mean, variance };
}

/**
 * Batch normalization: batch statistics in 'train' mode (running statistics updated as extra
 * outputs), running statistics in 'eval' mode.
 */
export function batchNorm(ctx: BuildContext, name: string, x: Tensor, o: BatchNormOptions = {}): Tensor {
  const { scale, bias, mean, variance } = bnParams(ctx, name, x.shape[1]);
  const eps = o.eps ?? 1e-5;
  if (ctx.mode === 'train') {
    const [y, rm, rv] = ctx.g.op('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: eps, momentum: o.momentum ?? 0.9, training_mode: 1 }, 3, 'bn');
    ctx.stateUpdates.set(`${name}.running_mean`, rm);
    ctx.stateUpdates.set(`${name}.running_var`, rv);
    return y;
  }
  return ctx.g.op1('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: eps }, 'bn');
}

export type Activation = 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid' | 'none';

/** Applies an activation. */
export function activation(ctx: BuildContext, x: Tensor, act: Activation, alpha = 0.2): Tensor {
  switch (act) {
    case 'relu': return ctx.g.op1('Relu', [x]);
    case 'leaky_relu': return ctx.g.op1('LeakyRelu', [x], { alpha });
    case 'tanh': return ctx.g.op1('Tanh', [x]);
    case 'sigmoid': return ctx.g.op1('Sigmoid', [x]);
    case 'none': return x;
  }
}

/**
 * Conv (no bias) -> BatchNorm -> activation. In export mode the BatchNorm is folded into the
 * convolution: W' = W * gamma / sqrt(var + eps), b' = beta - mean * gamma / sqrt(var + eps).
 */
export function convBnAct(ctx: BuildContext, name: string, x: Tensor, o: Conv2dOptions & BatchNormOptions & { act?: Activation }): Tensor {
  const act = o.act ?? 'relu';
  if (ctx.mode !== 'export') {
    const y = conv2d(ctx, `${name}.conv`, x, { ...o, bias: false });
    return activation(ctx, batchNorm(ctx, `${name}.bn`, y, o), act);
  }
  const k = o.k ?? 3, s = o.stride ?? 1, d = o.dilation ?? 1, grp = o.group ?? 1;
  const p = o.pad ?? Math.floor(((k - 1) * d) / 2);
  const cin = x.shape[1];
  // Declare the same parameters as the training graph so the store matches.
  ctx.store.declare({ name: `${name}.conv.weight`, shape: [o.out, cin / grp, k, k], init: 'he', fanIn: (cin / grp) * k * k, fanOut: o.out * k * k, trainable: true });
  const w = ctx.store.get(`${name}.conv.weight`);
  const gamma = ctx.store.get(`${name}.bn.scale`), beta = ctx.store.get(`${name}.bn.bias`);
  const mean = ctx.store.get(`${name}.bn.running_mean`), variance = ctx.store.get(`${name}.bn.running_var`);
  const eps = o.eps ?? 1e-5;
  const per = w.length / o.out;
  const wf = new Float32Array(w.length), bf = new Float32Array(o.out);
  for (let c = 0; c < o.out; c++) {
    const f = gamma[c] / Math.sqrt(variance[c] + eps);
    for (let i = 0; i < per; i++) wf[c * per + i] = w[c * per + i] * f;
    bf[c] = beta[c] - mean[c] * f;
  }
  const wt = ctx.folded(`${name}.folded_weight`, [o.out, cin / grp, k, k], wf);
  const bt = ctx.folded(`${name}.folded_bias`, [o.out], bf);
  const y = ctx.g.op1('Conv', [x, wt, bt], { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], dilations: [d, d], group: grp }, 'conv');
  return activation(ctx, y, act);
}

/** Transposed convolution (default 4x4, stride 2, pad 1: exact 2x upsampling), with bias. */
export function convTranspose2d(ctx: BuildContext, name: string, x: Tensor, o: { out: number; k?: number; stride?: number; pad?: number; bias?: boolean }): Tensor {
  const k = o.k ?? 4, s = o.stride ?? 2, p = o.pad ?? 1;
  const cin = x.shape[1];
  // PyTorch's ConvTranspose2d weight layout is [Cin, Cout, k, k]; fan-in counts the output side.
  const w = ctx.param({ name: `${name}.weight`, shape: [cin, o.out, k, k], init: 'he', fanIn: o.out * k * k, fanOut: cin * k * k, trainable: true });
  const b = o.bias === false ? undefined : ctx.param({ name: `${name}.bias`, shape: [o.out], init: 'zeros', fanIn: 1, fanOut: 1, trainable: true });
  return ctx.g.op1('ConvTranspose', b ? [x, w, b] : [x, w], { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p] }, 'convt');
}

/** Fully connected layer on [N, F] input. */
export function linear(ctx: BuildContext, name: string, x: Tensor, out: number, bias = true): Tensor {
  const fin = x.shape[1];
  const w = ctx.param({ name: `${name}.weight`, shape: [out, fin], init: 'xavier', fanIn: fin, fanOut: out, trainable: true });
  const b = bias ? ctx.param({ name: `${name}.bias`, shape: [out], init: 'zeros', fanIn: 1, fanOut: 1, trainable: true }) : undefined;
  return ctx.g.op1('Gemm', b ? [x, w, b] : [x, w], { transB: 1 }, 'linear');
}

/** Max pooling (default 2x2 stride 2). */
export function maxPool(ctx: BuildContext, x: Tensor, k = 2, stride = k): Tensor {
  return ctx.g.op1('MaxPool', [x], { kernel_shape: [k, k], strides: [stride, stride] }, 'maxpool');
}

/** Average pooling (default 2x2 stride 2). */
export function avgPool(ctx: BuildContext, x: Tensor, k = 2, stride = k): Tensor {
  return ctx.g.op1('AveragePool', [x], { kernel_shape: [k, k], strides: [stride, stride] }, 'avgpool');
}

/** Global average pooling to [N, C] (GlobalAveragePool + Flatten). */
export function globalAvgPool(ctx: BuildContext, x: Tensor): Tensor {
  return ctx.g.op1('Flatten', [ctx.g.op1('GlobalAveragePool', [x])], { axis: 1 });
}

/** Channel concatenation. */
export function concat(ctx: BuildContext, xs: Tensor[], axis = 1): Tensor {
  return ctx.g.op1('Concat', xs, { axis });
}
