/**
 * The deep colorizer as a trainable model: U-Net over L*, a*b* out, with a choice of losses.
 * The exported model follows the contract of ./contract.ts (names, normalization, metadata).
 */
import type { Tensor } from '../nn/ir.js';
import { huberLoss, l1Loss, mseLoss, softCrossEntropyLoss } from '../nn/losses.js';
import { importModel } from '../nn/onnx-io.js';
import type { BuildContext } from '../nn/params.js';
import { AB_SCALE, HINTS_AB_MASK, INPUT_HINT_AB, INPUT_HINT_MASK, INPUT_L, L_NORM, META, MODEL_FORMAT, OUTPUT_AB, OUTPUT_AB_LOGITS, type ModelHead } from './contract.js';
import { classHeadLogits, DEFAULT_CLASS_STRIDE } from './class-head.js';
import { fakeLoss, patchGan, realLoss, type PatchGanOptions } from './discriminator.js';
import { imagenetNormalize, labToSrgbGraph } from './lab-graph.js';
import { blendHints } from './hint-blend.js';
import { unetFeatures, unetForward, unetForwardWithFeatures, type UNetOptions } from './unet.js';

export type PixelLoss = 'mse' | 'l1' | 'huber';

export interface ColorizerConfig {
  unet: UNetOptions;
  loss: PixelLoss;
  /**
   * Transfer learning as in the paper (Deep Koalarization): a frozen pretrained encoder given as
   * ONNX bytes (e.g. Inception-ResNet-v2), fed the gray image replicated to 3 channels at
   * `inputSize`, ImageNet-normalized; its output (pooled to [N, E] when 4-D) is fused at the
   * U-Net bottleneck. The encoder becomes part of the exported model.
   */
  encoder?: { model: Uint8Array; inputSize: number };
  /**
   * Hint-taking model (Zhang et al. 2017): besides `L` it takes `hint_ab` [N,2,H,W] and
   * `hint_mask` [N,1,H,W] (contract.ts), concatenated with L into the U-Net's first layer.
   */
  hints?: boolean;
  /** Hint-taking model: blend the prediction with the spread hints by learned gates (models/hint-blend.ts); 'bilateral' spreads them in lightness bins. */
  hintBlend?: boolean | 'bilateral';
  /** What the network predicts (contract.ts): a*b* (default), logits over a*b* bins, or both. */
  head?: ModelHead;
  /** Classification or both: the a*b* bins (color/ab-bins.ts) and the head's downsampling (default 2). */
  classes?: { centers: Float32Array; grid: number; stride?: number };
}

/** Training input of a classification head: the rebalanced soft-encoded target [N,Q,H/stride,W/stride]. */
export const TARGET_AB_CLASS = 'ab_class';

/** Scale of the hint planes inside a hint-taking network (see colorizerForward). */
export const HINT_GAIN = 10;

/** The pixel loss between predicted and true normalized a*b*. */
export function pixelLoss(ctx: BuildContext, kind: PixelLoss, pred: Tensor, target: Tensor): Tensor {
  switch (kind) {
    case 'mse': return mseLoss(ctx.g, pred, target);
    case 'l1': return l1Loss(ctx.g, pred, target);
    case 'huber': return huberLoss(ctx.g, pred, target, 0.05);
  }
}

/** The embedding of the frozen pretrained encoder for normalized L [N,1,H,W]. */
export function encoderEmbedding(ctx: BuildContext, L: Tensor, enc: { model: Uint8Array; inputSize: number }): Tensor {
  const g = ctx.g;
  const [n, , h, w] = L.shape;
  let x = L;
  if (h !== enc.inputSize || w !== enc.inputSize) {
    x = g.op1('Resize', [L, undefined, undefined, g.ints([n, 1, enc.inputSize, enc.inputSize])], { mode: 'linear' });
  }
  // Gray display value in [0,1] (L*/100 as an approximation of the gray level), 3 channels.
  const gray = g.op1('Mul', [g.op1('Add', [x, g.scalar(1)]), g.scalar(0.5)]);
  const rgb = imagenetNormalize(g, g.op1('Concat', [gray, gray, gray], { axis: 1 }));
  let e = importModel(g, enc.model, [rgb], 'enc').outputs[0];
  if (e.shape.length === 4) e = g.op1('Flatten', [g.op1('GlobalAveragePool', [e])], { axis: 1 });
  else if (e.shape.length !== 2) throw new Error(`encoder output must be [N,E] or [N,C,H,W]; found [${e.shape}]`);
  return e;
}

