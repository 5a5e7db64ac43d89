/**
 * The deep colorizer as a trainable model: U-Net over L*, a*b* out, with a choice of losses.
 * Contract of the exported model (read by methods/model.ts): input `L` float32 [N,1,H,W]
 * holding L* / 50 - 1; output `ab` float32 [N,2,H,W] in [-1,1], a*b* = ab * `medcolor.ab_scale`.
 */
import type { Tensor } from '../nn/graph.js';
import { huberLoss, l1Loss, mseLoss } from '../nn/losses.js';
import type { BuildContext } from '../nn/params.js';
import { unetForward, type UNetOptions } from './unet.js';

export const AB_SCALE = 110;

export type PixelLoss = 'mse' | 'l1' | 'huber';

export interface ColorizerConfig {
  unet: UNetOptions;
  loss: PixelLoss;
}

/** The pixel loss between predicted and true normalized a*b*. */
export function pixelLoss(ctx: BuildContext, kind: PixelLoss, pred: Tensor, target: Tensor): Tensor {
  switch (kind) {
    case 'mse': return mseLoss(ctx.g, pred, target);
    case 'l1': return l1Loss(ctx.g, pred, target);
    case 'huber': return huberLoss(ctx.g, pred, target, 0.05);
  }
}

/** Forward graph: { ab }. */
export function colorizerForward(ctx: BuildContext, ins: Record<string, Tensor>, cfg: ColorizerConfig): Record<string, Tensor> {
  return { ab: unetForward(ctx, ins.L, cfg.unet, ins.embedding) };
}

/** Metadata written into an exported colorizer. */
export function colorizerMetadata(cfg: ColorizerConfig, extra: Record<string, string>): Record<string, string> {
  return {
    'medcolor.format': 'colorizer-v1',
    'medcolor.l_norm': 'L/50-1',
    'medcolor.ab_scale': String(AB_SCALE),
    'medcolor.inputs': 'L: float32 [N,1,H,W], L*/50-1; H and W divisible by ' + 2 ** (cfg.unet.depth ?? 3),
    'medcolor.outputs': 'ab: float32 [N,2,H,W] in [-1,1]; a*b* = ab * ab_scale',
    'medcolor.architecture': JSON.stringify({ type: 'unet', ...cfg.unet }),
    'medcolor.loss': cfg.loss,
    ...extra,
  };
}
