/**
 * Every VJP rule against central finite differences, through real ONNX Runtime sessions.
 * See fd-harness.ts for the method. The last tests make sure that every op with a rule was
 * covered, and that the harness does catch wrong gradients.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { differentiableOps, gradients, registerVjp } from '../../src/nn/autodiff.js';
import type { VjpRule } from '../../src/nn/autodiff.js';
import { Graph } from '../../src/nn/graph.js';
import type { Tensor } from '../../src/nn/ir.js';
import '../../src/nn/index.js';
import { mul, mulScalar, reduceMean, sub, transpose } from '../../src/nn/ops.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { setConvInputGradMethod, setConvWeightGradMethod } from '../../src/nn/vjp/conv.js';
import { checkGradients, makeRng, type FdCase, type FdInput } from './fd-harness.js';

const covered = new Set<string>();
const reports: { name: string; checked: number; skipped: number; worst: number }[] = [];

async function expectGradientsMatch(c: FdCase): Promise<void> {
  const r = await checkGradients(c);
  for (const op of r.ops) covered.add(op);
  reports.push(r);
  expect(r.failures, `${c.name}: ${r.failures.join('; ')}`).toEqual([]);
  expect(r.checked).toBeGreaterThan(0);
}

const f = (name: string, shape: number[], kind: FdInput['kind'] = 'uniform', wrt = true): FdInput => ({ name, shape, kind, wrt });
const NCHW = [2, 3, 4, 5];
const op1 = (op: string, attrs: Record<string, unknown> = {}) => (g: Graph, x: Record<string, Tensor>) =>
  g.op1(op, Object.values(x), attrs as never);

/** A constant float tensor from a generator. */
function fconst(g: Graph, shape: number[], seed: number, stem = 'w'): Tensor {
  const rng = makeRng(seed);
  return g.constant({ dtype: 'float32', shape, data: Float32Array.from({ length: Graph.size(shape) }, () => 2 * rng() - 1) }, stem);
}

// ---- elementwise binary with broadcasting --------------------------------------------------
describe('binary ops with broadcasting', () => {
  const shapes: [string, number[], number[]][] = [
    ['same', NCHW, NCHW],
    ['per-channel', NCHW, [1, 3, 1, 1]],
    ['scalar', NCHW, []],
    ['both-broadcast', [3, 1, 5], [2, 1, 4, 1]],
    ['channel-first', [1, 3, 1, 1], NCHW],
  ];
  for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow']) {
    for (const [label, sa, sb] of shapes) {
      it(`${op} ${label} [${sa}] vs [${sb}]`, async () => {
        const kindA = op === 'Pow' ? 'positive' : 'uniform';
        const kindB = op === 'Div' ? 'positive' : 'uniform';
        await expectGradientsMatch({ name: `${op}-${label}`, inputs: [f('a', sa, kindA), f('b', sb, kindB)], build: op1(op) });
      });
    }
  }
  for (const op of ['Max', 'Min']) {
    for (const [label, sa, sb] of shapes.slice(0, 4)) {
      it(`${op} ${label} [${sa}] vs [${sb}] (guarded against ties)`, async () => {
        await expectGradientsMatch({
          name: `${op}-${label}`,
          inputs: [f('a', sa, 'spaced'), f('b', sb, 'spaced')],
          h: 2e-4,
          build: (g, { a, b }) => ({ outs: [g.op1(op, [a, b])], guards: [g.op1('Greater', [a, b])] }),
        });
      });
    }
  }
  it('Where with a boolean condition, broadcasting both branches', async () => {
    await expectGradientsMatch({
      name: 'Where',
      inputs: [{ name: 'c', shape: NCHW, kind: 'bool', dtype: 'bool', wrt: false }, f('a', [1, 3, 1, 5]), f('b', [1, 3, 1, 1])],
      build: op1('Where'),
    });
  });
  it('Where with a scalar branch', async () => {
    await expectGradientsMatch({
      name: 'Where-scalar',
      inputs: [{ name: 'c', shape: NCHW, kind: 'bool', dtype: 'bool', wrt: false }, f('a', NCHW), f('b', [])],
      build: op1('Where'),
    });
  });
  it('Sum and Mean of three broadcast inputs', async () => {
    for (const op of ['Sum', 'Mean']) {
      await expectGradientsMatch({ name: op, inputs: [f('a', [2, 3, 4]), f('b', [3, 1]), f('c', [4])], build: op1(op) });
    }
  });
  it('PRelu with a per-channel slope', async () => {
    await expectGradientsMatch({
      name: 'PRelu',
      inputs: [f('x', NCHW, 'spaced'), f('s', [3, 1, 1])],
      h: 1e-3,
      build: (g, { x, s }) => ({ outs: [g.op1('PRelu', [x, s])], guards: [x] }),
    });
  });
});

