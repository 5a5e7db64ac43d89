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
import { Graph, type Tensor } from '../../src/nn/graph.js';
import '../../src/nn/index.js';
import { importModel, readModelMetadata, serializeModel } from '../../src/nn/onnx-io.js';
import { mul, reduceMean, sub } from '../../src/nn/ops.js';
import { ParamStore } from '../../src/nn/params.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { TrainSession } from '../../src/nn/session.js';
import { checkGradients, makeRng } from './fd-harness.js';

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
    expect(imp.metadata.get('medcolor.name')).toBe('tiny-features');
    expect(readModelMetadata(featureBytes).get('medcolor.name')).toBe('tiny-features');
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
