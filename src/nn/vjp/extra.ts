/**
 * VJP rules of the normalization, pooling, resampling, softmax and assorted ops that
 * vjp/core.ts and vjp/conv.ts do not cover. Every rule emits standard ONNX ops (opset 17)
 * that ONNX Runtime's CPU provider runs; each one is checked against central finite
 * differences in test/nn/vjp.test.ts.
 *
 * Importing this module registers the rules (src/nn/index.ts does so).
 *
 * @example
 * import './vjp/extra.js';
 * const [dx] = gradients(g, loss, [x]); // through MaxPool, Resize, Softmax, ...
 */
import { registerVjp } from '../autodiff.js';
import type { AttrValue, Graph, Tensor } from '../graph.js';
import { Graph as GraphClass } from '../graph.js';
import { explicitPads, int as numAttr, ints as intsAttr } from '../shape-infer.js';
import { div, expandTo, mul, mulScalar, reduceMean, reduceSum, reshape, sub, sumToShape, transpose, zeros } from '../ops.js';

const size = (shape: readonly number[]) => GraphClass.size(shape);

function strAttr(v: AttrValue | undefined, fallback: string): string {
  return typeof v === 'string' ? v : fallback;
}
function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
/** A float32 constant of the given shape and data. */
function floatConst(g: Graph, shape: number[], data: Float32Array, stem: string): Tensor {
  return g.constant({ dtype: 'float32', shape, data }, stem);
}

// ---- normalization -------------------------------------------------------------------------
/**
 * InstanceNormalization: statistics per (n, c) over the spatial axes.
 * dX = scale/sigma * (dY - mean(dY) - xhat * mean(dY * xhat)); dScale = sum(dY * xhat); dB = sum(dY).
 */
registerVjp('InstanceNormalization', ({ g, node, inputs: [x, scale], dOut: [dy], needs }) => {
  const out: (Tensor | undefined)[] = [undefined, undefined, undefined];
  if (!dy) return out;
  const eps = numAttr(node.attrs.epsilon, 1e-5);
  const r = x!.shape.length;
  const c = x!.shape[1];
  const spatial = [...Array(r - 2).keys()].map((i) => i + 2);
  const bshape = [1, c, ...spatial.map(() => 1)];
  const mean = reduceMean(g, x!, spatial, true);
  const xc = sub(g, x!, mean);
  const variance = reduceMean(g, mul(g, xc, xc), spatial, true);
  const inv = g.op1('Reciprocal', [g.op1('Sqrt', [g.op1('Add', [variance, g.scalar(eps)])])]);
  const xhat = mul(g, xc, inv);
  const dyXhat = mul(g, dy, xhat);
  if (needs[0]) {
    const k = mul(g, reshape(g, scale!, bshape), inv);
    const centered = sub(g, sub(g, dy, reduceMean(g, dy, spatial, true)), mul(g, xhat, reduceMean(g, dyXhat, spatial, true)));
    out[0] = mul(g, k, centered);
  }
  if (needs[1]) out[1] = reduceSum(g, dyXhat, [0, ...spatial], false);
  if (needs[2]) out[2] = reduceSum(g, dy, [0, ...spatial], false);
  return out;
});

// ---- pooling -------------------------------------------------------------------------------
/**
 * MaxPool: the gradient of each window goes to the input element that won it. The winners come
 * from MaxPool's Indices output (flat indices into the whole input, row-major: storage_order 0);
 * a ScatterElements with reduction 'add' over the flattened input accumulates windows that
 * share a winner, so overlapping windows (stride < kernel) are exact.
 */
registerVjp('MaxPool', ({ g, node, inputs: [x], outputs, dOut: [dy] }) => {
  if (!dy) return [undefined];
  let idx = outputs[1] && numAttr(node.attrs.storage_order, 0) === 0 ? outputs[1] : undefined;
  if (!idx) idx = g.op('MaxPool', [x!], { ...node.attrs, storage_order: 0 }, 2, 'maxpool_argmax')[1];
  const total = size(x!.shape);
  const flatIdx = reshape(g, idx, [size(idx.shape)]);
  const flatDy = reshape(g, dy, [size(dy.shape)]);
  const dxFlat = g.op1('ScatterElements', [zeros(g, [total]), flatIdx, flatDy], { axis: 0, reduction: 'add' }, 'maxpool_grad');
  return [reshape(g, dxFlat, x!.shape)];
});