// ---- unary ---------------------------------------------------------------------------------
describe('unary ops', () => {
  const smooth: [string, FdInput['kind'], Record<string, unknown>?][] = [
    ['Identity', 'uniform'], ['Neg', 'uniform'], ['Sigmoid', 'uniform'], ['Tanh', 'uniform'], ['Exp', 'uniform'],
    ['Log', 'positive'], ['Sqrt', 'positive'], ['Reciprocal', 'positive'], ['Softplus', 'uniform'], ['Erf', 'uniform'],
    ['Softmax', 'uniform', { axis: 1 }], ['Softmax', 'uniform'], ['LogSoftmax', 'uniform'], ['LogSoftmax', 'uniform', { axis: 0 }],
    ['Cast', 'uniform', { to: 1 }],
  ];
  for (const [op, kind, attrs] of smooth) {
    it(`${op} ${attrs ? JSON.stringify(attrs) : ''}`, async () => {
      await expectGradientsMatch({ name: `${op}${JSON.stringify(attrs ?? {})}`, inputs: [f('x', NCHW, kind)], build: op1(op, attrs) });
    });
  }
  const kinked: [string, Record<string, unknown>][] = [
    ['Relu', {}], ['LeakyRelu', { alpha: 0.2 }], ['Abs', {}], ['Elu', { alpha: 0.7 }],
  ];
  for (const [op, attrs] of kinked) {
    it(`${op} (away from 0)`, async () => {
      await expectGradientsMatch({
        name: op, inputs: [f('x', NCHW, 'spaced')], h: 1e-3,
        build: (g, { x }) => ({ outs: [g.op1(op, [x], attrs as never)], guards: [x] }),
      });
    });
  }
  it('HardSigmoid on both sides of its saturation', async () => {
    await expectGradientsMatch({
      name: 'HardSigmoid', inputs: [f('x', NCHW, 'spaced')], h: 1e-3, samples: 16,
      build: (g, { x }) => {
        const z = g.op1('Add', [mulScalar(g, x, 0.6), g.scalar(0.5)]);
        return {
          outs: [g.op1('HardSigmoid', [x], { alpha: 0.6, beta: 0.5 })],
          guards: [z, g.op1('Sub', [z, g.scalar(1)])],
        };
      },
    });
  });
  it('Clip with min and max as inputs (both get gradients)', async () => {
    await expectGradientsMatch({
      name: 'Clip', inputs: [f('x', NCHW, 'spaced'), { name: 'lo', shape: [], kind: { data: Float32Array.of(-0.5) } }, { name: 'hi', shape: [], kind: { data: Float32Array.of(0.6) } }],
      h: 1e-3, samples: 16,
      build: (g, { x, lo, hi }) => ({ outs: [g.op1('Clip', [x, lo, hi])], guards: [g.op1('Sub', [x, lo]), g.op1('Sub', [x, hi])] }),
    });
  });
  it('Dropout in inference mode is the identity (with and without ratio/training_mode inputs)', async () => {
    await expectGradientsMatch({ name: 'Dropout', inputs: [f('x', NCHW)], build: op1('Dropout') });
    await expectGradientsMatch({
      name: 'Dropout-eval-flag', inputs: [f('x', NCHW)],
      build: (g, { x }) => g.op('Dropout', [x, g.scalar(0.3), g.constant({ dtype: 'bool', shape: [], data: Uint8Array.of(0) })], {}, 2)[0],
    });
  });
});

