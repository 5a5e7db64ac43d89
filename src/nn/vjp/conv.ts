/**
 * VJP rules of Conv and ConvTranspose (BatchNormalization's is in normalization.ts).
 *
 * Conv's input gradient is a Conv with the flipped kernel (stride 1) or a ConvTranspose with
 * the same weights. Its weight gradient is the op worth engineering (see DESIGN.md and
 * `flatWeightGrad`): one Gather of k*k shifted row windows of a flat, channel-last copy of one
 * operand and one batched MatMul with the other. The alternative (one Conv over
 * batch/channel-transposed tensors) is kept behind `setConvWeightGradMethod('conv')` for
 * benchmarking.
 */
import { registerVjp } from '../autodiff.js';
import type { Graph } from '../graph.js';
import { getIntsAttr, getNumberAttr, getStringAttr } from '../ir.js';
import type { AttrValue, Tensor } from '../ir.js';
import { explicitPads } from '../shape-infer.js';
import { reduceSum, reshape, slice, transpose } from '../ops.js';

/**
 * 'gemm' (default): `flatWeightGrad` (Gather + MatMul), one Gemm for 1x1 kernels and for few
 * input channels; 'conv': one Conv over batch/channel-transposed tensors (measured 2-3x slower
 * at stride 1, and slower at stride 2 too since the Gather form; kept for benchmarking).
 */
export type ConvWeightGradMethod = 'gemm' | 'conv';
const envWgrad = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MEDCOLOR_WGRAD;
let weightGradMethod: ConvWeightGradMethod = envWgrad === 'conv' ? 'conv' : 'gemm';

/** Chooses how Conv weight gradients are emitted (for benchmarks). */
export function setConvWeightGradMethod(m: ConvWeightGradMethod): void {
  weightGradMethod = m;
}

/** Up to this many input channels, the weight gradient's taps share one Gemm (see convWeightGrad). */
const SMALL_CI = 8;

interface Conv2dGeometry {
  k: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pads: [number, number, number, number];
  group: number;
}

/**
 * Explicit geometry of a Conv (or, with `transposedOut`, a ConvTranspose) node: auto_pad and
 * ConvTranspose's output_shape are resolved into explicit pads, so that the rules below only
 * ever see explicit begin/end pads.
 */
function geometry(attrs: Record<string, AttrValue>, w: Tensor, x: Tensor, transposedOut?: Tensor): Conv2dGeometry {
  const k = getIntsAttr(attrs.kernel_shape, [w.shape[2], w.shape[3]]);
  const strides = getIntsAttr(attrs.strides, [1, 1]);
  const dilations = getIntsAttr(attrs.dilations, [1, 1]);
  let pads: number[];
  const autoPad = getStringAttr(attrs.auto_pad, 'NOTSET');
  if (!transposedOut) {
    pads = explicitPads(attrs, x.shape.slice(2), k, strides, dilations);
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' || attrs.output_shape) {
    // ONNX: total = s*(in-1) + output_padding + eff - out; SAME_UPPER puts the odd pixel at the end.
    const outPad = getIntsAttr(attrs.output_padding, [0, 0]);
    pads = [0, 0, 0, 0];
    for (let i = 0; i < 2; i++) {
      const total = strides[i] * (x.shape[2 + i] - 1) + outPad[i] + (k[i] - 1) * dilations[i] + 1 - transposedOut.shape[2 + i];
      if (total < 0) throw new Error(`ConvTranspose VJP: output_shape larger than the natural output (by ${-total}) is not supported; use output_padding`);
      const half = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? half : total - half;
      pads[i + 2] = total - pads[i];
    }
  } else {
    pads = getIntsAttr(attrs.pads, [0, 0, 0, 0]);
  }
  return {
    k: [k[0], k[1]],
    strides: [strides[0], strides[1]],
    dilations: [dilations[0], dilations[1]],
    pads: [pads[0], pads[1], pads[2], pads[3]],
    group: getNumberAttr(attrs.group, 1),
  };
}

/**
 * Weight gradient of a 2-D convolution: dW[co, ci, i, j] = sum over n, oh, ow of
 * dY[n, co, oh, ow] * X[n, ci, oh*s + i*d - p, ow*s + j*d - p]. Returns [Co, Ci/group, kh, kw].
 */