/**
 * Number of input elements each AveragePool window divides by, along one axis: the window
 * [o*s - padBegin, o*s - padBegin + k) clipped to the padded extent [-padBegin, L + padEnd)
 * when padding counts, or to the real extent [0, L) when it does not (ONNX Runtime's rule,
 * which also covers the overhanging last window of ceil_mode).
 */
function poolCounts(L: number, Lo: number, k: number, s: number, pb: number, pe: number, includePad: boolean): number[] {
  const counts: number[] = [];
  for (let o = 0; o < Lo; o++) {
    const start = o * s - pb;
    const end = Math.min(start + k, L + pe);
    counts.push(includePad ? end - start : Math.min(end, L) - Math.max(start, 0));
  }
  return counts;
}

/**
 * AveragePool (count_include_pad 0 or 1, ceil_mode, any number of spatial axes): dY is divided
 * by each window's count (a constant map, separable over axes), then spread back over the
 * windows with a depthwise ConvTranspose whose kernel is all ones.
 */
registerVjp('AveragePool', ({ g, node, inputs: [x], dOut: [dy] }) => {
  if (!dy) return [undefined];
  const xs = x!.shape;
  const sp = xs.length - 2;
  const k = intsAttr(node.attrs.kernel_shape, []);
  const strides = intsAttr(node.attrs.strides, Array(sp).fill(1));
  const dil = intsAttr(node.attrs.dilations, Array(sp).fill(1));
  const pads = explicitPads(node.attrs, xs.slice(2), k, strides, dil);
  if (dil.some((d) => d !== 1)) throw new Error('AveragePool VJP: dilations other than 1 are not supported');
  const includePad = numAttr(node.attrs.count_include_pad, 0) === 1;
  const c = xs[1];
  // Reciprocal count map [1, 1, Lo_0, Lo_1, ...] as the outer product of per-axis counts.
  const perAxis = [...Array(sp).keys()].map((i) =>
    poolCounts(xs[2 + i], dy.shape[2 + i], k[i], strides[i], pads[i], pads[i + sp], includePad),
  );
  const outSpatial = dy.shape.slice(2);
  const recip = new Float32Array(size(outSpatial));
  for (let flat = 0; flat < recip.length; flat++) {
    let rem = flat;
    let count = 1;
    for (let i = sp - 1; i >= 0; i--) {
      const o = rem % outSpatial[i];
      rem = Math.floor(rem / outSpatial[i]);
      count *= perAxis[i][o];
    }
    recip[flat] = 1 / count;
  }
  const scaled = mul(g, dy, floatConst(g, [1, 1, ...outSpatial], recip, 'avgpool_rcount'));
  const ones = floatConst(g, [c, 1, ...k], new Float32Array(c * size(k)).fill(1), 'avgpool_ones');
  // ConvTranspose output extent: s*(Lo-1) + outPad + k - padBegin - padEnd must equal L.
  const tPads = [...pads];
  const outPad: number[] = [];
  for (let i = 0; i < sp; i++) {
    let op = xs[2 + i] + pads[i] + pads[i + sp] - strides[i] * (dy.shape[2 + i] - 1) - k[i];
    if (op < 0) {
      // ceil_mode windows overhang the padded input: crop more at the end instead.
      tPads[i + sp] -= op;
      op = 0;
    }
    outPad.push(op);
  }
  return [g.op1('ConvTranspose', [scaled, ones], { strides, pads: tPads, group: c, output_padding: outPad, kernel_shape: k }, 'avgpool_grad')];
});

registerVjp('GlobalAveragePool', ({ g, inputs: [x], dOut: [dy] }) => {
  if (!dy) return [undefined];
  const n = size(x!.shape.slice(2));
  return [expandTo(g, mulScalar(g, dy, 1 / n), x!.shape)];
});

/** GlobalMaxPool: dY goes to the elements equal to their channel's maximum (shared among ties). */
registerVjp('GlobalMaxPool', ({ g, inputs: [x], outputs: [y], dOut: [dy] }) => {
  if (!dy) return [undefined];
  return [maxMaskGrad(g, x!, y, dy, x!.shape.slice(2).map((_, i) => i + 2))];
});

/** dX for max/min reductions: dY spread evenly over the elements that attain the extreme. */
function maxMaskGrad(g: Graph, x: Tensor, yKeep: Tensor, dyKeep: Tensor, axes: number[]): Tensor {
  const mask = g.op1('Cast', [g.op1('Equal', [x, yKeep])], { to: 1 });
  const count = reduceSum(g, mask, axes, true);
  return mul(g, mask, div(g, dyKeep, count));
}