// ---- shape ops -----------------------------------------------------------------------------
describe('shape ops', () => {
  const cases: [string, number[], (g: Graph, x: Tensor) => Tensor][] = [
    ['Reshape', NCHW, (g, x) => g.op1('Reshape', [x, g.ints([6, -1])])],
    ['Flatten', NCHW, (g, x) => g.op1('Flatten', [x], { axis: 2 })],
    ['Squeeze', [2, 1, 5], (g, x) => g.op1('Squeeze', [x, g.ints([1])])],
    ['Unsqueeze', [2, 5], (g, x) => g.op1('Unsqueeze', [x, g.ints([0, 2])])],
    ['Transpose', NCHW, (g, x) => g.op1('Transpose', [x], { perm: [2, 0, 3, 1] })],
    ['Expand', [3, 1], (g, x) => g.op1('Expand', [x, g.ints([2, 3, 4])])],
    ['Tile', [2, 3], (g, x) => g.op1('Tile', [x, g.ints([2, 3])])],
    ['Tile-3d', [2, 1, 3], (g, x) => g.op1('Tile', [x, g.ints([1, 4, 2])])],
    ['Pad', NCHW, (g, x) => g.op1('Pad', [x, g.ints([0, 1, 2, 0, 1, 0, 1, 3]), g.scalar(0.25)])],
    ['Pad crop (negative pads)', NCHW, (g, x) => g.op1('Pad', [x, g.ints([0, 0, -1, 2, 0, 1, 1, -2])])],
    ['Pad reflect', NCHW, (g, x) => g.op1('Pad', [x, g.ints([0, 0, 3, 1, 0, 0, 2, 4])], { mode: 'reflect' })],
    ['Pad reflect one side', [2, 3, 5], (g, x) => g.op1('Pad', [x, g.ints([0, 1, 0, 0, 0, 2])], { mode: 'reflect' })],
    ['Pad edge', NCHW, (g, x) => g.op1('Pad', [x, g.ints([0, 1, 2, 0, 0, 0, 1, 3])], { mode: 'edge' })],
    ['Slice', NCHW, (g, x) => g.op1('Slice', [x, g.ints([1, -4]), g.ints([3, 100]), g.ints([1, 3])])],
    ['Slice-step2', NCHW, (g, x) => g.op1('Slice', [x, g.ints([0, 1]), g.ints([4, 5]), g.ints([2, 3]), g.ints([2, 2])])],
    ['Slice-step3-tail', [2, 11], (g, x) => g.op1('Slice', [x, g.ints([1]), g.ints([11]), g.ints([1]), g.ints([3])])],
    ['Slice-neg-step', NCHW, (g, x) => g.op1('Slice', [x, g.ints([-1]), g.ints([-100]), g.ints([3]), g.ints([-1])])],
    ['Slice-neg-step2-two-axes', NCHW, (g, x) => g.op1('Slice', [x, g.ints([3, 4]), g.ints([0, -100]), g.ints([2, 3]), g.ints([-2, -3])])],
    ['Split-concat', NCHW, (g, x) => {
      const [a, , c] = g.op('Split', [x, g.ints([1, 2, 2])], { axis: 3 }, 3);
      return g.op1('Concat', [c, a, c], { axis: 3 });
    }],
  ];
  for (const [name, shape, build] of cases) {
    it(name, async () => {
      await expectGradientsMatch({ name, inputs: [f('x', shape)], samples: 24, build: (g, { x }) => build(g, x) });
    });
  }
  it('Pad with the constant value as a differentiated input', async () => {
    await expectGradientsMatch({
      name: 'Pad-value', inputs: [f('x', NCHW), f('v', [])],
      build: (g, { x, v }) => g.op1('Pad', [x, g.ints([0, 1, 2, 0, 1, 0, 1, 3]), v]),
    });
  });
  it('Concat of three inputs along axis 1', async () => {
    await expectGradientsMatch({ name: 'Concat', inputs: [f('a', [2, 1, 3]), f('b', [2, 4, 3]), f('c', [2, 2, 3])], build: (g, x) => g.op1('Concat', Object.values(x), { axis: 1 }) });
  });
});

// ---- reductions ----------------------------------------------------------------------------
describe('reductions', () => {
  it('ReduceSum (axes input, keepdims 0 and all axes)', async () => {
    await expectGradientsMatch({ name: 'ReduceSum', inputs: [f('x', NCHW)], build: (g, { x }) => g.op1('ReduceSum', [x, g.ints([1, 3])], { keepdims: 0 }) });
    await expectGradientsMatch({ name: 'ReduceSum-all', inputs: [f('x', NCHW)], build: (g, { x }) => g.op1('ReduceSum', [x], { keepdims: 1 }) });
  });
  it('ReduceMean, ReduceSumSquare, ReduceL2', async () => {
    for (const op of ['ReduceMean', 'ReduceSumSquare', 'ReduceL2']) {
      await expectGradientsMatch({ name: op, inputs: [f('x', NCHW)], build: (g, { x }) => g.op1(op, [x], { axes: [0, 2], keepdims: 1 }) });
      await expectGradientsMatch({ name: `${op}-nokeep`, inputs: [f('x', NCHW)], build: (g, { x }) => g.op1(op, [x], { axes: [-1], keepdims: 0 }) });
    }
  });
  it('ReduceMax and ReduceMin (argmax guarded)', async () => {
    for (const op of ['ReduceMax', 'ReduceMin']) {
      await expectGradientsMatch({
        name: op, inputs: [f('x', NCHW, 'spaced')], h: 1e-3, samples: 16,
        build: (g, { x }) => ({
          outs: [g.op1(op, [x], { axes: [2], keepdims: 0 })],
          guards: [g.op1(op === 'ReduceMax' ? 'ArgMax' : 'ArgMin', [x], { axis: 2 })],
        }),
      });
    }
  });
});

// ---- linear algebra ------------------------------------------------------------------------
describe('MatMul and Gemm', () => {
  const mm: [number[], number[]][] = [
    [[3, 4], [4, 5]], [[2, 3, 4], [2, 4, 5]], [[2, 3, 4], [4, 5]], [[3, 4], [2, 4, 5]], [[2, 1, 3, 4], [1, 3, 4, 5]],
  ];
  for (const [sa, sb] of mm) {
    it(`MatMul [${sa}] x [${sb}]`, async () => {
      await expectGradientsMatch({ name: `MatMul-${sa}-${sb}`, inputs: [f('a', sa), f('b', sb)], build: op1('MatMul') });
    });
  }
  for (const tA of [0, 1]) {
    for (const tB of [0, 1]) {
      for (const cShape of [[3, 5], [5], [1, 5], [3, 1], [], null] as (number[] | null)[]) {
        it(`Gemm transA=${tA} transB=${tB} C=${cShape ? `[${cShape}]` : 'none'}`, async () => {
          const inputs = [f('a', tA ? [4, 3] : [3, 4]), f('b', tB ? [5, 4] : [4, 5])];
          if (cShape) inputs.push(f('c', cShape));
          await expectGradientsMatch({ name: `Gemm-${tA}${tB}-${cShape}`, inputs, build: op1('Gemm', { transA: tA, transB: tB, alpha: 0.7, beta: 1.3 }) });
        });
      }
    }
  }
});

