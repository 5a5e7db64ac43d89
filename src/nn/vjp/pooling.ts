/**
 * VJP rules of the pooling ops: MaxPool (through its argmax indices), AveragePool (a depthwise
 * ConvTranspose of ones over the count-scaled gradient), GlobalAveragePool, GlobalMaxPool.
 */
import { registerVjp } from '../autodiff.js';
import { getIntsAttr, getNumberAttr, shapeSize } from '../ir.js';
import { expandTo, floatConstant, mul, mulScalar, reshape, zeros } from '../ops.js';
import { explicitPads } from '../shape-infer.js';
import { maxMaskGrad } from './reductions.js';

/**
 * MaxPool: the gradient of each window goes to the input element that won it. The winners come
 * from MaxPool's Indices output (flat indices into the whole input, row-major: storage_order 0);
 * a ScatterElements with reduction 'add' over the flattened input accumulates windows that
 * share a winner, so overlapping windows (stride < kernel) are exact.
 */
registerVjp('MaxPool', ({ g, node, inputs: [x], outputs, dOut: [dy] }) => {
  if (!dy) return [undefined];
  let idx = outputs[1] && getNumberAttr(node.attrs.storage_order, 0) === 0 ? outputs[1] : undefined;
  if (!idx) idx = g.op('MaxPool', [x!], { ...node.attrs, storage_order: 0 }, 2, 'maxpool_argmax')[1];
  const total = shapeSize(x!.shape);
  const flatIdx = reshape(g, idx, [shapeSize(idx.shape)]);
  const flatDy = reshape(g, dy, [shapeSize(dy.shape)]);
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
  const k = getIntsAttr(node.attrs.kernel_shape, []);
  const strides = getIntsAttr(node.attrs.strides, Array(sp).fill(1));
  const dil = getIntsAttr(node.attrs.dilations, Array(sp).fill(1));
  const pads = explicitPads(node.attrs, xs.slice(2), k, strides, dil);
  if (dil.some((d) => d !== 1)) throw new Error('AveragePool VJP: dilations other than 1 are not supported');
  const includePad = getNumberAttr(node.attrs.count_include_pad, 0) === 1;
  const c = xs[1];
  // Reciprocal count map [1, 1, Lo_0, Lo_1, ...] as the outer product of per-axis counts.
  const perAxis = [...Array(sp).keys()].map((i) =>
    poolCounts(xs[2 + i], dy.shape[2 + i], k[i], strides[i], pads[i], pads[i + sp], includePad),
  );
  const outSpatial = dy.shape.slice(2);
  const recip = new Float32Array(shapeSize(outSpatial));
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
  const scaled = mul(g, dy, floatConstant(g, [1, 1, ...outSpatial], recip, 'avgpool_rcount'));
  const ones = floatConstant(g, [c, 1, ...k], new Float32Array(c * shapeSize(k)).fill(1), 'avgpool_ones');
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
  const n = shapeSize(x!.shape.slice(2));
  return [expandTo(g, mulScalar(g, dy, 1 / n), x!.shape)];
});

/** GlobalMaxPool: dY goes to the elements equal to their channel's maximum (shared among ties). */
registerVjp('GlobalMaxPool', ({ g, inputs: [x], outputs: [y], dOut: [dy] }) => {
  if (!dy) return [undefined];
  return [maxMaskGrad(g, x!, y, dy, x!.shape.slice(2).map((_, i) => i + 2))];
});