export function convWeightGrad(g: Graph, x: Tensor, dy: Tensor, geo: Conv2dGeometry): Tensor {
  if (geo.group !== 1) return groupedWeightGrad(g, x, dy, geo);
  const [n, ci, h, w] = x.shape;
  const [, co, ho, wo] = dy.shape;
  const [kh, kw] = geo.k;
  const [sh, sw] = geo.strides;
  const [dh, dw] = geo.dilations;
  const [pt, pl, pb, pr] = geo.pads;
  if (weightGradMethod === 'conv') {
    const xt = transpose(g, x, [1, 0, 2, 3]);
    const dyt = transpose(g, dy, [1, 0, 2, 3]);
    let r = g.op1('Conv', [xt, dyt], { strides: [dh, dw], dilations: [sh, sw], pads: [pt, pl, pb, pr] }, 'wgrad');
    if (r.shape[2] !== kh || r.shape[3] !== kw) r = slice(g, r, [0, 0], [kh, kw], [2, 3]);
    return transpose(g, r, [1, 0, 2, 3]);
  }
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && h === ho && w === wo;
  if (!pointwise && ci > SMALL_CI && geo.pads.every((p) => p >= 0)) return flatWeightGrad(g, x, dy, geo);
  const m = n * ho * wo;
  // Channel-major output gradient [Co, N*Ho*Wo] and padded input [Ci, N, Hp, Wp].
  const dy2 = reshape(g, transpose(g, dy, [1, 0, 2, 3]), [co, m]);
  let xc = transpose(g, x, [1, 0, 2, 3]);
  if (pt || pl || pb || pr) xc = g.op1('Pad', [xc, g.ints([0, 0, pt, pl, 0, 0, pb, pr])]);
  if (pointwise) return reshape(g, g.op1('Gemm', [dy2, reshape(g, xc, [ci, m])], { transB: 1 }, 'wgrad'), [co, ci, 1, 1]);
  // Few input channels (a network's first layer; also negative pads): the k*k strided Slices
  // [Ci, M] are small, concatenated into one [k*k*Ci, M] operand of one Gemm.
  const taps: Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const y0 = i * dh, x0 = j * dw;
      taps.push(reshape(g, slice(g, xc, [y0, x0], [y0 + (ho - 1) * sh + 1, x0 + (wo - 1) * sw + 1], [2, 3], [sh, sw]), [ci, m]));
    }
  }
  const col = taps.length === 1 ? taps[0] : g.op1('Concat', taps, { axis: 0 });
  const gm = g.op1('Gemm', [dy2, col], { transB: 1 }, 'wgrad'); // [Co, k*k*Ci], tap-major
  const r = ci === 1 ? gm : transpose(g, reshape(g, gm, [co, kh * kw, ci]), [0, 2, 1]);
  return reshape(g, r, [co, ci, kh, kw]);
}

/**
 * Weight gradient as one Gather and one MatMul (batched over the k*k taps). The operand with
 * fewer channels is made channel-last and flat, [rows, C], and the Gather copies, for every
 * tap, the rows that tap pairs with each position of the other operand (ONNX Runtime runs a
 * Gather on all threads, unlike Slice; no strided copy is made); the other operand stays
 * channel-major [C', T] and one MatMul gives [k*k, C', C].
 *
 * - Fewer input channels: X padded, channel-last [N*Hp*Wp, Ci]; output (n, y, x) and tap
 *   (i, j) read row n*Hp*Wp + (s*y + i*d)*Wp + s*x + j*d, i.e. base(n, y, x) + offset(i, j),
 *   at any stride; dY is [Co, N*Ho*Wo].
 * - Fewer output channels: the padded input is split into stride phases
 *   (X[n, c, s*u + a, s*v + b] is phase (a, b) at (u, v)), each flattened over (n, u, v) into T
 *   positions, and dY is placed in the same frame (zeros where there is no output), channel-last
 *   and front-padded: tap (i, j) is then the row window [mo - offset, mo - offset + T), one
 *   MatMul per phase.
 * The sums run over (n, y, x) in the order of the per-tap Gemms they replace (the frame's
 * zeros add exact zeros).
 */