// ---- reductions ----------------------------------------------------------------------------
function attrAxes(node: { attrs: Record<string, AttrValue> }, rank: number): number[] {
  const axes = intsAttr(node.attrs.axes, []);
  if (axes.length === 0) return [...Array(rank).keys()];
  return axes.map((a) => normAxis(a, rank));
}
function keep(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}
for (const op of ['ReduceMax', 'ReduceMin']) {
  registerVjp(op, ({ g, node, inputs: [x], outputs: [y], dOut: [dy] }) => {
    if (!dy) return [undefined];
    const axes = attrAxes(node, x!.shape.length);
    const ks = keep(x!.shape, axes);
    return [maxMaskGrad(g, x!, reshape(g, y, ks), reshape(g, dy, ks), axes)];
  });
}
/** ReduceL2: y = sqrt(sum x^2), dX = dY * x / y. */
registerVjp('ReduceL2', ({ g, node, inputs: [x], outputs: [y], dOut: [dy] }) => {
  if (!dy) return [undefined];
  const axes = attrAxes(node, x!.shape.length);
  const ks = keep(x!.shape, axes);
  return [mul(g, x!, div(g, reshape(g, dy, ks), reshape(g, y, ks)))];
});

// ---- resampling ----------------------------------------------------------------------------
/**
 * The source coordinate of output index `o` along one axis, as ONNX (and ONNX Runtime)
 * define coordinate_transformation_mode.
 */
