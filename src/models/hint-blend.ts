/**
 * The output stage of the hint-taking colorizer: the U-Net's prediction is blended with the
 * hints spread by normalized convolution (Knutsson and Westin 1993) at two scales, by gates that
 * the network learns from its last features:
 *
 *   F_s = (G_s * hint_ab) / (G_s * hint_mask)      the mean hint color near each pixel, scale s
 *   C_s = min(1, Ĝ_s * hint_mask)                  how close a hint is (Ĝ: peak 1, 1 at a hint)
 *   g_1 = sigmoid(z_1) C_1,  g_2 = sigmoid(z_2) C_2 (1 - g_1),  z = 10 (W x + b) + (0, -2)
 *   ab  = (1 - g_1 - g_2) pred + g_1 F_1 + g_2 F_2
 *
 * with z = a 1x1 convolution of the U-Net's last features and C_1, C_2. Without hints C = 0 and
 * ab = pred exactly, so a warm-started hint model colorizes as its source model does, and the
 * hints take effect from the first step instead of only after the network has learned to carry
 * them from its input to its output (which the SIGGRAPH 2017 network does with days of GPU
 * training; here training has minutes of CPU). The gates learn where the hint's color holds
 * (same structure, same intensity) and where the network's own prediction is better.
 * G_s are fixed separable Gaussians (sigma 3 and 24 working pixels), constants of the graph.
 * Bilateral variant (`hintBlend: 'bilateral'`): the spreading runs in 8 soft lightness bins (a
 * bilateral grid), so a hint colors pixels of similar L* near it and stops at lightness edges.
 */
import type { Tensor } from '../nn/ir.js';
import { conv2d, concat } from '../nn/layers.js';
import type { BuildContext } from '../nn/params.js';

/** Standard deviations (working-size pixels) of the two spreading scales. */
export const HINT_SIGMAS = [3, 24] as const;
/** Gain of the gate logits and their offsets at zero weights (near, far); see blendHints. */
export const GATE_GAIN = 10;
export const GATE_OFFSETS = [0, -2] as const;
/** Lightness bins of the bilateral spreading (L/50-1 in -1..1, triangular membership). */
export const HINT_L_BINS = 8;

function gaussian(sigma: number, peakOne: boolean): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += (k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma)));
  if (!peakOne) for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Separable Gaussian blur of every channel of x (zero padding), as two grouped convolutions with constant kernels. */
function blur(ctx: BuildContext, x: Tensor, sigma: number, peakOne: boolean): Tensor {
  const g = ctx.g, c = x.shape[1];
  const k = gaussian(sigma, peakOne), n = k.length, r = (n - 1) / 2;
  const wData = new Float32Array(c * n);
  for (let i = 0; i < c; i++) wData.set(k, i * n);
  const wh = g.constant({ dtype: 'float32', shape: [c, 1, 1, n], data: wData }, 'gauss_h');
  const wv = g.constant({ dtype: 'float32', shape: [c, 1, n, 1], data: wData }, 'gauss_v');
  const h = g.op1('Conv', [x, wh], { kernel_shape: [1, n], pads: [0, r, 0, r], group: c }, 'blur');
  return g.op1('Conv', [h, wv], { kernel_shape: [n, 1], pads: [r, 0, r, 0], group: c }, 'blur');
}

/**
 * Blends the U-Net's prediction `pred` [N,2,H,W] with the spread hints (see module comment).
 * `features` are the U-Net's last features [N,C,H,W]; `hintAb` [N,2,H,W], `hintMask` [N,1,H,W]
 * are the model's hint inputs. Parameters under `hint_gate.`.
 */