/** Forward graph: { ab } (regression), { ab_logits } (classification) or both. */
export function colorizerForward(ctx: BuildContext, ins: Record<string, Tensor>, cfg: ColorizerConfig): Record<string, Tensor> {
  const embedding = cfg.encoder ? encoderEmbedding(ctx, ins.L, cfg.encoder) : ins.embedding;
  const unet = embedding ? { ...cfg.unet, embeddingSize: embedding.shape[1] } : cfg.unet;
  const head = cfg.head ?? 'regression';
  if (head !== 'regression') {
    if (cfg.hints) throw new Error(`a ${head} head with hint inputs is not supported`);
    if (!cfg.classes) throw new Error(`a ${head} head needs the a*b* bins (cfg.classes)`);
    const q = cfg.classes.centers.length / 2, stride = cfg.classes.stride ?? DEFAULT_CLASS_STRIDE;
    if (head === 'classification') return { [OUTPUT_AB_LOGITS]: classHeadLogits(ctx, unetFeatures(ctx, ins[INPUT_L], unet, embedding), q, stride) };
    const { ab, features } = unetForwardWithFeatures(ctx, ins[INPUT_L], unet, embedding);
    return { [OUTPUT_AB]: ab, [OUTPUT_AB_LOGITS]: classHeadLogits(ctx, features, q, stride) };
  }
  if (!cfg.hints) return { [OUTPUT_AB]: unetForward(ctx, ins[INPUT_L], unet, embedding) };
  // The hint planes, scaled by HINT_GAIN (a reparametrization: their weights start at zero in a
  // warm start and Adam moves a weight by about lr per step, so the gain makes the hint path
  // learn HINT_GAIN times faster), enter the first layer, or every level when `guided`.
  const guide = ctx.g.op1('Mul', [ctx.g.op1('Concat', [ins[INPUT_HINT_AB], ins[INPUT_HINT_MASK]], { axis: 1 }), ctx.g.scalar(HINT_GAIN)]);
  const { ab, features } = unet.guided
    ? unetForwardWithFeatures(ctx, ins[INPUT_L], unet, embedding, guide)
    : unetForwardWithFeatures(ctx, ctx.g.op1('Concat', [ins[INPUT_L], guide], { axis: 1 }), unet, embedding);
  if (!cfg.hintBlend) return { [OUTPUT_AB]: ab };
  return { [OUTPUT_AB]: blendHints(ctx, ab, features, ins[INPUT_HINT_AB], ins[INPUT_HINT_MASK], cfg.hintBlend === 'bilateral' ? ins[INPUT_L] : undefined) };
}

/** Input shapes of the colorizer at batch n and side s: L, plus the hint planes for a hint-taking model. */
export function colorizerInputShapes(cfg: Pick<ColorizerConfig, 'hints'>, n: number, s: number): Record<string, number[]> {
  const shapes: Record<string, number[]> = { [INPUT_L]: [n, 1, s, s] };
  if (cfg.hints) {
    shapes[INPUT_HINT_AB] = [n, 2, s, s];
    shapes[INPUT_HINT_MASK] = [n, 1, s, s];
  }
  return shapes;
}

/** Metadata written into an exported colorizer. */
export function colorizerMetadata(cfg: ColorizerConfig, extra: Record<string, string>): Record<string, string> {
  const head = cfg.head ?? 'regression';
  const logitsText = cfg.classes
    ? `ab_logits: float32 [N,${cfg.classes.centers.length / 2},H/${cfg.classes.stride ?? DEFAULT_CLASS_STRIDE},W/${cfg.classes.stride ?? DEFAULT_CLASS_STRIDE}], logits over the a*b* bins of ab_bins`
    : '';
  const abText = 'ab: float32 [N,2,H,W] in [-1,1]; a*b* = ab * ab_scale';
  const classMeta: Record<string, string> = head === 'regression' || !cfg.classes ? {} : {
    [META.head]: head,
    [META.abGrid]: String(cfg.classes.grid),
    [META.abBins]: JSON.stringify(Array.from({ length: cfg.classes.centers.length / 2 }, (_, k) => [cfg.classes!.centers[2 * k], cfg.classes!.centers[2 * k + 1]])),
  };
  return {
    [META.format]: MODEL_FORMAT,
    [META.lNorm]: L_NORM,
    [META.abScale]: String(AB_SCALE),
    [META.inputs]: 'L: float32 [N,1,H,W], L*/50-1; H and W divisible by ' + 2 ** (cfg.unet.depth ?? 3) +
      (cfg.hints ? '; hint_ab: float32 [N,2,H,W], hinted a*b*/ab_scale (0 elsewhere); hint_mask: float32 [N,1,H,W], 1 at hinted pixels' : ''),
    ...(cfg.hints ? { [META.hints]: HINTS_AB_MASK } : {}),
    [META.outputs]: head === 'classification' ? logitsText : head === 'both' ? `${abText}; ${logitsText}` : abText,
    ...classMeta,
    [META.architecture]: JSON.stringify({ type: 'unet', ...cfg.unet, ...(cfg.hintBlend ? { hintBlend: cfg.hintBlend } : {}) }),
    [META.loss]: cfg.loss,
    ...extra,
  };
}

