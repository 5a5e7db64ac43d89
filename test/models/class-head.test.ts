/**
 * The classification head's loss and gradients: the soft cross-entropy against finite
 * differences and an independent computation, and the head's graph (pool + 1x1 conv) trained
 * on a fixed target until its softmax matches it.
 */
import { describe, expect, it } from 'vitest';
import '../../src/nn/index.js';
import { Graph } from '../../src/nn/graph.js';
import { softCrossEntropyLoss } from '../../src/nn/losses.js';
import { ParamStore, Rng } from '../../src/nn/params.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { TrainSession } from '../../src/nn/session.js';
import { classHeadLogits } from '../../src/models/class-head.js';
import { checkGradients } from '../nn/fd-harness.js';

const rng = new Rng(3);

describe('soft cross-entropy', () => {
  it('matches finite differences in the logits and the target', async () => {
    const r = await checkGradients({
      name: 'softCrossEntropy',
      inputs: [{ name: 'logits', shape: [2, 5, 3, 2] }, { name: 'target', shape: [2, 5, 3, 2], kind: 'positive' }],
      build: (g, x) => softCrossEntropyLoss(g, x.logits, x.target),
    });
    expect(r.failures).toEqual([]);
    expect(r.checked).toBeGreaterThan(8);
    expect(r.ops).toContain('LogSoftmax');
  });
  it('is -sum(z log softmax) per distribution, averaged over N, H, W', async () => {
    const N = 2, Q = 4, H = 2, W = 3, n = H * W;
    const logits = Float32Array.from({ length: N * Q * n }, () => rng.normal() * 2);
    const target = Float32Array.from({ length: N * Q * n }, () => rng.next());
    const g = new Graph('ce');
    const l = g.input('logits', [N, Q, H, W]), t = g.input('target', [N, Q, H, W]);
    g.output(softCrossEntropyLoss(g, l, t), 'loss');
    const s = await createSession(g);
    const got = ((await s.run({ logits: new ort.Tensor('float32', logits, [N, Q, H, W]), target: new ort.Tensor('float32', target, [N, Q, H, W]) })).loss.data as Float32Array)[0];
    let want = 0;
    for (let k = 0; k < N; k++) for (let i = 0; i < n; i++) {
      const z = Array.from({ length: Q }, (_, q) => logits[(k * Q + q) * n + i]);
      const m = Math.max(...z), lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
      for (let q = 0; q < Q; q++) want -= target[(k * Q + q) * n + i] * (z[q] - lse);
    }
    expect(got).toBeCloseTo(want / (N * n), 4);
  });
});

describe('classification head', () => {
  it('pools by its stride and, trained on a fixed soft target, its softmax converges to it', async () => {
    const N = 2, C = 3, S = 8, Q = 6, stride = 2, hs = S / stride;
    const features = Float32Array.from({ length: N * C * S * S }, () => rng.normal());
    // The target: one fixed distribution everywhere (reachable by the bias alone).
    const dist = [0.5, 0.2, 0.1, 0.1, 0.05, 0.05];
    const target = new Float32Array(N * Q * hs * hs);
    for (let k = 0; k < N; k++) for (let q = 0; q < Q; q++) target.fill(dist[q], (k * Q + q) * hs * hs, (k * Q + q + 1) * hs * hs);
    const store = new ParamStore();
    let shape: readonly number[] = [];
    const ts = await TrainSession.create({
      store,
      inputs: { f: [N, C, S, S], z: [N, Q, hs, hs] },
      build: (ctx, ins) => {
        const logits = classHeadLogits(ctx, ins.f, Q, stride);
        shape = logits.shape;
        return { loss: softCrossEntropyLoss(ctx.g, logits, ins.z) };
      },
      optimizer: { type: 'adam' },
    }, { seed: 1 });
    expect(shape).toEqual([N, Q, hs, hs]);
    expect([...store.specs.keys()].sort()).toEqual(['logits.bias', 'logits.weight']);
    let loss = 0;
    for (let i = 0; i < 300; i++) loss = (await ts.step({ f: features, z: target }, 0.05)).loss;
    const entropy = -dist.reduce((a, p) => a + p * Math.log(p), 0);
    // The minimum of the cross-entropy is the target's entropy, reached when softmax = target.
    expect(loss).toBeGreaterThan(entropy - 1e-4);
    expect(loss).toBeLessThan(entropy + 0.02);
    const b = store.get('logits.bias');
    const e = Array.from(b, Math.exp), s = e.reduce((x, y) => x + y, 0);
    expect(e[0] / s).toBeGreaterThan(0.4);
    await ts.release();
  });
});