export function blendHints(ctx: BuildContext, pred: Tensor, features: Tensor, hintAb: Tensor, hintMask: Tensor, L?: Tensor): Tensor {
  const g = ctx.g;
  const fields: Tensor[] = [], confs: Tensor[] = [];
  if (L) {
    // Bilateral (L-binned) normalized convolution, as a bilateral grid: each pixel spreads its
    // hint only into the bins of its own lightness, and reads back from the bins of its own, so
    // a hint's color stops where the lightness changes (as scribble's affinities stop it).
    const B = HINT_L_BINS, centers = Float32Array.from({ length: B }, (_, b) => -1 + (2 * b) / (B - 1));
    const c = g.constant({ dtype: 'float32', shape: [1, B, 1, 1], data: centers }, 'bin_centers');
    // Triangular membership of L (-1..1) in each bin: max(0, 1 - |L - c_b| / step).
    const w = g.op1('Relu', [g.op1('Sub', [g.scalar(1), g.op1('Mul', [g.op1('Abs', [g.op1('Sub', [L, c])]), g.scalar((B - 1) / 2)])])]);
    const [ha, hb] = g.op('Split', [hintAb, g.ints([1, 1])], { axis: 1 }, 2);
    const planes = concat(ctx, [g.op1('Mul', [w, hintMask]), g.op1('Mul', [w, ha]), g.op1('Mul', [w, hb])]); // [N,3B,H,W]
    const read = (x: Tensor) => g.op1('ReduceSum', [g.op1('Mul', [x, w]), g.ints([1])], { keepdims: 1 });
    const selfWeight = read(w);
    for (const s of HINT_SIGMAS) {
      const [m, a, b] = g.op('Split', [blur(ctx, planes, s, false), g.ints([B, B, B])], { axis: 1 }, 3);
      const den = g.op1('Add', [read(m), g.scalar(1e-8)]);
      fields.push(g.op1('Div', [concat(ctx, [read(a), read(b)]), den]));
      const [mp] = g.op('Split', [blur(ctx, g.op1('Mul', [w, hintMask]), s, true), g.ints([B])], { axis: 1 }, 1);
      // Normalized by sum_b w_b(L)^2, the read-back of a hint at the pixel itself: 1 at a hint.
      confs.push(g.op1('Min', [g.op1('Div', [read(mp), selfWeight]), g.scalar(1)]));
    }
  } else {
    for (const s of HINT_SIGMAS) {
      const num = blur(ctx, hintAb, s, false);
      const den = blur(ctx, hintMask, s, false);
      fields.push(g.op1('Div', [num, g.op1('Add', [den, g.scalar(1e-8)])]));
      confs.push(g.op1('Min', [blur(ctx, hintMask, s, true), g.scalar(1)]));
    }
  }
  // Gate logits from the last features and the two confidences, x GATE_GAIN (so that the gate
  // learns within the few hundred steps of a CPU run, as the hint gain does for the hint
  // weights), plus GATE_OFFSETS: starting from zero weights, the near gate opens to half the
  // confidence and the far one to 12%, so a warm start is helped by hints at once and not hurt
  // where a hint's color does not extend far.
  const z = conv2d(ctx, 'hint_gate', concat(ctx, [features, ...confs]), { out: 2, k: 1 });
  const offsets = g.constant({ dtype: 'float32', shape: [1, 2, 1, 1], data: Float32Array.from(GATE_OFFSETS) }, 'gate_offsets');
  const zb = g.op1('Add', [g.op1('Mul', [z, g.scalar(GATE_GAIN)]), offsets]);
  const [z1, z2] = g.op('Split', [zb, g.ints([1, 1])], { axis: 1 }, 2);
  const g1 = g.op1('Mul', [g.op1('Sigmoid', [z1]), confs[0]]);
  const g2 = g.op1('Mul', [g.op1('Mul', [g.op1('Sigmoid', [z2]), confs[1]]), g.op1('Sub', [g.scalar(1), g1])]);
  // ab = pred + g1 (F1 - pred) + g2 (F2 - pred)
  const d1 = g.op1('Mul', [g1, g.op1('Sub', [fields[0], pred])]);
  const d2 = g.op1('Mul', [g2, g.op1('Sub', [fields[1], pred])]);
  return g.op1('Add', [pred, g.op1('Add', [d1, d2])]);
}