function flatWeightGrad(g: Graph, x: Tensor, dy: Tensor, geo: Conv2dGeometry): Tensor {
  const [n, ci, h, w] = x.shape;
  const [, co, ho, wo] = dy.shape;
  const [kh, kw] = geo.k;
  const [sh, sw] = geo.strides;
  const [dh, dw] = geo.dilations;
  const [pt, pl, pb, pr] = geo.pads;
  if (ci <= co) {
    // Shift X: channel-last padded input [N*Hp*Wp, Ci]; its row for output (n, y, x) and tap
    // (i, j) is n*Hp*Wp + (s*y + i*d)*Wp + s*x + j*d, so one Gather with indices
    // base(n, y, x) + offset(i, j) cuts all taps at any stride; dY channel-major [Co, N*Ho*Wo].
    const hp = h + pt + pb, wp = w + pl + pr;
    let xn = transpose(g, x, [0, 2, 3, 1]);
    if (pt || pl || pb || pr) xn = g.op1('Pad', [xn, g.ints([0, pt, pl, 0, 0, pb, pr, 0])]);
    const src = reshape(g, xn, [n * hp * wp, ci]);
    const tp = n * ho * wo;
    const a = reshape(g, transpose(g, dy, [1, 0, 2, 3]), [1, co, tp]);
    const base = rowIndex(g, [n, ho, wo], [hp * wp, sh * wp, sw]);
    const offs: number[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) offs.push(i * dh * wp + j * dw);
    const mm = g.op1('MatMul', [a, gatherRowsAt(g, src, base, offs)], {}, 'wgrad'); // [K, Co, Ci]
    return reshape(g, transpose(g, mm, [1, 2, 0]), [co, ci, kh, kw]);
  }
  // Shift dY: channel-last in the frame, front-padded [mo + T, Co]; X channel-major per phase [Ci, T].
  const hq = Math.ceil((h + pt + pb) / sh), wq = Math.ceil((w + pl + pr) / sw);
  const eh = hq * sh - (h + pt + pb), ew = wq * sw - (w + pl + pr);
  const phases = sh * sw;
  const t = n * hq * wq;
  const taps: { phase: number; off: number }[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const a = (i * dh) % sh, b = (j * dw) % sw;
      taps.push({ phase: a * sw + b, off: Math.floor((i * dh) / sh) * wq + Math.floor((j * dw) / sw) });
    }
  }
  const mo = Math.max(...taps.map((q) => q.off));
  const xp = pt || pl || pb + eh || pr + ew ? g.op1('Pad', [x, g.ints([0, 0, pt, pl, 0, 0, pb + eh, pr + ew])]) : x;
  const xc = reshape(g, phases === 1 ? transpose(g, xp, [1, 0, 2, 3]) : transpose(g, reshape(g, xp, [n, ci, hq, sh, wq, sw]), [3, 5, 1, 0, 2, 4]), [phases, ci, t]);
  const xph = phases === 1 ? [xc] : g.op('Split', [xc, g.ints(Array(phases).fill(1))], { axis: 0 }, phases);
  let dyn = transpose(g, dy, [0, 2, 3, 1]);
  if (hq > ho || wq > wo) dyn = g.op1('Pad', [dyn, g.ints([0, 0, 0, 0, 0, hq - ho, wq - wo, 0])]);
  let dyq = reshape(g, dyn, [t, co]);
  if (mo) dyq = g.op1('Pad', [dyq, g.ints([mo, 0, 0, 0])]);
  // One MatMul per phase over that phase's taps; the results are put back in tap order.
  const order: number[] = [];
  const perPhase: Tensor[] = [];
  for (let p = 0; p < phases; p++) {
    const mine = taps.map((q, k) => ({ ...q, k })).filter((q) => q.phase === p);
    if (!mine.length) continue;
    order.push(...mine.map((q) => q.k));
    perPhase.push(g.op1('MatMul', [xph[p], gatherRowsAt(g, dyq, rowIndex(g, [t], [1]), mine.map(({ off }) => mo - off))], {}, 'wgrad')); // [K_p, Ci, Co]
  }
  let mm = perPhase.length === 1 ? perPhase[0] : g.op1('Concat', perPhase, { axis: 0 });
  if (order.some((k, i) => k !== i)) {
    const inverse = order.map((_, k) => order.indexOf(k));
    mm = g.op1('Gather', [mm, g.ints(inverse)], { axis: 0 });
  }
  return reshape(g, transpose(g, mm, [2, 1, 0]), [co, ci, kh, kw]);
}

