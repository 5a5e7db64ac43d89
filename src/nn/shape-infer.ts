/**
 * Static shape inference for the ONNX ops the graph builder supports (opset 17 semantics).
 * Shapes must be fully known; inputs that carry shapes (Reshape's shape, Slice's starts, ...)
 * must be constants.
 */
import { MedcolorError } from '../errors.js';
import type { AttrValue, ConstantSource, DType, Tensor } from './ir.js';
import { broadcastShapes, DTYPE_FROM_ONNX, getIntsAttr, getNumberAttr, normalizeAxis, shapeSize } from './ir.js';

export interface ShapeInfo {
  shape: number[];
  dtype: DType;
}

const UNARY = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Neg', 'Sqrt', 'Abs', 'Exp', 'Log', 'Identity', 'Reciprocal', 'Softplus',
  'Erf', 'Sign', 'Not', 'Clip', 'Softmax', 'LogSoftmax', 'Elu', 'HardSigmoid', 'Floor', 'Ceil', 'Round', 'Dropout',
]);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'And', 'Or', 'Mod', 'PRelu']);
const COMPARE = new Set(['Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual']);
const REDUCE = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceSumSquare', 'ReduceL2', 'ReduceProd']);

function need(g: ConstantSource, t: Tensor | undefined, what: string, op: string): number[] {
  if (!t) throw new Error(`${op}: missing ${what}`);
  const v = g.constValues(t);
  if (!v) throw new Error(`${op}: ${what} must be a constant`);
  return v;
}

/** Output spatial size of a convolution / pooling window. */
export function convOutSize(inp: number, k: number, stride: number, padBegin: number, padEnd: number, dilation: number, ceil = false): number {
  const eff = (k - 1) * dilation + 1;
  const v = (inp + padBegin + padEnd - eff) / stride;
  return (ceil ? Math.ceil(v) : Math.floor(v)) + 1;
}

/**
 * The explicit [begin..., end...] pads of a Conv or pooling node, resolving auto_pad
 * (SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the beginning, VALID pads nothing).
 *
 * @example
 * explicitPads({ auto_pad: 'SAME_UPPER', strides: [2, 2] }, [7, 6], [3, 3], [2, 2], [1, 1]); // [1, 0, 1, 1]
 */