/** The full training objective of the generator. */
export interface LossConfig {
  pixel: PixelLoss;
  /** Weight of the pixel loss (default 1). */
  pixelWeight?: number;
  /**
   * Perceptual loss: MSE between features of the predicted and the true image (both turned into
   * sRGB in the graph and ImageNet-normalized) through a frozen network given as ONNX bytes
   * (e.g. a VGG16 truncated at relu2_2 or relu3_3), taking [N,3,H,W] and returning features.
   */
  perceptual?: { model: Uint8Array; weight: number };
  /** Adversarial loss with a PatchGAN discriminator (parameters under `disc.`), trained in alternation. */
  adversarial?: { weight: number; discriminator?: PatchGanOptions };
  /** Weight of the classification loss (soft cross-entropy against `ab_class`) of a classification or both head (default 1). */
  classWeight?: number;
}

/**
 * The generator's loss: weighted pixel loss, plus perceptual and adversarial terms when
 * configured. Returns the prediction as an extra (the discriminator step takes it as `fake`).
 */
export function generatorObjective(ctx: BuildContext, ins: Record<string, Tensor>, cfg: ColorizerConfig, lc: LossConfig): { loss: Tensor; extras: Record<string, Tensor> } {
  const g = ctx.g;
  const outs = colorizerForward(ctx, ins, cfg);
  if (cfg.head === 'classification') {
    if (lc.perceptual || lc.adversarial) throw new Error('perceptual and adversarial losses need an a*b* output: use a regression or both head');
    const ce = softCrossEntropyLoss(g, outs[OUTPUT_AB_LOGITS], ins[TARGET_AB_CLASS]);
    return { loss: (lc.classWeight ?? 1) === 1 ? ce : g.op1('Mul', [ce, g.scalar(lc.classWeight ?? 1)]), extras: {} };
  }
  const pred = outs.ab;
  const extras: Record<string, Tensor> = { pred };
  let loss = pixelLoss(ctx, lc.pixel, pred, ins.ab);
  if ((lc.pixelWeight ?? 1) !== 1) loss = g.op1('Mul', [loss, g.scalar(lc.pixelWeight ?? 1)]);
  if (cfg.head === 'both') {
    const ce = softCrossEntropyLoss(g, outs[OUTPUT_AB_LOGITS], ins[TARGET_AB_CLASS]);
    extras.classification = ce;
    loss = g.op1('Add', [loss, g.op1('Mul', [ce, g.scalar(lc.classWeight ?? 1)])]);
  }
  if (lc.perceptual) {
    const rgbPred = imagenetNormalize(g, labToSrgbGraph(g, ins.L, pred, AB_SCALE));
    const rgbTrue = imagenetNormalize(g, labToSrgbGraph(g, ins.L, ins.ab, AB_SCALE));
    // One pass of the frozen network over [pred; truth] (its weights are constants of the graph).
    const both = g.op1('Concat', [rgbPred, rgbTrue], { axis: 0 });
    const feats = importModel(g, lc.perceptual.model, [both], 'feat').outputs[0];
    const n = pred.shape[0];
    const [fp, ft] = g.op('Split', [feats, g.ints([n, n])], { axis: 0 }, 2);
    const perc = mseLoss(g, fp, ft);
    extras.perceptual = perc;
    loss = g.op1('Add', [loss, g.op1('Mul', [perc, g.scalar(lc.perceptual.weight)])]);
  }
  if (lc.adversarial) {
    const adv = realLoss(ctx, patchGan(ctx, ins.L, pred, lc.adversarial.discriminator));
    extras.adversarial = adv;
    loss = g.op1('Add', [loss, g.op1('Mul', [adv, g.scalar(lc.adversarial.weight)])]);
  }
  return { loss, extras };
}

/** The discriminator's loss on true a*b* (`ab`) and the generator's prediction (`fake`). */
export function discriminatorObjective(ctx: BuildContext, ins: Record<string, Tensor>, lc: LossConfig): { loss: Tensor } {
  const o = lc.adversarial?.discriminator;
  const real = realLoss(ctx, patchGan(ctx, ins.L, ins.ab, o));
  const fake = fakeLoss(ctx, patchGan(ctx, ins.L, ins.fake, o));
  return { loss: ctx.g.op1('Add', [real, fake]) };
}
