/**
 * Importing an existing ONNX graph as a frozen feature extractor (a perceptual loss): the
 * "pretrained" network is built with the Graph builder, serialized to ONNX bytes, imported
 * twice into a training graph (once on the prediction, once on the target), and the loss is
 * differentiated through it with respect to an upstream input and upstream parameters; the
 * gradients are checked against finite differences, and the imported weights stay constants
 * that get neither a gradient nor an update.
 */
import { describe, expect, it } from 'vitest';
import { gradients } from '../../src/nn/autodiff.js';
import { Graph } from '../../src/nn/graph.js';
import type { Tensor } from '../../src/nn/ir.js';
import '../../src/nn/index.js';
import { readOnnxMetadata } from '../../src/methods/model.js';
import { importModel, serializeModel } from '../../src/nn/onnx-io.js';
import { mul, reduceMean, sub } from '../../src/nn/ops.js';
import { ParamStore } from '../../src/nn/params.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { TrainSession } from '../../src/nn/session.js';
import onnxProto from 'onnx-proto';
import { checkGradients, makeRng } from './fd-harness.js';

const { onnx } = onnxProto;

function randomConst(g: Graph, shape: number[], rng: () => number, scale: number, stem: string): Tensor {
  const data = Float32Array.from({ length: Graph.size(shape) }, () => (2 * rng() - 1) * scale);
  return g.constant({ dtype: 'float32', shape, data }, stem);
}

/**
 * A small "pretrained" feature network: conv-BN(inference)-relu-maxpool-conv-leakyrelu, with
 * two feature outputs (as a VGG perceptual loss taps two layers). Weights are initializers.
 */
