/**
 * Static shape inference (src/nn/shape-infer.ts) against what ONNX Runtime actually outputs:
 * every op the graph builder supports is run at least once, in the configurations whose
 * output size is easy to get wrong (pads, strides, dilations, ceil_mode, negative axes,
 * clamped slices, keepdims, broadcasting), and each output's dims and element type must equal
 * the inferred ones. A last test fails if a supported op has no case here.
 */
import { describe, expect, it } from 'vitest';
import { isMedcolorError } from '../../src/errors.js';
import { Graph } from '../../src/nn/graph.js';
import type { DType, Tensor } from '../../src/nn/ir.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { shapeInferenceOps } from '../../src/nn/shape-infer.js';
import { makeRng } from './fd-harness.js';

interface In {
  shape: number[];
  dtype?: DType;
  /** Explicit values (indices must be in range). */
  data?: Float32Array | BigInt64Array | Uint8Array;
}
interface ShapeCase {
  name: string;
  inputs: In[];
  build: (g: Graph, x: Tensor[]) => Tensor[];
}

const ORT_TYPE: Record<DType, string> = { float32: 'float32', int64: 'int64', bool: 'bool', int32: 'int32' };
const tested = new Set<string>();

async function expectOrtShapes(c: ShapeCase): Promise<void> {
  const g = new Graph(c.name.replace(/[^A-Za-z0-9_]/g, '_'));
  const rng = makeRng(c.name.length * 7919);
  const feeds: Record<string, ort.Tensor> = {};
  const xs = c.inputs.map((inp, i) => {
    const dtype = inp.dtype ?? 'float32';
    const t = g.input(`in${i}`, inp.shape, dtype);
    const n = Graph.size(inp.shape);
    let data = inp.data;
    if (!data) {
      if (dtype === 'bool') data = Uint8Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0));
      else if (dtype === 'int64') data = BigInt64Array.from({ length: n }, () => BigInt(1 + Math.floor(rng() * 5)));
      else data = Float32Array.from({ length: n }, () => 0.5 + rng());
    }
    feeds[t.name] = new ort.Tensor(ORT_TYPE[dtype] as 'float32', data as Float32Array, inp.shape);
    return t;
  });
  const start = g.nodes.length;
  const outs = c.build(g, xs);
  for (let i = start; i < g.nodes.length; i++) tested.add(g.nodes[i].op);
  const names = outs.map((o, k) => g.output(o, `out${k}`).name);
  const s = await createSession(g, { threads: 1 });
  try {
    const r = await s.run(feeds);
    names.forEach((n, k) => {
      expect(r[n].dims, `${c.name}: output ${k} dims`).toEqual(outs[k].shape);
      expect(r[n].type, `${c.name}: output ${k} type`).toBe(ORT_TYPE[outs[k].dtype]);
    });
  } finally {
    await s.release();
  }
}

const X = { shape: [2, 3, 5, 4] };
const f = (...shape: number[]): In => ({ shape });
const b = (...shape: number[]): In => ({ shape, dtype: 'bool' });
const i64 = (shape: number[], values: number[]): In => ({ shape, dtype: 'int64', data: BigInt64Array.from(values.map(BigInt)) });
const one = (op: string, attrs: Record<string, unknown> = {}) => (g: Graph, x: Tensor[]) => [g.op1(op, x, attrs as never)];
const floats = (g: Graph, v: number[]) => g.constant({ dtype: 'float32', shape: [v.length], data: Float32Array.from(v) }, 'fc');