function sourceCoord(mode: string, o: number, L: number, Lo: number, scale: number): number {
  switch (mode) {
    case 'half_pixel':
      return (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return Lo > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return Lo === 1 ? 0 : (o * (L - 1)) / (Lo - 1);
    case 'asymmetric':
      return o / scale;
    case 'tf_half_pixel_for_nn':
      return (o + 0.5) / scale;
  }
  throw new Error(
    `Resize VJP: coordinate_transformation_mode '${mode}' is not supported; valid: half_pixel, pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn`,
  );
}

function nearestIndex(mode: string, x: number, L: number): number {
  let i: number;
  const fl = Math.floor(x);
  switch (mode) {
    case 'round_prefer_floor':
      i = x === fl + 0.5 ? fl : Math.round(x);
      break;
    case 'round_prefer_ceil':
      i = x === fl + 0.5 ? fl + 1 : Math.round(x);
      break;
    case 'floor':
      i = fl;
      break;
    case 'ceil':
      i = Math.ceil(x);
      break;
    default:
      throw new Error(`Resize VJP: nearest_mode '${mode}' is not supported; valid: round_prefer_floor, round_prefer_ceil, floor, ceil`);
  }
  return Math.max(0, Math.min(L - 1, i));
}

/** Options describing one Resize node, as read from its attributes. */
export interface ResizeAxisSpec {
  mode: string;
  coord: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
}

/**
 * The interpolation matrix M [Lo, L] of a Resize along one axis, so that y = M x along that
 * axis. Mirrors ONNX Runtime's CPU kernel: linear clamps the source coordinate to [0, L-1];
 * cubic uses Keys' kernel with coefficient `cubic_coeff_a` and edge replication (or zero
 * weights renormalized when exclude_outside=1).
 *
 * @example
 * resizeMatrix(4, 8, 2, { mode: 'linear', coord: 'half_pixel', nearest: 'round_prefer_floor', cubicA: -0.75, excludeOutside: false });
 */
export function resizeMatrix(L: number, Lo: number, scale: number, spec: ResizeAxisSpec): Float32Array {
  const m = new Float32Array(Lo * L);
  for (let o = 0; o < Lo; o++) {
    const x = sourceCoord(spec.coord, o, L, Lo, scale);
    const row = o * L;
    if (spec.mode === 'nearest') {
      m[row + nearestIndex(spec.nearest, x, L)] = 1;
    } else if (spec.mode === 'linear') {
      const xc = Math.max(0, Math.min(L - 1, x));
      const x1 = Math.min(Math.floor(xc), L - 1);
      const x2 = Math.min(x1 + 1, L - 1);
      const w2 = xc - x1;
      m[row + x1] += 1 - w2;
      m[row + x2] += w2;
    } else if (spec.mode === 'cubic') {
      const a = spec.cubicA;
      const xi = Math.floor(x);
      const t = x - xi;
      const cubic = (d: number) => {
        const s = Math.abs(d);
        if (s <= 1) return ((a + 2) * s - (a + 3)) * s * s + 1;
        if (s < 2) return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
        return 0;
      };
      const taps = [-1, 0, 1, 2].map((j) => ({ i: xi + j, w: cubic(t - j) }));
      if (spec.excludeOutside) {
        const inside = taps.filter((p) => p.i >= 0 && p.i < L);
        const total = inside.reduce((s, p) => s + p.w, 0);
        for (const p of inside) m[row + p.i] += p.w / total;
      } else {
        for (const p of taps) m[row + Math.max(0, Math.min(L - 1, p.i))] += p.w;
      }
    } else {
      throw new Error(`Resize VJP: mode '${spec.mode}' is not supported; valid: nearest, linear, cubic`);
    }
  }
  return m;
}

function isIdentity(m: Float32Array, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (m[i * n + j] !== (i === j ? 1 : 0)) return false;
  return true;
}

/**
 * Resize (nearest, linear, cubic; any integer or fractional scale, scales or sizes given) is
 * separable and linear in X: along each resized axis y = M x with a constant interpolation
 * matrix M, so dX = M^T dY per axis, one MatMul each (the general route: it covers every
 * coordinate mode and scale, not only the half-pixel 2x case a fixed ConvTranspose would).
 */
registerVjp('Resize', ({ g, node, inputs: [x, , scalesT], outputs: [y], dOut: [dy] }) => {
  if (!dy) return [undefined, undefined, undefined, undefined];
  const coord = strAttr(node.attrs.coordinate_transformation_mode, 'half_pixel');
  if (coord === 'tf_crop_and_resize') throw new Error("Resize VJP: coordinate_transformation_mode 'tf_crop_and_resize' is not supported");
  if (numAttr(node.attrs.antialias, 0) !== 0) throw new Error('Resize VJP: antialias is not supported');
  const spec: ResizeAxisSpec = {
    mode: strAttr(node.attrs.mode, 'nearest'),
    coord,
    nearest: strAttr(node.attrs.nearest_mode, 'round_prefer_floor'),
    cubicA: numAttr(node.attrs.cubic_coeff_a, -0.75),
    excludeOutside: numAttr(node.attrs.exclude_outside, 0) === 1,
  };
  const xs = x!.shape;
  const r = xs.length;
  const scales = scalesT ? g.constValues(scalesT) : undefined;
  let t = dy;
  for (let a = 0; a < r; a++) {
    const L = xs[a];
    const Lo = y.shape[a];
    // ONNX Runtime uses the given scale, or output/input as a float when sizes are given.
    const scale = scales && scales.length ? scales[a] : Math.fround(Lo / L);
    const m = resizeMatrix(L, Lo, scale, spec);
    if (L === Lo && isIdentity(m, L)) continue;
    const cur = t.shape;
    if (a === r - 1) {
      // [..., Lo] x [Lo, L]
      t = g.op1('MatMul', [t, floatConst(g, [Lo, L], m, 'resize_m')], {}, 'resize_grad');
    } else if (a === r - 2) {
      // [L, Lo] x [..., Lo, W]
      t = g.op1('MatMul', [floatConst(g, [L, Lo], transposeMatrix(m, Lo, L), 'resize_mt'), t], {}, 'resize_grad');
    } else {
      const perm = [...Array(r).keys()];
      [perm[a], perm[r - 1]] = [perm[r - 1], perm[a]];
      const moved = transpose(g, t, perm);
      const mm = g.op1('MatMul', [moved, floatConst(g, [Lo, L], m, 'resize_m')], {}, 'resize_grad');
      t = transpose(g, mm, perm);
    }
    void cur;
  }
  return [t, undefined, undefined, undefined];
});

function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j];
  return out;
}

// ---- softmax -------------------------------------------------------------------------------
/** Softmax along one axis (opset 13+): dX = y * (dY - sum(dY * y)). */
registerVjp('Softmax', ({ g, node, outputs: [y], dOut: [dy] }) => {
  if (!dy) return [undefined];
  const axis = normAxis(numAttr(node.attrs.axis, -1), y.shape.length);
  const s = reduceSum(g, mul(g, dy, y), [axis], true);
  return [mul(g, y, sub(g, dy, s))];
});
/** LogSoftmax: dX = dY - exp(y) * sum(dY). */
registerVjp('LogSoftmax', ({ g, node, outputs: [y], dOut: [dy] }) => {
  if (!dy) return [undefined];
  const axis = normAxis(numAttr(node.attrs.axis, -1), y.shape.length);
  const s = reduceSum(g, dy, [axis], true);
  return [sub(g, dy, mul(g, g.op1('Exp', [y]), s))];
});