function buildFeatureNet(): Uint8Array {
  const rng = makeRng(2024);
  const g = new Graph('features');
  const x = g.input('image', [1, 3, 8, 8]);
  const c1 = g.op1('Conv', [x, randomConst(g, [4, 3, 3, 3], rng, 0.5, 'conv1_w'), randomConst(g, [4], rng, 0.1, 'conv1_b')], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  const bn = g.op1('BatchNormalization', [
    c1,
    g.constant({ dtype: 'float32', shape: [4], data: Float32Array.of(1.2, 0.8, 1.0, 1.5) }, 'bn_scale'),
    randomConst(g, [4], rng, 0.1, 'bn_bias'),
    randomConst(g, [4], rng, 0.1, 'bn_mean'),
    g.constant({ dtype: 'float32', shape: [4], data: Float32Array.of(0.9, 1.1, 1.3, 0.7) }, 'bn_var'),
  ], { epsilon: 1e-5 });
  const r1 = g.op1('Relu', [bn], {}, 'relu1');
  const p1 = g.op1('MaxPool', [r1], { kernel_shape: [2, 2], strides: [2, 2] });
  const c2 = g.op1('Conv', [p1, randomConst(g, [6, 4, 3, 3], rng, 0.4, 'conv2_w'), randomConst(g, [6], rng, 0.1, 'conv2_b')], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  const f2 = g.op1('LeakyRelu', [c2], { alpha: 0.1 });
  g.output(r1, 'feat1');
  g.output(f2, 'feat2');
  g.metadata.set('medcolor.name', 'tiny-features');
  return serializeModel(g);
}

const featureBytes = buildFeatureNet();

/** Upstream model: pred = tanh(conv(z, w, b)), a 3-channel image from a 2-channel input. */
function upstream(g: Graph, z: Tensor, w: Tensor, b: Tensor): Tensor {
  return g.op1('Tanh', [g.op1('Conv', [z, w, b], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })]);
}

/** Perceptual loss: sum over the two taps of mean((F(pred) - F(target))^2). */
function perceptualLoss(g: Graph, pred: Tensor, target: Tensor): { loss: Tensor; relu1Input: Tensor; pooled: Tensor } {
  const fp = importModel(g, featureBytes, [pred], 'fpred');
  const ft = importModel(g, featureBytes, [target], 'ftarget');
  const terms = fp.outputs.map((o, k) => {
    const d = sub(g, o, ft.outputs[k]);
    return reduceMean(g, mul(g, d, d), [0, 1, 2, 3], false);
  });
  // Kink guards: the Relu's input and the MaxPool's argmax inside the imported network.
  // feat1 is an Identity of the Relu's output.
  const reluOut = g.get(g.producer(fp.values.get('feat1')!.name)!.inputs[0]);
  const reluNode = g.producer(reluOut.name)!;
  expect(reluNode.op).toBe('Relu');
  const relu1Input = g.get(reluNode.inputs[0]);
  const pooled = g.op('MaxPool', [reluOut], { kernel_shape: [2, 2], strides: [2, 2] }, 2)[1];
  return { loss: g.op1('Sum', terms), relu1Input, pooled };
}

describe('importModel: a frozen feature network inside a training graph', () => {
  it('the imported graph computes what the original model computes (ORT on both)', async () => {
    const rng = makeRng(7);
    const image = Float32Array.from({ length: 192 }, () => 2 * rng() - 1);
    const original = await createSession(featureBytes, { threads: 1 });
    const want = await original.run({ image: new ort.Tensor('float32', image, [1, 3, 8, 8]) });
    await original.release();

    const g = new Graph('reimport');
    const x = g.input('x', [1, 3, 8, 8]);
    const imp = importModel(g, featureBytes, [x]);
    expect(imp.outputs.map((t) => t.shape)).toEqual([[1, 4, 8, 8], [1, 6, 4, 4]]);
    expect(imp.metadata['medcolor.name']).toBe('tiny-features');
    expect(readOnnxMetadata(featureBytes)['medcolor.name']).toBe('tiny-features');
    imp.outputs.forEach((t, k) => g.output(t, `o${k}`));
    const s = await createSession(g, { threads: 1 });
    const got = await s.run({ x: new ort.Tensor('float32', image, [1, 3, 8, 8]) });
    await s.release();
    for (const [k, name] of ['feat1', 'feat2'].entries()) {
      const a = got[`o${k}`].data as Float32Array;
      const b = want[name].data as Float32Array;
      expect(a.length).toBe(b.length);
      let maxDiff = 0, maxAbs = 0;
      for (let i = 0; i < a.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        maxAbs = Math.max(maxAbs, Math.abs(b[i]));
      }
      expect(maxAbs).toBeGreaterThan(0.1);
      expect(maxDiff).toBeLessThan(1e-6);
    }
  });

  it('gradients of a perceptual loss through the imported network match finite differences', async () => {
    const r = await checkGradients({
      name: 'perceptual',
      inputs: [
        { name: 'z', shape: [1, 2, 8, 8] },
        { name: 'w', shape: [3, 2, 3, 3] },
        { name: 'b', shape: [3] },
        { name: 'target', shape: [1, 3, 8, 8], wrt: false },
      ],
      samples: 10,
      h: 2e-3,
      rtol: 1e-2,
      build: (g, { z, w, b, target }) => {
        const { loss, relu1Input, pooled } = perceptualLoss(g, upstream(g, z, w, b), target);
        return { outs: [loss], guards: [relu1Input, pooled] };
      },
    });
    expect(r.failures).toEqual([]);
    expect(r.checked).toBeGreaterThanOrEqual(20);
    // The check went through every op of the imported network.
    for (const op of ['Conv', 'BatchNormalization', 'Relu', 'MaxPool', 'LeakyRelu', 'Tanh']) expect(r.ops).toContain(op);
  });

  it('imported weights are constants: no graph inputs, no weight-gradient work, no update', async () => {
    // Weight-gradient nodes emitted for the upstream conv alone ...
    const countWgrad = (g: Graph, from: number) => g.nodes.slice(from).filter((n) => n.name.startsWith('n_wgrad')).length;
    const g0 = new Graph('upstream_only');
    const [z0, w0, b0] = [g0.input('z', [1, 2, 8, 8]), g0.input('w', [3, 2, 3, 3]), g0.input('b', [3])];
    const p0 = upstream(g0, z0, w0, b0);
    const l0 = reduceMean(g0, mul(g0, p0, p0), [0, 1, 2, 3], false);
    const n0 = g0.nodes.length;
    gradients(g0, l0, [w0]);
    const upstreamWgrad = countWgrad(g0, n0);
    expect(upstreamWgrad).toBeGreaterThan(0);

    // ... equal those emitted with the frozen network in the loss.
    const g = new Graph('frozen');
    const [z, w, b, t] = [g.input('z', [1, 2, 8, 8]), g.input('w', [3, 2, 3, 3]), g.input('b', [3]), g.input('t', [1, 3, 8, 8])];
    const { loss } = perceptualLoss(g, upstream(g, z, w, b), t);
    const imported = [...g.initializers.keys()].filter((k) => k.startsWith('fpred_w') || k.startsWith('ftarget_w'));
    expect(imported.length).toBe(2 * 8); // 2 convs x (w, b) + 4 BN tensors, per import
    expect(g.inputs.map((i) => i.name).sort()).toEqual(['b', 't', 'w', 'z']);
    const n1 = g.nodes.length;
    gradients(g, loss, [w, b, z]);
    expect(countWgrad(g, n1)).toBe(upstreamWgrad);

    // Asking for the imported weights' gradients would add their work: the count is a real signal.
    const g2 = new Graph('unfrozen');
    const [z2, w2, b2, t2] = [g2.input('z', [1, 2, 8, 8]), g2.input('w', [3, 2, 3, 3]), g2.input('b', [3]), g2.input('t', [1, 3, 8, 8])];
    const { loss: loss2 } = perceptualLoss(g2, upstream(g2, z2, w2, b2), t2);
    const convW = g2.nodes.filter((n) => n.op === 'Conv' && n.name.includes('fpred')).map((n) => g2.get(n.inputs[1]));
    const n2 = g2.nodes.length;
    gradients(g2, loss2, [w2, ...convW]);
    expect(countWgrad(g2, n2)).toBeGreaterThan(upstreamWgrad);
  });

  it('a real training step (TrainSession, SGD) updates only the upstream parameters and lowers the loss', async () => {
    const rng = makeRng(99);
    const zData = Float32Array.from({ length: 128 }, () => 2 * rng() - 1);
    const tData = Float32Array.from({ length: 192 }, () => 0.8 * (2 * rng() - 1));
    const store = new ParamStore();
    const ts = await TrainSession.create(
      {
        store,
        inputs: { z: [1, 2, 8, 8], target: [1, 3, 8, 8] },
        optimizer: { type: 'sgd', momentum: 0 },
        build: (ctx, { z, target }) => {
          const w = ctx.param({ name: 'up.w', shape: [3, 2, 3, 3], init: 'he', fanIn: 18, fanOut: 27, trainable: true });
          const b = ctx.param({ name: 'up.b', shape: [3], init: 'zeros', fanIn: 18, fanOut: 27, trainable: true });
          return { loss: perceptualLoss(ctx.g, upstream(ctx.g, z, w, b), target).loss };
        },
      },
      { threads: 1, seed: 3 },
    );
    try {
      expect(ts.tg.updated.sort()).toEqual(['up.b', 'up.w']);
      expect(ts.tg.frozen).toEqual([]);
      expect([...store.values.keys()].sort()).toEqual(['up.b', 'up.w']);
      const newOutputs = ts.session.outputNames.filter((o) => o.startsWith('new/')).sort();
      expect(newOutputs).toEqual(['new/up.b', 'new/up.w']);
      const w0 = Float32Array.from(store.get('up.w'));
      const losses: number[] = [];
      for (let i = 0; i < 5; i++) losses.push((await ts.step({ z: zData, target: tData }, 0.5)).loss);
      expect(losses[4]).toBeLessThan(losses[0]);
      expect(Array.from(store.get('up.w')).some((v, i) => v !== w0[i])).toBe(true);
    } finally {
      await ts.release();
    }
  });
});

// ---- models of other opsets, written directly with the ONNX protobuf schema ----------------
type AttrSpec = { name: string; ints?: number[]; i?: number; f?: number; floats?: number[]; s?: string };
interface RawNode { op: string; inputs: string[]; outputs: string[]; attrs?: AttrSpec[] }

/** An ONNX model written with onnx-proto directly (explicit attribute types, any opset). */
function rawModel(opset: number, inputs: [string, number[]][], outputs: [string, number[]][], nodes: RawNode[], inits: { name: string; dims: number[]; data: number[]; int64?: boolean }[] = []): Uint8Array {
  const AT = onnx.AttributeProto.AttributeType;
  const vi = ([name, dims]: [string, number[]]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const model = onnx.ModelProto.create({
    irVersion: opset >= 18 ? 8 : 6,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: `opset${opset}`,
      input: inputs.map(vi),
      output: outputs.map(vi),
      initializer: inits.map((t) => (t.int64
        ? { name: t.name, dims: t.dims, dataType: 7, int64Data: t.data }
        : { name: t.name, dims: t.dims, dataType: 1, floatData: t.data })),
      node: nodes.map((n, k) => ({
        name: `node${k}`, opType: n.op, input: n.inputs, output: n.outputs,
        attribute: (n.attrs ?? []).map((a) => {
          if (a.ints) return { name: a.name, type: AT.INTS, ints: a.ints };
          if (a.floats) return { name: a.name, type: AT.FLOATS, floats: a.floats };
          if (a.f !== undefined) return { name: a.name, type: AT.FLOAT, f: a.f };
          if (a.s !== undefined) return { name: a.name, type: AT.STRING, s: new TextEncoder().encode(a.s) };
          return { name: a.name, type: AT.INT, i: a.i };
        }),
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Runs the raw model in ORT and the imported (opset-17) graph in ORT; outputs must agree. */
async function expectSameAfterImport(bytes: Uint8Array, inputShape: number[], outNames: string[]): Promise<void> {
  const rng = makeRng(inputShape.length * 31 + outNames.length);
  const x = Float32Array.from({ length: Graph.size(inputShape) }, () => 2 * rng() - 1);
  const ref = await createSession(bytes, { threads: 1 });
  const want = await ref.run({ x: new ort.Tensor('float32', x, inputShape) });
  await ref.release();
  const g = new Graph('imported');
  const xi = g.input('x', inputShape);
  const imp = importModel(g, bytes, [xi]);
  expect(g.opset).toBe(17);
  imp.outputs.forEach((t, k) => g.output(t, `o${k}`));
  const s = await createSession(g, { threads: 1 });
  const got = await s.run({ x: new ort.Tensor('float32', x, inputShape) });
  await s.release();
  outNames.forEach((name, k) => {
    expect(got[`o${k}`].dims, name).toEqual(want[name].dims);
    expect(Array.from(got[`o${k}`].data as Float32Array), name).toEqual(Array.from(want[name].data as Float32Array));
  });
}

describe('importModel: models of other opsets', () => {
  it('opset 12: Squeeze/Unsqueeze/ReduceSum axes and Split sizes as attributes, Constant value_floats, Dropout INT seed', async () => {
    const bytes = rawModel(12, [['x', [1, 2, 4, 4]]], [['a', [1, 2, 1]], ['b', [1, 2, 3]], ['d', [1, 2, 4, 4]]], [
      { op: 'Constant', inputs: [], outputs: ['c'], attrs: [{ name: 'value_floats', floats: [0.5, -1.5] }] },
      { op: 'Unsqueeze', inputs: ['c'], outputs: ['u'], attrs: [{ name: 'axes', ints: [0, 2, 3] }] },
      { op: 'Mul', inputs: ['x', 'u'], outputs: ['m'] },
      { op: 'ReduceSum', inputs: ['m'], outputs: ['r'], attrs: [{ name: 'axes', ints: [3] }, { name: 'keepdims', i: 1 }] },
      { op: 'Squeeze', inputs: ['r'], outputs: ['sq'], attrs: [{ name: 'axes', ints: [3] }] },
      { op: 'Split', inputs: ['sq'], outputs: ['a', 'b'], attrs: [{ name: 'axis', i: 2 }, { name: 'split', ints: [1, 3] }] },
      { op: 'Dropout', inputs: ['m'], outputs: ['d'], attrs: [{ name: 'seed', i: 42 }] },
    ]);
    await expectSameAfterImport(bytes, [1, 2, 4, 4], ['a', 'b', 'd']);
  });
  it('opset 9: Slice starts/ends/axes, Pad pads/value and Clip min/max as attributes', async () => {
    const bytes = rawModel(9, [['x', [1, 2, 4, 5]]], [['s', [1, 2, 2, 3]], ['p', [1, 2, 6, 6]], ['c', [1, 2, 4, 5]]], [
      { op: 'Slice', inputs: ['x'], outputs: ['s'], attrs: [{ name: 'starts', ints: [1, 1] }, { name: 'ends', ints: [3, 4] }, { name: 'axes', ints: [2, 3] }] },
      { op: 'Pad', inputs: ['x'], outputs: ['p'], attrs: [{ name: 'pads', ints: [0, 0, 1, 0, 0, 0, 1, 1] }, { name: 'value', f: 0.25 }] },
      { op: 'Clip', inputs: ['x'], outputs: ['c'], attrs: [{ name: 'min', f: -0.3 }, { name: 'max', f: 0.4 }] },
    ]);
    await expectSameAfterImport(bytes, [1, 2, 4, 5], ['s', 'p', 'c']);
  });
  it('opset 10: Resize(X, scales), nearest and linear', async () => {
    const bytes = rawModel(10, [['x', [1, 2, 3, 4]]], [['n', [1, 2, 6, 8]], ['l', [1, 2, 6, 8]]], [
      { op: 'Resize', inputs: ['x', 'scales'], outputs: ['n'], attrs: [{ name: 'mode', s: 'nearest' }] },
      { op: 'Resize', inputs: ['x', 'scales'], outputs: ['l'], attrs: [{ name: 'mode', s: 'linear' }] },
    ], [{ name: 'scales', dims: [4], data: [1, 1, 2, 2] }]);
    await expectSameAfterImport(bytes, [1, 2, 3, 4], ['n', 'l']);
  });
  it('opset 12: Softmax/LogSoftmax normalize over all trailing axes (flattened), unlike opset 13', async () => {
    const bytes = rawModel(12, [['x', [2, 3, 2, 2]]], [['s', [2, 3, 2, 2]], ['l', [2, 3, 2, 2]], ['t', [2, 3, 2, 2]]], [
      { op: 'Softmax', inputs: ['x'], outputs: ['s'] },
      { op: 'LogSoftmax', inputs: ['x'], outputs: ['l'], attrs: [{ name: 'axis', i: 2 }] },
      { op: 'Softmax', inputs: ['x'], outputs: ['t'], attrs: [{ name: 'axis', i: -1 }] },
    ]);
    await expectSameAfterImport(bytes, [2, 3, 2, 2], ['s', 'l', 't']);
  });
  it('opset 18: ReduceMean axes, Pad axes as inputs; Split num_outputs', async () => {
    const bytes = rawModel(18, [['x', [1, 2, 4, 6]]], [['r', [1, 2, 4, 1]], ['p', [1, 2, 4, 9]], ['s0', [1, 2, 4, 3]], ['s1', [1, 2, 4, 3]]], [
      { op: 'ReduceMean', inputs: ['x', 'axes'], outputs: ['r'], attrs: [{ name: 'keepdims', i: 1 }] },
      { op: 'Pad', inputs: ['x', 'pads', '', 'padaxes'], outputs: ['p'] },
      { op: 'Split', inputs: ['x'], outputs: ['s0', 's1'], attrs: [{ name: 'axis', i: 3 }, { name: 'num_outputs', i: 2 }] },
    ], [
      { name: 'axes', dims: [1], data: [-1], int64: true },
      { name: 'pads', dims: [2], data: [1, 2], int64: true },
      { name: 'padaxes', dims: [1], data: [3], int64: true },
    ]);
    await expectSameAfterImport(bytes, [1, 2, 4, 6], ['r', 'p', 's0', 's1']);
  });
});