const cases: ShapeCase[] = [];
for (const op of ['Relu', 'Sigmoid', 'Tanh', 'Neg', 'Sqrt', 'Abs', 'Exp', 'Log', 'Identity', 'Reciprocal', 'Softplus', 'Erf', 'Sign', 'Floor', 'Ceil', 'Round']) {
  cases.push({ name: op, inputs: [X], build: one(op) });
}
cases.push(
  { name: 'LeakyRelu', inputs: [X], build: one('LeakyRelu', { alpha: 0.1 }) },
  { name: 'Elu', inputs: [X], build: one('Elu', { alpha: 0.5 }) },
  { name: 'HardSigmoid', inputs: [X], build: one('HardSigmoid') },
  { name: 'Softmax', inputs: [X], build: one('Softmax', { axis: 1 }) },
  { name: 'LogSoftmax', inputs: [X], build: one('LogSoftmax') },
  { name: 'Not', inputs: [b(2, 3)], build: one('Not') },
  { name: 'Clip', inputs: [X], build: (g, [x]) => [g.op1('Clip', [x, g.scalar(0.6), g.scalar(1.2)])] },
  { name: 'Dropout 2 outputs', inputs: [X], build: (g, [x]) => g.op('Dropout', [x, g.scalar(0.3), g.constant({ dtype: 'bool', shape: [], data: Uint8Array.of(1) })], {}, 2) },
  { name: 'Dropout', inputs: [X], build: one('Dropout') },
);
for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min']) {
  cases.push({ name: `${op} broadcast`, inputs: [f(3, 1, 4), f(2, 1, 5, 1)], build: one(op) });
  cases.push({ name: `${op} scalar`, inputs: [X, f()], build: one(op) });
}
for (const op of ['Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual']) {
  cases.push({ name: op, inputs: [f(2, 3, 1), f(4)], build: one(op) });
}
cases.push(
  { name: 'And', inputs: [b(2, 1), b(3)], build: one('And') },
  { name: 'Or', inputs: [b(2, 3), b(2, 3)], build: one('Or') },
  { name: 'Mod int64', inputs: [i64([2, 3], [5, 7, 9, 11, 13, 15]), i64([3], [2, 3, 4])], build: one('Mod') },
  { name: 'Mod fmod', inputs: [f(2, 3), f(1)], build: one('Mod', { fmod: 1 }) },
  { name: 'PRelu', inputs: [X, f(3, 1, 1)], build: one('PRelu') },
  { name: 'Sum', inputs: [f(2, 3, 4), f(3, 1), f(4)], build: one('Sum') },
  { name: 'Mean', inputs: [f(3, 1), f(1, 4)], build: one('Mean') },
  { name: 'Where', inputs: [b(2, 1, 4), f(3, 1), f()], build: one('Where') },
  { name: 'Cast to int64', inputs: [X], build: one('Cast', { to: 7 }) },
  { name: 'Cast to bool', inputs: [X], build: one('Cast', { to: 9 }) },
  { name: 'Cast to int32', inputs: [X], build: one('Cast', { to: 6 }) },
);
for (const op of ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSumSquare', 'ReduceL2', 'ReduceProd']) {
  cases.push({ name: `${op} keepdims`, inputs: [X], build: one(op, { axes: [1, -1] }) });
  cases.push({ name: `${op} no keepdims`, inputs: [X], build: one(op, { axes: [0, 2], keepdims: 0 }) });
  cases.push({ name: `${op} all`, inputs: [X], build: one(op, { keepdims: 0 }) });
}
cases.push(
  { name: 'ReduceSum axes', inputs: [X], build: (g, [x]) => [g.op1('ReduceSum', [x, g.ints([-3])], { keepdims: 0 })] },
  { name: 'ReduceSum all keepdims', inputs: [X], build: (g, [x]) => [g.op1('ReduceSum', [x], { keepdims: 1 })] },
);
// Convolution and pooling geometry.
const convs: [string, number[], number[], Record<string, unknown>][] = [
  ['plain', [2, 3, 7, 6], [4, 3, 3, 3], {}],
  ['stride 2 pads', [2, 3, 7, 6], [4, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }],
  ['dilation asym pads', [1, 3, 9, 8], [2, 3, 3, 2], { dilations: [2, 3], pads: [0, 1, 2, 0] }],
  ['groups', [1, 4, 5, 5], [6, 2, 3, 3], { group: 2 }],
  ['1-D', [2, 3, 11], [4, 3, 3], { strides: [3] }],
  ['SAME_UPPER stride 2', [1, 3, 7, 6], [2, 3, 3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] }],
  ['SAME_LOWER', [1, 3, 7, 6], [2, 3, 4, 4], { auto_pad: 'SAME_LOWER' }],
  ['VALID', [1, 3, 7, 6], [2, 3, 3, 3], { auto_pad: 'VALID', strides: [2, 2] }],
];
for (const [label, xs, ws, attrs] of convs) cases.push({ name: `Conv ${label}`, inputs: [f(...xs), f(...ws)], build: one('Conv', attrs) });
const convTs: [string, number[], number[], Record<string, unknown>][] = [
  ['stride 2 output_padding', [2, 3, 4, 5], [3, 2, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 0] }],
  ['groups dilation', [1, 4, 4, 4], [4, 3, 3, 3], { group: 2, dilations: [2, 2] }],
  ['output_shape', [1, 3, 4, 4], [3, 2, 3, 3], { strides: [2, 2], output_shape: [8, 9] }],
  ['SAME_UPPER', [1, 3, 4, 5], [3, 2, 3, 3], { strides: [2, 2], auto_pad: 'SAME_UPPER' }],
];
for (const [label, xs, ws, attrs] of convTs) cases.push({ name: `ConvTranspose ${label}`, inputs: [f(...xs), f(...ws)], build: one('ConvTranspose', attrs) });
const pools: [string, number[], Record<string, unknown>][] = [
  ['2x2 s2', [2, 3, 7, 6], { kernel_shape: [2, 2], strides: [2, 2] }],
  ['3x3 s2 pads ceil', [1, 2, 6, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }],
  ['SAME_UPPER', [1, 2, 7, 6], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }],
  ['1-D', [2, 3, 9], { kernel_shape: [3], strides: [2] }],
];
for (const [label, xs, attrs] of pools) {
  cases.push({ name: `MaxPool ${label}`, inputs: [f(...xs)], build: (g, [x]) => g.op('MaxPool', [x], attrs as never, 2) });
  cases.push({ name: `AveragePool ${label}`, inputs: [f(...xs)], build: one('AveragePool', attrs) });
}
cases.push(
  { name: 'MaxPool dilation', inputs: [f(1, 2, 9, 9)], build: one('MaxPool', { kernel_shape: [3, 3], dilations: [2, 2], pads: [0, 1, 2, 0] }) },
  { name: 'GlobalAveragePool', inputs: [X], build: one('GlobalAveragePool') },
  { name: 'GlobalMaxPool', inputs: [f(2, 3, 4)], build: one('GlobalMaxPool') },
  { name: 'BatchNormalization inference', inputs: [X, f(3), f(3), f(3), f(3)], build: one('BatchNormalization') },
  { name: 'BatchNormalization training', inputs: [X, f(3), f(3), f(3), f(3)], build: (g, x) => g.op('BatchNormalization', x, { training_mode: 1 }, 3) },
  { name: 'InstanceNormalization', inputs: [X, f(3), f(3)], build: one('InstanceNormalization') },
);
// Shape manipulation.
cases.push(
  { name: 'Concat negative axis', inputs: [f(2, 1, 4), f(2, 3, 4)], build: one('Concat', { axis: -2 }) },
  { name: 'Split sizes', inputs: [X], build: (g, [x]) => g.op('Split', [x, g.ints([1, 4])], { axis: 2 }, 2) },
  { name: 'Split equal', inputs: [f(2, 6)], build: (g, [x]) => g.op('Split', [x], { axis: 1 }, 3) },
  { name: 'Slice clamped negative', inputs: [X], build: (g, [x]) => [g.op1('Slice', [x, g.ints([-4, 1]), g.ints([1000, -1]), g.ints([2, 3])])] },
  { name: 'Slice steps', inputs: [X], build: (g, [x]) => [g.op1('Slice', [x, g.ints([0, 3]), g.ints([5, -100]), g.ints([2, 3]), g.ints([2, -2])])] },
  { name: 'Slice default axes', inputs: [f(6, 7)], build: (g, [x]) => [g.op1('Slice', [x, g.ints([1, 2]), g.ints([5, 3])])] },
  { name: 'Slice reverse whole', inputs: [f(6, 7)], build: (g, [x]) => [g.op1('Slice', [x, g.ints([-1]), g.ints([Number.MIN_SAFE_INTEGER]), g.ints([1]), g.ints([-1])])] },
  { name: 'Pad', inputs: [X], build: (g, [x]) => [g.op1('Pad', [x, g.ints([0, 1, 2, 0, 1, 0, 1, 3])])] },
  { name: 'Pad negative (crop)', inputs: [X], build: (g, [x]) => [g.op1('Pad', [x, g.ints([0, 0, -1, 1, 0, 0, 2, -2])])] },
  { name: 'Reshape 0 and -1', inputs: [X], build: (g, [x]) => [g.op1('Reshape', [x, g.ints([0, -1, 2])])] },
  { name: 'Flatten axis 0', inputs: [X], build: one('Flatten', { axis: 0 }) },
  { name: 'Flatten axis -1', inputs: [X], build: one('Flatten', { axis: -1 }) },
  { name: 'Transpose default', inputs: [X], build: one('Transpose') },
  { name: 'Transpose perm', inputs: [X], build: one('Transpose', { perm: [0, 2, 3, 1] }) },
  { name: 'Squeeze axes', inputs: [f(2, 1, 3, 1)], build: (g, [x]) => [g.op1('Squeeze', [x, g.ints([-1])])] },
  { name: 'Squeeze all', inputs: [f(1, 2, 1, 3, 1)], build: one('Squeeze') },
  { name: 'Unsqueeze', inputs: [f(2, 3)], build: (g, [x]) => [g.op1('Unsqueeze', [x, g.ints([0, -1])])] },
  { name: 'Expand rank up', inputs: [f(3, 1)], build: (g, [x]) => [g.op1('Expand', [x, g.ints([2, 1, 4])])] },
  { name: 'Tile', inputs: [f(2, 3)], build: (g, [x]) => [g.op1('Tile', [x, g.ints([3, 2])])] },
  { name: 'Resize scales', inputs: [X], build: (g, [x]) => [g.op1('Resize', [x, undefined, floats(g, [1, 1, 2, 3])], { mode: 'nearest' })] },
  { name: 'Resize fractional scales', inputs: [f(1, 2, 7, 9)], build: (g, [x]) => [g.op1('Resize', [x, undefined, floats(g, [1, 1, 0.6, 1.7])], { mode: 'linear' })] },
  { name: 'Resize sizes', inputs: [X], build: (g, [x]) => [g.op1('Resize', [x, undefined, undefined, g.ints([2, 3, 9, 11])], { mode: 'linear' })] },
  { name: 'MatMul batched broadcast', inputs: [f(2, 1, 3, 4), f(5, 4, 6)], build: one('MatMul') },
  { name: 'Gemm transposed with C', inputs: [f(4, 3), f(5, 4), f(5)], build: one('Gemm', { transA: 1, transB: 1 }) },
  { name: 'Gemm', inputs: [f(3, 4), f(4, 5)], build: one('Gemm') },
  { name: 'Shape', inputs: [X], build: one('Shape') },
  { name: 'ConstantOfShape', inputs: [X], build: (g) => [g.op1('ConstantOfShape', [g.ints([2, 7])], { value: { tensor: { dtype: 'int64', shape: [1], data: BigInt64Array.of(3n) } } })] },
  { name: 'ConstantOfShape default', inputs: [X], build: (g) => [g.op1('ConstantOfShape', [g.ints([4])])] },
  { name: 'Constant', inputs: [X], build: (g) => [g.op1('Constant', [], { value: { tensor: { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) } } })] },
  { name: 'ArgMax', inputs: [X], build: one('ArgMax', { axis: 2 }) },
  { name: 'ArgMin no keepdims', inputs: [X], build: one('ArgMin', { axis: -1, keepdims: 0 }) },
  { name: 'ScatterElements', inputs: [f(3, 4), i64([2, 4], [0, 1, 2, 0, 2, 2, 1, 1]), f(2, 4)], build: one('ScatterElements', { axis: 0, reduction: 'add' }) },
  { name: 'ScatterND', inputs: [f(4, 3), i64([2, 1], [3, 0]), f(2, 3)], build: one('ScatterND') },
  { name: 'GatherElements', inputs: [f(3, 4), i64([2, 4], [0, 1, 2, 0, 2, 2, 1, 1])], build: one('GatherElements', { axis: 0 }) },
  { name: 'Gather', inputs: [X, i64([2, 2], [0, 2, 1, 1])], build: one('Gather', { axis: 1 }) },
  { name: 'Gather scalar index', inputs: [X, i64([], [3])], build: one('Gather', { axis: -1 }) },
);