// ---- unary activations ---------------------------------------------------------------------
/** Elu: dY where x > 0, else dY * (y + alpha). */
registerVjp('Elu', ({ g, node, inputs: [x], outputs: [y], dOut: [dy] }) => {
  const alpha = numAttr(node.attrs.alpha, 1);
  const neg = mul(g, dy!, g.op1('Add', [y, g.scalar(alpha)]));
  return [g.op1('Where', [g.op1('Greater', [x!, g.scalar(0)]), dy!, neg])];
});
/** HardSigmoid y = max(0, min(1, alpha x + beta)): slope alpha strictly inside (0, 1). */
registerVjp('HardSigmoid', ({ g, node, inputs: [x], dOut: [dy] }) => {
  const alpha = numAttr(node.attrs.alpha, 0.2);
  const beta = numAttr(node.attrs.beta, 0.5);
  const z = g.op1('Add', [mulScalar(g, x!, alpha), g.scalar(beta)]);
  const inside = g.op1('And', [g.op1('Greater', [z, g.scalar(0)]), g.op1('Less', [z, g.scalar(1)])]);
  return [g.op1('Where', [inside, mulScalar(g, dy!, alpha), g.scalar(0)])];
});
/** Erf: d/dx erf(x) = 2/sqrt(pi) exp(-x^2). */
registerVjp('Erf', ({ g, inputs: [x], dOut: [dy] }) => {
  const e = g.op1('Exp', [g.op1('Neg', [mul(g, x!, x!)])]);
  return [mul(g, dy!, mulScalar(g, e, 2 / Math.sqrt(Math.PI)))];
});
/** PRelu y = x > 0 ? x : slope * x (slope broadcast to x). */
registerVjp('PRelu', ({ g, inputs: [x, slope], dOut: [dy], needs }) => {
  const pos = g.op1('Greater', [x!, g.scalar(0)]);
  return [
    needs[0] ? g.op1('Where', [pos, dy!, sumToShape(g, mul(g, dy!, slope!), x!.shape)]) : undefined,
    needs[1] ? sumToShape(g, g.op1('Where', [pos, g.scalar(0), mul(g, dy!, x!)]), slope!.shape) : undefined,
  ];
});

/**
 * Dropout: identity in inference mode (no training_mode input, or a constant false). In
 * training mode the gradient is masked and scaled like the output, which needs the node's
 * mask output (the mask is random, so it cannot be recomputed).
 */
registerVjp('Dropout', ({ g, node, inputs: [, ratio, training], outputs, dOut: [dy] }) => {
  if (!dy) return [undefined, undefined, undefined];
  const flag = training ? g.constValues(training) : [0];
  if (flag && flag[0] === 0) return [dy, undefined, undefined];
  const mask = outputs[1];
  if (!mask) {
    throw new Error(`Dropout VJP: node ${node.name} runs in training mode; add its mask output (nOut = 2) so the gradient can reuse it`);
  }
  const r = ratio ? ratio : g.scalar(0.5);
  let scale: Tensor = g.op1('Reciprocal', [sub(g, g.scalar(1), r)]);
  if (!flag) scale = g.op1('Where', [training!, scale, g.scalar(1)]);
  return [g.op1('Where', [mask, mul(g, dy, scale), g.scalar(0)]), undefined, undefined];
});

/** Cast: gradient passes through float -> float casts; none through casts to other types. */
registerVjp('Cast', ({ inputs: [x], outputs: [y], dOut: [dy] }) => [
  x!.dtype === 'float32' && y.dtype === 'float32' ? dy : undefined,
]);

// ---- shape ---------------------------------------------------------------------------------
/** Tile: the output is reps_i copies (rep-major) along each axis; sum the copies back. */
registerVjp('Tile', ({ g, inputs: [x, repsT], dOut: [dy] }) => {
  if (!dy) return [undefined, undefined];
  const reps = g.constValues(repsT!);
  if (!reps) throw new Error('Tile VJP: repeats must be a constant');
  const xs = x!.shape;
  if (reps.every((v) => v === 1)) return [dy, undefined];
  const split: number[] = [];
  const axes: number[] = [];
  xs.forEach((d, i) => {
    axes.push(split.length);
    split.push(reps[i], d);
  });
  const summed = reduceSum(g, reshape(g, dy, split), axes.filter((_, i) => reps[i] !== 1), false);
  return [reshape(g, summed, xs), undefined];
});

/** Mean of n inputs (broadcasting): each gets dY / n, summed to its shape. */
registerVjp('Mean', ({ g, inputs, dOut: [dy], needs }) => {
  const scaled = mulScalar(g, dy!, 1 / inputs.length);
  return inputs.map((t, i) => (needs[i] ? sumToShape(g, scaled, t!.shape) : undefined));
});