// ---- convolution and normalization ---------------------------------------------------------
describe('Conv and ConvTranspose', () => {
  const convs: [string, number[], number[], Record<string, unknown>][] = [
    ['3x3 pad 1', [2, 3, 6, 6], [4, 3, 3, 3], { pads: [1, 1, 1, 1] }],
    ['stride 2 pad 1', [2, 3, 7, 6], [4, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['dilation 2', [1, 2, 7, 7], [3, 2, 3, 3], { dilations: [2, 2], pads: [2, 2, 2, 2] }],
    ['groups 2', [2, 4, 5, 5], [6, 2, 3, 3], { group: 2, pads: [1, 1, 1, 1] }],
    ['depthwise', [1, 3, 5, 5], [3, 1, 3, 3], { group: 3, pads: [1, 1, 1, 1] }],
    ['asymmetric pads', [1, 2, 5, 6], [3, 2, 3, 2], { pads: [0, 1, 2, 1] }],
    ['1x1', [2, 3, 4, 4], [5, 3, 1, 1], {}],
    ['stride 3 no pad', [1, 2, 8, 8], [2, 2, 2, 2], { strides: [3, 3] }],
    ['auto_pad SAME_UPPER stride 2', [1, 2, 7, 6], [3, 2, 3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] }],
    ['auto_pad SAME_LOWER 4x4', [1, 2, 6, 5], [3, 2, 4, 4], { auto_pad: 'SAME_LOWER' }],
    ['auto_pad VALID', [1, 2, 6, 5], [3, 2, 3, 3], { auto_pad: 'VALID' }],
    ['1-D stride 2 pads', [2, 3, 9], [4, 3, 3], { strides: [2], pads: [1, 2] }],
    ['1-D dilation 2 groups 3', [1, 3, 10], [6, 1, 3], { dilations: [2], group: 3, pads: [2, 2] }],
  ];
  // Both emitters of each gradient: weight gradient via k*k Gemms or one Conv, stride-1 input
  // gradient via a flipped-kernel Conv or a ConvTranspose.
  for (const [wMethod, dMethod] of [['gemm', 'conv'], ['conv', 'convtranspose']] as const) {
    for (const [label, xs, ws, attrs] of convs) {
      it(`Conv ${label} with bias (weight gradient via ${wMethod}, input gradient via ${dMethod})`, async () => {
        setConvWeightGradMethod(wMethod);
        setConvInputGradMethod(dMethod);
        try {
          await expectGradientsMatch({
            name: `Conv-${label}-${wMethod}-${dMethod}`, inputs: [f('x', xs), f('w', ws), f('b', [ws[0]])],
            build: op1('Conv', { kernel_shape: ws.slice(2), ...attrs }),
          });
        } finally {
          setConvWeightGradMethod('gemm');
          setConvInputGradMethod('conv');
        }
      });
    }
  }
  // More than 8 input channels: the weight gradient takes the flat-frame Gather + MatMul form
  // (fewer take one Gemm over the concatenated taps); both orientations (the operand with fewer
  // channels is the shifted one), stride phases, dilation, asymmetric pads.
  const wide: [string, number[], number[], Record<string, unknown>][] = [
    ['3x3 pad 1, Ci < Co', [2, 9, 5, 5], [11, 9, 3, 3], { pads: [1, 1, 1, 1] }],
    ['3x3 pad 1, Ci > Co', [2, 11, 5, 5], [9, 11, 3, 3], { pads: [1, 1, 1, 1] }],
    ['stride 2 pad 1 odd size, Ci < Co', [2, 9, 7, 6], [10, 9, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['stride 2 4x4, Ci > Co', [1, 10, 8, 9], [9, 10, 4, 4], { strides: [2, 2], pads: [1, 1, 2, 1] }],
    ['dilation 2 stride 2 asymmetric pads, Ci > Co', [1, 10, 9, 9], [9, 10, 3, 3], { strides: [2, 2], dilations: [2, 2], pads: [1, 2, 1, 0] }],
    ['1x1 stride 2', [1, 10, 6, 6], [9, 10, 1, 1], { strides: [2, 2] }],
  ];
  for (const [label, xs, ws, attrs] of wide) {
    it(`Conv ${label} (flat-frame weight gradient)`, async () => {
      await expectGradientsMatch({
        name: `Conv-wide-${label}`, inputs: [f('x', xs), f('w', ws), f('b', [ws[0]])],
        build: op1('Conv', { kernel_shape: ws.slice(2), ...attrs }),
      });
    });
  }
  // Every entry of the weight gradient (the finite differences sample a few): the Gather +
  // MatMul form, the small-Ci Gemm and the Conv form are independent emitters and must agree.
  const every: [string, string, number[], number[], Record<string, unknown>][] = [
    ...wide.map(([l, xs, ws, a]) => ['Conv', l, xs, ws, a] as [string, string, number[], number[], Record<string, unknown>]),
    ['Conv', 'Ci 1', [2, 1, 6, 6], [9, 1, 3, 3], { pads: [1, 1, 1, 1] }],
    ['Conv', 'Ci 3 stride 2', [2, 3, 7, 7], [9, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['ConvTranspose', '4x4 stride 2 pad 1, Cin > Cout', [2, 12, 4, 4], [12, 10, 4, 4], { strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['ConvTranspose', '4x4 stride 2 pad 1, Cin < Cout', [2, 10, 4, 4], [10, 12, 4, 4], { strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['ConvTranspose', '3x3 stride 2 output_padding 1', [2, 10, 4, 4], [10, 9, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }],
  ];
  for (const [op, label, xs, ws, attrs] of every) {
    it(`${op} ${label}: every weight-gradient entry equal between the Gemm and the Conv emitters`, async () => {
      const rng = makeRng(7);
      const data = (shape: readonly number[]) => Float32Array.from({ length: Graph.size(shape as number[]) }, () => 2 * rng() - 1);
      const xd = data(xs), wd = data(ws);
      let rd: Float32Array | undefined;
      const results: Float32Array[] = [];
      for (const m of ['gemm', 'conv'] as const) {
        setConvWeightGradMethod(m);
        try {
          const g = new Graph(`wgrad_${m}`);
          const x = g.input('x', xs), w = g.input('w', ws);
          const y = g.op1(op, [x, w], { kernel_shape: ws.slice(2), ...attrs } as never);
          const r = g.input('r', y.shape);
          const [dw] = gradients(g, reduceMean(g, mul(g, y, r), [...y.shape.keys()], false), [w]);
          g.output(dw, 'dw');
          rd ??= data(y.shape);
          const s = await createSession(g);
          const out = await s.run({ x: new ort.Tensor('float32', xd, xs), w: new ort.Tensor('float32', wd, ws), r: new ort.Tensor('float32', rd, y.shape as number[]) });
          results.push(out.dw.data as Float32Array);
          await s.release();
        } finally {
          setConvWeightGradMethod('gemm');
        }
      }
      const [a, b] = results;
      const scale = Math.max(...Array.from(b, Math.abs));
      expect(scale).toBeGreaterThan(0);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-5 * scale);
    });
  }
  const convTs: [string, number[], number[], Record<string, unknown>][] = [
    ['stride 2 pad 1 output_padding 1', [2, 3, 4, 4], [3, 2, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }],
    ['4x4 stride 2 pad 1', [1, 3, 3, 4], [3, 2, 4, 4], { strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['groups 2 dilation 2', [1, 4, 4, 4], [4, 3, 3, 3], { group: 2, dilations: [2, 2] }],
    ['asymmetric pads', [1, 2, 4, 5], [2, 3, 3, 2], { pads: [0, 1, 1, 0], strides: [2, 1] }],
    ['auto_pad SAME_UPPER', [1, 2, 3, 4], [2, 3, 4, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] }],
    ['auto_pad SAME_LOWER', [1, 2, 3, 4], [2, 3, 4, 3], { auto_pad: 'SAME_LOWER', strides: [2, 2] }],
    ['output_shape', [1, 2, 3, 4], [2, 3, 3, 3], { strides: [2, 2], output_shape: [6, 8] }],
    ['1-D stride 2 output_padding', [2, 3, 5], [3, 2, 3], { strides: [2], pads: [1, 0], output_padding: [1] }],
  ];
  for (const [label, xs, ws, attrs] of convTs) {
    it(`ConvTranspose ${label} with bias`, async () => {
      await expectGradientsMatch({
        name: `ConvT-${label}`, inputs: [f('x', xs), f('w', ws), f('b', [ws[1] * ((attrs.group as number) ?? 1)])],
        build: op1('ConvTranspose', { kernel_shape: ws.slice(2), ...attrs }),
      });
    });
  }
});

describe('normalization', () => {
  it('BatchNormalization training_mode=1 (x, scale, B; outputs Y, running_mean, running_var)', async () => {
    await expectGradientsMatch({
      name: 'BN-train',
      inputs: [f('x', [3, 2, 3, 4]), f('s', [2], 'positive'), f('b', [2]), f('m', [2], 'uniform', false), f('v', [2], 'positive', false)],
      build: (g, { x, s, b, m, v }) => g.op('BatchNormalization', [x, s, b, m, v], { training_mode: 1, momentum: 0.8, epsilon: 1e-3 }, 3)[0],
    });
  });
  it('BatchNormalization training_mode=1 running statistics (biased variance, as ONNX Runtime does)', async () => {
    const g = new Graph('bnstats');
    const x = g.input('x', [3, 2, 2, 2]);
    const mean0 = fconst(g, [2], 3, 'mean0');
    const var0 = g.constant({ dtype: 'float32', shape: [2], data: Float32Array.of(2, 3) }, 'var0');
    const [, rm, rv] = g.op('BatchNormalization', [x, fconst(g, [2], 1), fconst(g, [2], 2), mean0, var0], { training_mode: 1, momentum: 0.8 }, 3);
    g.output(rm, 'rm');
    g.output(rv, 'rv');
    const s = await createSession(g, { threads: 1 });
    const rng = makeRng(9);
    const xd = Float32Array.from({ length: 24 }, () => 2 * rng() - 1);
    const r = await s.run({ x: new ort.Tensor('float32', xd, [3, 2, 2, 2]) });
    const m0 = g.initializers.get(mean0.name)!.data as Float32Array;
    for (let c = 0; c < 2; c++) {
      let s1 = 0, s2 = 0;
      for (let n = 0; n < 3; n++) for (let k = 0; k < 4; k++) {
        const v = xd[n * 8 + c * 4 + k];
        s1 += v;
        s2 += v * v;
      }
      const mean = s1 / 12, variance = s2 / 12 - mean * mean;
      expect((r.rm.data as Float32Array)[c]).toBeCloseTo(0.8 * m0[c] + 0.2 * mean, 5);
      expect((r.rv.data as Float32Array)[c]).toBeCloseTo(0.8 * [2, 3][c] + 0.2 * variance, 5);
    }
    await s.release();
  });
  it('BatchNormalization inference mode, including gradients for mean and var', async () => {
    await expectGradientsMatch({
      name: 'BN-eval',
      inputs: [f('x', [2, 3, 2, 2]), f('s', [3], 'positive'), f('b', [3]), f('m', [3]), f('v', [3], 'positive')],
      build: (g, x) => g.op1('BatchNormalization', Object.values(x), { epsilon: 1e-3 }),
    });
  });
  it('InstanceNormalization', async () => {
    await expectGradientsMatch({
      name: 'InstanceNorm', inputs: [f('x', [2, 3, 3, 4]), f('s', [3], 'positive'), f('b', [3])],
      build: op1('InstanceNormalization', { epsilon: 1e-4 }),
    });
  });
});

// ---- pooling -------------------------------------------------------------------------------
describe('pooling', () => {
  const maxPools: [string, number[], Record<string, unknown>][] = [
    ['2x2 stride 2', [2, 2, 6, 6], { kernel_shape: [2, 2], strides: [2, 2] }],
    ['3x3 stride 1 pad 1 (overlapping)', [1, 2, 5, 6], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }],
    ['3x3 stride 2 ceil_mode', [1, 2, 6, 7], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }],
    ['2x2 dilation 2 asymmetric pads', [1, 2, 6, 6], { kernel_shape: [2, 2], dilations: [2, 2], pads: [0, 1, 1, 0] }],
    ['1-D', [2, 3, 9], { kernel_shape: [3], strides: [2] }],
    ['auto_pad SAME_UPPER', [1, 2, 7, 6], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }],
  ];
  for (const [label, xs, attrs] of maxPools) {
    for (const withIndices of [false, true]) {
      it(`MaxPool ${label}${withIndices ? ' (Indices output reused)' : ''}`, async () => {
        await expectGradientsMatch({
          name: `MaxPool-${label}-${withIndices}`, inputs: [f('x', xs, 'spaced')], h: 1e-3, samples: 12,
          build: (g, { x }) => {
            if (withIndices) {
              const [y, idx] = g.op('MaxPool', [x], attrs as never, 2);
              return { outs: [y], guards: [idx] };
            }
            return { outs: [g.op1('MaxPool', [x], attrs as never)], guards: [g.op('MaxPool', [x], attrs as never, 2)[1]] };
          },
        });
      });
    }
  }
  const avgPools: [string, number[], Record<string, unknown>][] = [
    ['2x2 stride 2', [2, 2, 6, 6], { kernel_shape: [2, 2], strides: [2, 2] }],
    ['3x3 stride 1 pad 1', [1, 2, 5, 6], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }],
    ['3x3 stride 2 pad 1 ceil_mode', [1, 2, 6, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }],
    ['3x2 stride 2 asymmetric pads', [1, 2, 7, 6], { kernel_shape: [3, 2], strides: [2, 2], pads: [0, 1, 2, 1] }],
    ['1-D pad 1', [2, 3, 9], { kernel_shape: [3], strides: [2], pads: [1, 1] }],
    ['ceil_mode overhanging 2x2', [1, 2, 5, 7], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }],
    ['auto_pad SAME_LOWER', [1, 2, 7, 6], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' }],
    ['auto_pad SAME_UPPER', [1, 2, 6, 5], { kernel_shape: [2, 2], auto_pad: 'SAME_UPPER' }],
  ];
  for (const [label, xs, attrs] of avgPools) {
    for (const include of [0, 1]) {
      it(`AveragePool ${label} count_include_pad=${include}`, async () => {
        await expectGradientsMatch({
          name: `AvgPool-${label}-${include}`, inputs: [f('x', xs)], samples: 12,
          build: op1('AveragePool', { ...attrs, count_include_pad: include }),
        });
      });
    }
  }
  it('GlobalAveragePool and GlobalMaxPool', async () => {
    await expectGradientsMatch({ name: 'GAP', inputs: [f('x', NCHW)], build: op1('GlobalAveragePool') });
    await expectGradientsMatch({
      name: 'GMP', inputs: [f('x', NCHW, 'spaced')], h: 1e-3, samples: 16,
      build: (g, { x }) => ({ outs: [g.op1('GlobalMaxPool', [x])], guards: [g.op1('ArgMax', [g.op1('Reshape', [x, g.ints([2, 3, 20])])], { axis: 2 })] }),
    });
  });
});

// ---- resampling ----------------------------------------------------------------------------
describe('Resize', () => {
  const resizes: [string, number[], Record<string, unknown>, { scales?: number[]; sizes?: number[] }][] = [
    ['nearest 2x half_pixel', [1, 2, 3, 4], { mode: 'nearest' }, { scales: [1, 1, 2, 2] }],
    ['nearest 3x asymmetric floor', [1, 2, 3, 3], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, { scales: [1, 1, 3, 3] }],
    ['nearest 0.5x', [1, 2, 6, 8], { mode: 'nearest' }, { scales: [1, 1, 0.5, 0.5] }],
    ['nearest align_corners round_prefer_ceil sizes', [1, 1, 4, 5], { mode: 'nearest', coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' }, { sizes: [1, 1, 7, 9] }],
    ['nearest channel axis (rank 4)', [1, 2, 3, 4], { mode: 'nearest' }, { scales: [1, 2, 1, 1] }],
    ['nearest rank 3 middle axis', [2, 3, 4], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric' }, { scales: [1, 2, 1] }],
    ['linear 2x half_pixel', [2, 2, 4, 5], { mode: 'linear' }, { scales: [1, 1, 2, 2] }],
    ['linear 2x asymmetric', [1, 2, 4, 5], { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }, { scales: [1, 1, 2, 2] }],
    ['linear 3x align_corners', [1, 2, 3, 4], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, { sizes: [1, 2, 9, 12] }],
    ['linear 4x pytorch_half_pixel', [1, 1, 3, 3], { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, { scales: [1, 1, 4, 4] }],
    ['linear 0.5x half_pixel', [1, 2, 8, 6], { mode: 'linear' }, { scales: [1, 1, 0.5, 0.5] }],
    ['linear 1.5x sizes', [1, 2, 4, 6], { mode: 'linear' }, { sizes: [1, 2, 6, 9] }],
    ['linear only W', [1, 2, 4, 3], { mode: 'linear' }, { scales: [1, 1, 1, 2] }],
    ['cubic 2x half_pixel', [1, 2, 4, 5], { mode: 'cubic' }, { scales: [1, 1, 2, 2] }],
    ['cubic 2x align_corners exclude_outside', [1, 1, 5, 4], { mode: 'cubic', coordinate_transformation_mode: 'align_corners', exclude_outside: 1, cubic_coeff_a: -0.5 }, { scales: [1, 1, 2, 2] }],
  ];
  for (const [label, xs, attrs, sz] of resizes) {
    it(`Resize ${label}`, async () => {
      await expectGradientsMatch({
        name: `Resize-${label}`, inputs: [f('x', xs)], samples: 12,
        build: (g, { x }) => {
          const scales = sz.scales ? g.constant({ dtype: 'float32', shape: [sz.scales.length], data: Float32Array.from(sz.scales) }, 'scales') : undefined;
          const sizes = sz.sizes ? g.ints(sz.sizes) : undefined;
          return g.op1('Resize', [x, undefined, scales, sizes], attrs as never);
        },
      });
    });
  }
});

// ---- whole network -------------------------------------------------------------------------
describe('a whole small network', () => {
  it('conv-bn-relu-convT-concat-tanh with MSE, every parameter and the input, end to end', async () => {
    await expectGradientsMatch({
      name: 'net',
      inputs: [
        f('x', [2, 2, 6, 6]), f('w1', [4, 2, 3, 3]), f('b1', [4]), f('gamma', [4], 'positive'), f('beta', [4]),
        f('w2', [4, 3, 4, 4]), f('b2', [3]), f('w3', [2, 5, 1, 1]), f('b3', [2]),
      ],
      samples: 6,
      h: 3e-3,
      rtol: 2e-2,
      atol: 3e-3,
      build: (g, { x, w1, b1, gamma, beta, w2, b2, w3, b3 }) => {
        const c1 = g.op1('Conv', [x, w1, b1], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
        const [bn] = g.op('BatchNormalization', [c1, gamma, beta, fconst(g, [4], 11), g.constant({ dtype: 'float32', shape: [4], data: new Float32Array(4).fill(1) })], { training_mode: 1 }, 3);
        const r = g.op1('Relu', [bn]);
        const up = g.op1('ConvTranspose', [r, w2, b2], { kernel_shape: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1] });
        const cat = g.op1('Concat', [up, x], { axis: 1 });
        const y = g.op1('Tanh', [g.op1('Conv', [cat, w3, b3], { kernel_shape: [1, 1] })]);
        const target = fconst(g, [2, 2, 6, 6], 12, 'target');
        const d = sub(g, y, target);
        const mse = reduceMean(g, mul(g, d, d), [0, 1, 2, 3], false);
        return { outs: [mse], guards: [bn] };
      },
    });
  });
});

// ---- the harness itself --------------------------------------------------------------------
describe('the finite-difference harness catches wrong gradients', () => {
  it('a Tanh rule off by a factor 2 fails', async () => {
    const wrong: VjpRule = ({ g, outputs: [y], dOut: [dy] }) => [mulScalar(g, mul(g, dy!, g.op1('Sub', [g.scalar(1), mul(g, y, y)])), 2)];
    const right: VjpRule = ({ g, outputs: [y], dOut: [dy] }) => [mul(g, dy!, g.op1('Sub', [g.scalar(1), mul(g, y, y)]))];
    registerVjp('Tanh', wrong);
    try {
      const r = await checkGradients({ name: 'neg-tanh', inputs: [f('x', NCHW)], build: op1('Tanh') });
      expect(r.ok).toBe(false);
      expect(r.failures.length).toBe(r.checked);
    } finally {
      registerVjp('Tanh', right);
    }
    const back = await checkGradients({ name: 'neg-tanh', inputs: [f('x', NCHW)], build: op1('Tanh') });
    expect(back.ok).toBe(true);
  });
  it('a Conv weight gradient with its kernel transposed fails', async () => {
    const c: FdCase = {
      name: 'neg-conv', inputs: [f('x', [1, 2, 5, 5]), f('w', [3, 2, 3, 3])],
      build: op1('Conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
    };
    expect((await checkGradients(c)).ok).toBe(true);
    const r = await checkGradients({ ...c, corrupt: (g, [dx, dw]) => [dx, transpose(g, dw, [0, 1, 3, 2])] });
    expect(r.ok).toBe(false);
    expect(r.failures.every((m) => m.startsWith('w['))).toBe(true);
  });
  it('a gradient off by 2% fails at the default tolerance', async () => {
    const r = await checkGradients({
      name: 'neg-5pct', inputs: [f('a', [3, 4]), f('b', [4, 5])], build: op1('MatMul'),
      corrupt: (g, grads) => grads.map((t) => mulScalar(g, t, 1.02)),
    });
    expect(r.ok).toBe(false);
  });
});

// ---- coverage ------------------------------------------------------------------------------
describe('coverage', () => {
  it('every op with a VJP rule was checked by some case above', () => {
    const missing = differentiableOps().filter((op) => !covered.has(op));
    expect(missing, `ops with a VJP rule but no finite-difference check: ${missing.join(', ')}`).toEqual([]);
  });
  it('a training-mode Dropout passes dY through its mask, scaled by 1/(1-ratio)', async () => {
    const g = new Graph('dropout_train');
    const x = g.input('x', [4, 50]);
    const [y, mask] = g.op('Dropout', [x, g.scalar(0.25), g.constant({ dtype: 'bool', shape: [], data: Uint8Array.of(1) })], {}, 2);
    const w = fconst(g, [4, 50], 5);
    const loss = g.op1('ReduceSum', [mul(g, y, w)], { keepdims: 0 });
    const [dx] = gradients(g, loss, [x]);
    g.output(dx, 'dx');
    g.output(mask, 'mask');
    const s = await createSession(g, { threads: 1 });
    const r = await s.run({ x: new ort.Tensor('float32', new Float32Array(200).fill(1), [4, 50]) });
    const m = r.mask.data as Uint8Array;
    const wd = g.initializers.get(w.name)!.data as Float32Array;
    const got = r.dx.data as Float32Array;
    let kept = 0;
    for (let i = 0; i < 200; i++) {
      kept += m[i] ? 1 : 0;
      expect(got[i]).toBeCloseTo(m[i] ? wd[i] / 0.75 : 0, 5);
    }
    expect(kept).toBeGreaterThan(100);
    expect(kept).toBeLessThan(200);
    await s.release();
  });
});

afterAll(() => {
  const checked = reports.reduce((s, r) => s + r.checked, 0);
  const skipped = reports.reduce((s, r) => s + r.skipped, 0);
  const worst = reports.reduce((m, r) => (r.worst > m.worst ? r : m), { name: '', worst: 0 });
  if (process.env.MEDCOLOR_FD_VERBOSE) for (const r of reports) console.log(`${r.name}: checked ${r.checked}, skipped ${r.skipped}, worst ${r.worst.toFixed(3)}`);
  console.log(`vjp: ${reports.length} cases, ${checked} coordinates checked, ${skipped} skipped near kinks; worst error/tolerance ${worst.worst.toFixed(3)} (${worst.name}); ${covered.size} ops covered`);
});