export function explicitPads(
  attrs: Record<string, AttrValue>,
  spatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): number[] {
  const sp = spatial.length;
  const autoPad = typeof attrs.auto_pad === 'string' ? attrs.auto_pad : 'NOTSET';
  if (autoPad === 'NOTSET') return getIntsAttr(attrs.pads, Array(2 * sp).fill(0));
  if (autoPad === 'VALID') return Array(2 * sp).fill(0);
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') {
    throw new Error(`auto_pad '${autoPad}' is not valid; valid: NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  }
  const pads = Array(2 * sp).fill(0);
  for (let i = 0; i < sp; i++) {
    const out = Math.ceil(spatial[i] / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatial[i]);
    const small = Math.floor(total / 2);
    pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
    pads[i + sp] = total - pads[i];
  }
  return pads;
}

export function inferShapes(
  g: ConstantSource,
  op: string,
  inputs: (Tensor | undefined)[],
  attrs: Record<string, AttrValue>,
  nOut: number,
): ShapeInfo[] {
  const x = inputs[0];
  const xs = x ? [...x.shape] : [];
  const dt: DType = x?.dtype ?? 'float32';
  const one = (shape: number[], dtype: DType = dt): ShapeInfo[] => [{ shape, dtype }];

  if (UNARY.has(op)) {
    if (op === 'Dropout') return ([{ shape: xs, dtype: dt }, { shape: xs, dtype: 'bool' }] as ShapeInfo[]).slice(0, nOut);
    return one(xs);
  }
  if (BINARY.has(op)) return one(broadcastShapes(xs, inputs[1]!.shape));
  if (COMPARE.has(op)) return one(broadcastShapes(xs, inputs[1]!.shape), 'bool');
  if (op === 'Sum' || op === 'Mean') return one(inputs.reduce((a, t) => broadcastShapes(a, t!.shape), [] as number[]));
  if (op === 'Where') {
    return one(broadcastShapes(broadcastShapes(xs, inputs[1]!.shape), inputs[2]!.shape), inputs[1]!.dtype);
  }
  if (op === 'Cast') return one(xs, DTYPE_FROM_ONNX[getNumberAttr(attrs.to, 1)]);
  if (REDUCE.has(op)) {
    const keep = getNumberAttr(attrs.keepdims, 1) === 1;
    let axes: number[] | undefined;
    if (op === 'ReduceMean' || op === 'ReduceMax' || op === 'ReduceMin' || op === 'ReduceL2' || op === 'ReduceProd' || op === 'ReduceSumSquare') {
      axes = attrs.axes !== undefined ? getIntsAttr(attrs.axes, []) : undefined;
    } else {
      axes = inputs[1] ? need(g, inputs[1], 'axes', op) : undefined;
    }
    const all = axes === undefined || axes.length === 0;
    const set = new Set((axes ?? []).map((a) => normalizeAxis(a, xs.length)));
    const out: number[] = [];
    xs.forEach((d, i) => {
      if (all || set.has(i)) {
        if (keep) out.push(1);
      } else out.push(d);
    });
    return one(out);
  }
  switch (op) {
    case 'Conv': {
      const w = inputs[1]!.shape;
      const sp = xs.length - 2;
      const k = getIntsAttr(attrs.kernel_shape, w.slice(2));
      const strides = getIntsAttr(attrs.strides, Array(sp).fill(1));
      const dil = getIntsAttr(attrs.dilations, Array(sp).fill(1));
      const pads = explicitPads(attrs, xs.slice(2), k, strides, dil);
      const out = [xs[0], w[0]];
      for (let i = 0; i < sp; i++) out.push(convOutSize(xs[2 + i], k[i], strides[i], pads[i], pads[i + sp], dil[i]));
      return one(out);
    }
    case 'ConvTranspose': {
      const w = inputs[1]!.shape;
      const group = getNumberAttr(attrs.group, 1);
      const sp = xs.length - 2;
      const out = [xs[0], w[1] * group];
      const outputShape = getIntsAttr(attrs.output_shape, []);
      if (outputShape.length) return one([...out, ...outputShape.slice(-sp)]);
      const autoPad = typeof attrs.auto_pad === 'string' ? attrs.auto_pad : 'NOTSET';
      const strides = getIntsAttr(attrs.strides, Array(sp).fill(1));
      if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return one([...out, ...xs.slice(2).map((d, i) => d * strides[i])]);
      const dil = getIntsAttr(attrs.dilations, Array(sp).fill(1));
      const pads = autoPad === 'VALID' ? Array(2 * sp).fill(0) : getIntsAttr(attrs.pads, Array(2 * sp).fill(0));
      const outPad = getIntsAttr(attrs.output_padding, Array(sp).fill(0));
      for (let i = 0; i < sp; i++) {
        out.push(strides[i] * (xs[2 + i] - 1) + outPad[i] + (w[2 + i] - 1) * dil[i] + 1 - pads[i] - pads[i + sp]);
      }
      return one(out);
    }
    case 'BatchNormalization': {
      const c = [xs[1]];
      return [{ shape: xs, dtype: dt }, { shape: c, dtype: dt }, { shape: c, dtype: dt }].slice(0, nOut);
    }
    case 'InstanceNormalization':
      return one(xs);
    case 'MaxPool':
    case 'AveragePool': {
      const k = getIntsAttr(attrs.kernel_shape, []);
      const sp = k.length;
      const strides = getIntsAttr(attrs.strides, Array(sp).fill(1));
      const dil = getIntsAttr(attrs.dilations, Array(sp).fill(1));
      const pads = explicitPads(attrs, xs.slice(2), k, strides, dil);
      const ceil = getNumberAttr(attrs.ceil_mode, 0) === 1;
      const out = [xs[0], xs[1]];
      for (let i = 0; i < sp; i++) {
        const o = convOutSize(xs[2 + i], k[i], strides[i], pads[i], pads[i + sp], dil[i], ceil);
        if (ceil && (o - 1) * strides[i] >= xs[2 + i] + pads[i]) {
          // ORT's kernels drop a last window that starts in the end padding (as PyTorch does)
          // while the ONNX shape inference ORT runs at load time keeps it, so no static-shape
          // graph around such a node loads and runs: refuse it here, where it is clear why.
          throw new MedcolorError(
            'ERR_NN_POOL_CEIL_MODE',
            `${op}: with ceil_mode=1 the last window along spatial axis ${i} (input ${xs[2 + i]}, kernel ${k[i]}, stride ${strides[i]}, pads ${pads[i]}/${pads[i + sp]}) would start in the end padding; ONNX Runtime's kernel makes ${o - 1} windows where ONNX shape inference expects ${o}. Use ceil_mode=0 or reduce the end pad.`,
          );
        }
        out.push(o);
      }
      return Array(nOut).fill(0).map((_, k2) => ({ shape: out, dtype: k2 === 0 ? dt : 'int64' }));
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      return one([xs[0], xs[1], ...xs.slice(2).map(() => 1)]);
    case 'Concat': {
      const axis = normalizeAxis(getNumberAttr(attrs.axis, 0), xs.length);
      const out = [...xs];
      out[axis] = inputs.reduce((s, t) => s + t!.shape[axis], 0);
      return one(out);
    }
    case 'Split': {
      const axis = normalizeAxis(getNumberAttr(attrs.axis, 0), xs.length);
      const sizes = inputs[1] ? need(g, inputs[1], 'split', op) : Array(nOut).fill(xs[axis] / nOut);
      return sizes.map((s) => {
        const o = [...xs];
        o[axis] = s;
        return { shape: o, dtype: dt };
      });
    }
    case 'Slice': {
      const starts = need(g, inputs[1], 'starts', op);
      const ends = need(g, inputs[2], 'ends', op);
      const axes = inputs[3] ? need(g, inputs[3], 'axes', op) : starts.map((_, i) => i);
      const steps = inputs[4] ? need(g, inputs[4], 'steps', op) : starts.map(() => 1);
      const out = [...xs];
      axes.forEach((a0, i) => {
        const a = normalizeAxis(a0, xs.length);
        const d = xs[a];
        const st = steps[i];
        let s = starts[i] < 0 ? starts[i] + d : starts[i];
        let e = ends[i] < 0 ? ends[i] + d : ends[i];
        if (st > 0) {
          s = Math.max(0, Math.min(s, d));
          e = Math.max(0, Math.min(e, d));
          out[a] = Math.max(0, Math.ceil((e - s) / st));
        } else {
          s = Math.max(-1, Math.min(s, d - 1));
          e = Math.max(-1, Math.min(e, d - 1));
          out[a] = Math.max(0, Math.ceil((e - s) / st));
        }
      });
      return one(out);
    }
    case 'Pad': {
      const pads = need(g, inputs[1], 'pads', op);
      const r = xs.length;
      const axes = inputs[3] ? need(g, inputs[3], 'axes', op).map((a) => normalizeAxis(a, r)) : xs.map((_, i) => i);
      const out = [...xs];
      axes.forEach((a, i) => (out[a] += pads[i] + pads[i + axes.length]));
      return one(out);
    }
    case 'Reshape': {
      const shape = need(g, inputs[1], 'shape', op);
      const total = shapeSize(xs);
      const out = shape.map((d, i) => (d === 0 ? xs[i] : d));
      const neg = out.indexOf(-1);
      if (neg >= 0) out[neg] = total / shapeSize(out.filter((_, i) => i !== neg));
      if (shapeSize(out) !== total) throw new Error(`Reshape: cannot reshape [${xs}] to [${shape}]`);
      return one(out);
    }
    case 'Flatten': {
      const axis = normalizeAxis(getNumberAttr(attrs.axis, 1), xs.length);
      return one([shapeSize(xs.slice(0, axis)), shapeSize(xs.slice(axis))]);
    }
    case 'Transpose': {
      const perm = getIntsAttr(attrs.perm, xs.map((_, i) => xs.length - 1 - i));
      return one(perm.map((p) => xs[p]));
    }
    case 'Squeeze': {
      const axes = inputs[1] ? need(g, inputs[1], 'axes', op).map((a) => normalizeAxis(a, xs.length)) : xs.map((d, i) => (d === 1 ? i : -1));
      return one(xs.filter((_, i) => !axes.includes(i)));
    }
    case 'Unsqueeze': {
      const axes0 = need(g, inputs[1], 'axes', op);
      const r = xs.length + axes0.length;
      const axes = axes0.map((a) => normalizeAxis(a, r)).sort((a, b) => a - b);
      const out = [...xs];
      for (const a of axes) out.splice(a, 0, 1);
      return one(out);
    }
    case 'Expand': {
      const shape = need(g, inputs[1], 'shape', op);
      return one(broadcastShapes(xs, shape));
    }
    case 'Tile': {
      const reps = need(g, inputs[1], 'repeats', op);
      return one(xs.map((d, i) => d * reps[i]));
    }
    case 'Resize': {
      const sizes = inputs[3] ? g.constValues(inputs[3]) : undefined;
      if (sizes && sizes.length) return one(sizes);
      const scales = need(g, inputs[2], 'scales', op);
      return one(xs.map((d, i) => Math.floor(d * scales[i])));
    }
    case 'MatMul': {
      const b = [...inputs[1]!.shape];
      if (xs.length === 1 || b.length === 1) throw new Error('MatMul: 1-D operands are not supported here');
      const batch = broadcastShapes(xs.slice(0, -2), b.slice(0, -2));
      return one([...batch, xs[xs.length - 2], b[b.length - 1]]);
    }
    case 'Gemm': {
      const b = inputs[1]!.shape;
      const m = getNumberAttr(attrs.transA, 0) ? xs[1] : xs[0];
      const n = getNumberAttr(attrs.transB, 0) ? b[0] : b[1];
      return one([m, n]);
    }
    case 'Shape':
      return one([xs.length], 'int64');
    case 'ScatterElements':
    case 'ScatterND':
      return one(xs);
    case 'GatherElements':
      return one([...inputs[1]!.shape]);
    case 'Gather': {
      const axis = normalizeAxis(getNumberAttr(attrs.axis, 0), xs.length);
      return one([...xs.slice(0, axis), ...inputs[1]!.shape, ...xs.slice(axis + 1)]);
    }
    case 'ConstantOfShape': {
      const shape = need(g, inputs[0], 'shape', op);
      const v = attrs.value as { tensor: { dtype: DType } } | undefined;
      return one(shape, v?.tensor.dtype ?? 'float32');
    }
    case 'Constant': {
      const v = attrs.value as { tensor: { dtype: DType; shape: number[] } };
      return one(v.tensor.shape, v.tensor.dtype);
    }
    case 'ArgMax':
    case 'ArgMin': {
      const axis = normalizeAxis(getNumberAttr(attrs.axis, 0), xs.length);
      const keep = getNumberAttr(attrs.keepdims, 1) === 1;
      const out = keep ? xs.map((d, i) => (i === axis ? 1 : d)) : xs.filter((_, i) => i !== axis);
      return one(out, 'int64');
    }
  }
  throw new Error(`shape inference: op '${op}' is not supported by the graph builder`);
}

/** The ops `inferShapes` supports (every op the graph builder can emit). */
export function shapeInferenceOps(): string[] {
  return [
    ...UNARY, ...BINARY, ...COMPARE, ...REDUCE, 'Sum', 'Mean', 'Where', 'Cast', 'Conv', 'ConvTranspose', 'BatchNormalization',
    'InstanceNormalization', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'Concat', 'Split', 'Slice', 'Pad',
    'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Expand', 'Tile', 'Resize', 'MatMul', 'Gemm', 'Shape',
    'ScatterElements', 'ScatterND', 'GatherElements', 'Gather', 'ConstantOfShape', 'Constant', 'ArgMax', 'ArgMin',
  ].sort();
}