describe('shape inference agrees with ONNX Runtime', () => {
  for (const c of cases) it(c.name, () => expectOrtShapes(c));
  it('refuses a ceil_mode window that would start in the end padding (ORT kernel and ONNX inference disagree)', async () => {
    for (const op of ['MaxPool', 'AveragePool']) {
      const attrs = { kernel_shape: [3, 3], strides: [3, 3], pads: [1, 1, 1, 1], ceil_mode: 1 };
      const g = new Graph('ceil');
      const x = g.input('x', [1, 1, 5, 5]);
      let err: unknown;
      try {
        g.op1(op, [x], attrs);
      } catch (e) {
        err = e;
      }
      expect(isMedcolorError(err, 'ERR_NN_POOL_CEIL_MODE')).toBe(true);
      // The kernel's side of the disagreement (ONNX shape inference says 3x3; ORT warns and
      // falls back to the kernel's 2x2 only because nothing consumes the output here).
      const g2 = new Graph('ceil2');
      const x2 = g2.input('x', [1, 1, 5, 5]);
      g2.nodes.push({ op, name: 'pool', inputs: [x2.name], outputs: ['y'], attrs });
      g2.tensors.set('y', { name: 'y', shape: [1, 1, 2, 2], dtype: 'float32' });
      g2.outputs.push(g2.get('y'));
      const s = await createSession(g2, { threads: 1 });
      const r = await s.run({ x: new ort.Tensor('float32', new Float32Array(25).fill(1), [1, 1, 5, 5]) });
      expect(r.y.dims).toEqual([1, 1, 2, 2]);
      await s.release();
    }
  });
  it('every op with shape inference was run here', () => {
    const missing = shapeInferenceOps().filter((op) => !tested.has(op));
    expect(missing).toEqual([]);
  });
});