const rowIndexCache = new WeakMap<Graph, Map<string, Tensor>>();

/**
 * The int64 constant [1, prod(dims)] holding sum_k i_k * strides_k over the index grid of
 * `dims` (cached per graph).
 */
function rowIndex(g: Graph, dims: number[], strides: number[]): Tensor {
  let cache = rowIndexCache.get(g);
  if (!cache) rowIndexCache.set(g, (cache = new Map()));
  const key = `${dims}/${strides}`;
  let t = cache.get(key);
  if (!t) {
    const data = new BigInt64Array(dims.reduce((p, d) => p * d, 1));
    let k = 0;
    const walk = (axis: number, at: number): void => {
      if (axis === dims.length) {
        data[k++] = BigInt(at);
        return;
      }
      for (let i = 0; i < dims[axis]; i++) walk(axis + 1, at + i * strides[axis]);
    };
    walk(0, 0);
    t = g.constant({ dtype: 'int64', shape: [1, data.length], data }, 'rows');
    cache.set(key, t);
  }
  return t;
}

/** Rows base + off_k of a [R, C] tensor for each offset: one Gather, [K, T, C]. */
function gatherRowsAt(g: Graph, src: Tensor, base: Tensor, offs: number[]): Tensor {
  const o = g.constant({ dtype: 'int64', shape: [offs.length, 1], data: BigInt64Array.from(offs.map((v) => BigInt(v))) }, 'offs');
  return g.op1('Gather', [src, g.op1('Add', [base, o])], { axis: 0 });
}

function groupedWeightGrad(g: Graph, x: Tensor, dy: Tensor, geo: Conv2dGeometry): Tensor {
  const G = geo.group;
  const ci = x.shape[1] / G, co = dy.shape[1] / G;
  const xs = g.op('Split', [x, g.ints(Array(G).fill(ci))], { axis: 1 }, G);
  const ds = g.op('Split', [dy, g.ints(Array(G).fill(co))], { axis: 1 }, G);
  const parts = xs.map((xi, k) => convWeightGrad(g, xi, ds[k], { ...geo, group: 1 }));
  return g.op1('Concat', parts, { axis: 0 });
}

/**
 * Input gradient of a convolution. At stride 1 it is itself a convolution of dY with the
 * spatially flipped, in/out-transposed kernel (ONNX Runtime's Conv kernels are several times
 * faster than its ConvTranspose on CPU); otherwise a ConvTranspose with the same weights.
 */
function convInputGrad(g: Graph, dy: Tensor, w: Tensor, geo: Conv2dGeometry, opad: number[]): Tensor {
  const [kh, kw] = geo.k;
  const [dh, dw] = geo.dilations;
  const full = [(kh - 1) * dh - geo.pads[0], (kw - 1) * dw - geo.pads[1], (kh - 1) * dh - geo.pads[2], (kw - 1) * dw - geo.pads[3]];
  if (geo.group === 1 && geo.strides[0] === 1 && geo.strides[1] === 1 && full.every((p) => p >= 0) && convInputGradMethod === 'conv') {
    const wt = transpose(g, w, [1, 0, 2, 3]);
    const wf = kh === 1 && kw === 1 ? wt : slice(g, wt, [-1, -1], [-kh - 1, -kw - 1], [2, 3], [-1, -1]);
    return g.op1('Conv', [dy, wf], { strides: [1, 1], dilations: [dh, dw], pads: full }, 'dgrad');
  }
  return g.op1('ConvTranspose', [dy, w], {
    strides: geo.strides, dilations: geo.dilations, pads: geo.pads, group: geo.group, output_padding: opad,
  }, 'dgrad');
}

let convInputGradMethod: 'conv' | 'convtranspose' = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MEDCOLOR_DGRAD === 'convtranspose' ? 'convtranspose' : 'conv';

/** Chooses how stride-1 Conv input gradients are emitted (for benchmarks). */
export function setConvInputGradMethod(m: 'conv' | 'convtranspose'): void {
  convInputGradMethod = m;
}

type ConvRuleArgs = {
  g: Graph;
  attrs: Record<string, AttrValue>;
  x: Tensor;
  w: Tensor;
  b?: Tensor;
  y: Tensor;
  dy: Tensor;
  needs: boolean[];
};

