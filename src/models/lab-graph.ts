/**
 * CIELAB -> sRGB inside the graph, differentiable op by op, so that losses defined on RGB
 * (a perceptual loss through an ImageNet-trained feature network) can train the a*b* output.
 * Same formulas as src/color/lab.ts (D65, IEC 61966-2-1), on NCHW tensors.
 */
import type { Graph } from '../nn/graph.js';
import type { Tensor } from '../nn/ir.js';
import { add, mul, mulScalar } from '../nn/ops.js';

const EPS_F = 6 / 29;

/** f^-1 of CIELAB: t^3 above 6/29, the linear segment below. */
function fInv(g: Graph, t: Tensor): Tensor {
  const cube = g.op1('Mul', [g.op1('Mul', [t, t]), t]);
  const lin = mulScalar(g, g.op1('Sub', [t, g.scalar(4 / 29)]), 3 * EPS_F * EPS_F);
  return g.op1('Where', [g.op1('Greater', [t, g.scalar(EPS_F)]), cube, lin]);
}

/**
 * Converts normalized L (L* / 50 - 1, [N,1,H,W]) and a*b* (divided by abScale, [N,2,H,W]) to
 * gamma-encoded sRGB in [0,1], [N,3,H,W]. Out-of-gamut values are clipped in linear light.
 */
export function labToSrgbGraph(g: Graph, Lnorm: Tensor, abNorm: Tensor, abScale: number): Tensor {
  const L = mulScalar(g, add(g, Lnorm, g.scalar(1)), 50);
  const [a0, b0] = g.op('Split', [abNorm, g.ints([1, 1])], { axis: 1 }, 2);
  const fy = mulScalar(g, add(g, L, g.scalar(16)), 1 / 116);
  const fx = add(g, fy, mulScalar(g, a0, abScale / 500));
  const fz = g.op1('Sub', [fy, mulScalar(g, b0, abScale / 200)]);
  const X = mulScalar(g, fInv(g, fx), 0.95047);
  const Y = fInv(g, fy);
  const Z = mulScalar(g, fInv(g, fz), 1.08883);
  const xyz = g.op1('Concat', [X, Y, Z], { axis: 1 });
  // XYZ -> linear sRGB as a 1x1 convolution with fixed weights.
  const M = Float32Array.of(3.2404542, -1.5371385, -0.4985314, -0.969266, 1.8760108, 0.041556, 0.0556434, -0.2040259, 1.0572252);
  const wM = g.constant({ dtype: 'float32', shape: [3, 3, 1, 1], data: M }, 'xyz2rgb');
  const lin = g.op1('Clip', [g.op1('Conv', [xyz, wM], { kernel_shape: [1, 1] }), g.scalar(1e-6), g.scalar(1)]);
  // Gamma: 12.92 v below 0.0031308, 1.055 v^(1/2.4) - 0.055 above.
  const pow = add(g, mulScalar(g, g.op1('Pow', [lin, g.scalar(1 / 2.4)]), 1.055), g.scalar(-0.055));
  const low = mulScalar(g, lin, 12.92);
  const out = g.op1('Where', [g.op1('Greater', [lin, g.scalar(0.0031308)]), pow, low]);
  return out;
}

/** ImageNet normalization ((x - mean) / std per channel) expected by torchvision feature networks. */
export function imagenetNormalize(g: Graph, rgb: Tensor): Tensor {
  const mean = g.constant({ dtype: 'float32', shape: [1, 3, 1, 1], data: Float32Array.of(0.485, 0.456, 0.406) }, 'in_mean');
  const inv = g.constant({ dtype: 'float32', shape: [1, 3, 1, 1], data: Float32Array.of(1 / 0.229, 1 / 0.224, 1 / 0.225) }, 'in_istd');
  return mul(g, g.op1('Sub', [rgb, mean]), inv);
}