/**
 * 1-D convolutions reuse the 2-D rules on [N, C, 1, L] views: attributes get a leading
 * spatial axis of size 1 (kernel 1, stride 1, no pads), and the gradients are squeezed back.
 */
function liftTo2d(rule: (a: ConvRuleArgs) => (Tensor | undefined)[], a: ConvRuleArgs, op: string): (Tensor | undefined)[] {
  const rank = a.x.shape.length;
  if (rank === 4) return rule(a);
  if (rank !== 3) throw new Error(`${op} VJP: only 1-D and 2-D convolutions are supported (input rank ${rank})`);
  const { g } = a;
  const up = (t: Tensor) => g.op1('Unsqueeze', [t, g.ints([2])]);
  const at = a.attrs;
  const lifted: Record<string, AttrValue> = { ...at };
  const pre = (name: string, v: number) => {
    if (at[name] !== undefined) lifted[name] = [v, ...(at[name] as number[])];
  };
  pre('kernel_shape', 1);
  pre('strides', 1);
  pre('dilations', 1);
  pre('output_padding', 0);
  pre('output_shape', 1);
  if (at.pads !== undefined) {
    const p = at.pads as number[];
    lifted.pads = [0, p[0], 0, p[1]];
  }
  const fake = (t: Tensor): Tensor => ({ name: t.name, dtype: t.dtype, shape: [t.shape[0], t.shape[1], 1, t.shape[2]] });
  const r = rule({ ...a, attrs: lifted, x: up(a.x), w: up(a.w), y: fake(a.y), dy: up(a.dy) });
  return r.map((t, i) => (t && i < 2 ? g.op1('Squeeze', [t, g.ints([2])]) : t));
}

function convRule({ g, attrs, x, w, b, dy, needs }: ConvRuleArgs): (Tensor | undefined)[] {
  const geo = geometry(attrs, w, x);
  const out: (Tensor | undefined)[] = [undefined, undefined, undefined];
  if (needs[0]) {
    const [, , h, wd] = x.shape;
    const [, , ho, wo] = dy.shape;
    const opad = [
      h - ((ho - 1) * geo.strides[0] + (geo.k[0] - 1) * geo.dilations[0] + 1 - geo.pads[0] - geo.pads[2]),
      wd - ((wo - 1) * geo.strides[1] + (geo.k[1] - 1) * geo.dilations[1] + 1 - geo.pads[1] - geo.pads[3]),
    ];
    out[0] = convInputGrad(g, dy, w, geo, opad);
  }
  if (needs[1]) out[1] = convWeightGrad(g, x, dy, geo);
  if (b && needs[2]) out[2] = reduceSum(g, dy, [0, 2, 3], false);
  return out;
}

function convTransposeRule({ g, attrs, x, w, b, y, dy, needs }: ConvRuleArgs): (Tensor | undefined)[] {
  const geo = geometry(attrs, w, x, y);
  const out: (Tensor | undefined)[] = [undefined, undefined, undefined];
  // ConvTranspose is the adjoint of Conv with the same weights.
  if (needs[0]) {
    out[0] = g.op1('Conv', [dy, w], { strides: geo.strides, dilations: geo.dilations, pads: geo.pads, group: geo.group }, 'dgrad');
  }
  if (needs[1]) {
    // W: [Cin, Cout/group, k, k]; the weight gradient of the adjoint conv with the roles of
    // input and output gradient exchanged.
    out[1] = convWeightGrad(g, dy, x, geo);
  }
  if (b && needs[2]) out[2] = reduceSum(g, dy, [0, 2, 3], false);
  return out;
}

registerVjp('Conv', ({ g, node, inputs: [x, w, b], outputs: [y], dOut: [dy], needs }) => {
  if (!dy) return [undefined, undefined, undefined];
  return liftTo2d(convRule, { g, attrs: node.attrs, x: x!, w: w!, b, y, dy, needs }, 'Conv');
});

registerVjp('ConvTranspose', ({ g, node, inputs: [x, w, b], outputs: [y], dOut: [dy], needs }) => {
  if (!dy) return [undefined, undefined, undefined];
  return liftTo2d(convTransposeRule, { g, attrs: node.attrs, x: x!, w: w!, b, y, dy, needs }, 'ConvTranspose');
});
