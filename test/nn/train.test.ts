import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/nn/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/nn/checkpoint.js';
import { conv2d, convBnAct, linear } from '../../src/nn/layers.js';
import { mseLoss } from '../../src/nn/losses.js';
import { lrAt } from '../../src/nn/optim.js';
import { ParamStore, Rng } from '../../src/nn/params.js';
import { TrainSession } from '../../src/nn/session.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function randn(n: number, rng: Rng, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

describe('training reaches known answers', () => {
  it('Adam recovers the weights and bias of a linear regression', async () => {
    const rng = new Rng(1);
    const wTrue = Float32Array.of(1.5, -2, 0.25, 3);
    const bTrue = 0.7;
    const n = 64;
    const x = randn(n * 4, rng);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = x[4 * i] * wTrue[0] + x[4 * i + 1] * wTrue[1] + x[4 * i + 2] * wTrue[2] + x[4 * i + 3] * wTrue[3] + bTrue;
    const store = new ParamStore();
    const ts = await TrainSession.create({
      store,
      inputs: { x: [n, 4], y: [n, 1] },
      build: (ctx, ins) => ({ loss: mseLoss(ctx.g, linear(ctx, 'fc', ins.x, 1), ins.y) }),
      optimizer: { type: 'adam' },
    }, { seed: 3 });
    let loss = Infinity;
    for (let i = 0; i < 600; i++) loss = (await ts.step({ x, y }, i < 400 ? 0.05 : 0.005)).loss;
    expect(loss).toBeLessThan(1e-6);
    const w = store.get('fc.weight'), b = store.get('fc.bias');
    for (let k = 0; k < 4; k++) expect(w[k]).toBeCloseTo(wTrue[k], 3);
    expect(b[0]).toBeCloseTo(bTrue, 3);
  });

  it('SGD with momentum recovers a hidden 3x3 convolution kernel', async () => {
    const rng = new Rng(2);
    const k = randn(9, rng, 0.5);
    const N = 4, S = 12;
    const x = randn(N * S * S, rng);
    // Target: the same-padded convolution of x with k, computed directly.
    const y = new Float32Array(N * S * S);
    for (let n = 0; n < N; n++) for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) {
      let s = 0;
      for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) {
        const ii = i + a, jj = j + b;
        if (ii >= 0 && ii < S && jj >= 0 && jj < S) s += x[n * S * S + ii * S + jj] * k[(a + 1) * 3 + (b + 1)];
      }
      y[n * S * S + i * S + j] = s;
    }
    const store = new ParamStore();
    const ts = await TrainSession.create({
      store,
      inputs: { x: [N, 1, S, S], y: [N, 1, S, S] },
      build: (ctx, ins) => ({ loss: mseLoss(ctx.g, conv2d(ctx, 'c', ins.x, { out: 1, bias: false }), ins.y) }),
      optimizer: { type: 'sgd', momentum: 0.9 },
    }, { seed: 0 });
    for (let i = 0; i < 300; i++) await ts.step({ x, y }, 0.05);
    const w = store.get('c.weight');
    for (let t = 0; t < 9; t++) expect(w[t]).toBeCloseTo(k[t], 3);
  });
});

describe('optimizer details', () => {
  it('clips the global gradient norm: an SGD step moves parameters by exactly lr * clip', async () => {
    const store = new ParamStore();
    const ts = await TrainSession.create({
      store,
      inputs: { x: [8, 3], y: [8, 2] },
      build: (ctx, ins) => ({ loss: mseLoss(ctx.g, linear(ctx, 'fc', ins.x, 2), ins.y) }),
      optimizer: { type: 'sgd', momentum: 0, clipNorm: 0.01 },
    }, { seed: 5 });
    const before = [...store.get('fc.weight'), ...store.get('fc.bias')];
    const rng = new Rng(9);
    const r = await ts.step({ x: randn(24, rng), y: randn(16, rng, 100) }, 0.1);
    expect(r.gradNorm).toBeGreaterThan(1); // far above the clip
    const after = [...store.get('fc.weight'), ...store.get('fc.bias')];
    const moved = Math.sqrt(after.reduce((s, v, i) => s + (v - before[i]) ** 2, 0));
    expect(moved).toBeCloseTo(0.1 * 0.01, 6);
  });

  it('learning-rate schedules: warm-up, step, cosine', () => {
    expect(lrAt({ type: 'constant', lr: 1, warmup: 4 }, 0)).toBeCloseTo(0.25);
    expect(lrAt({ type: 'constant', lr: 1, warmup: 4 }, 3)).toBeCloseTo(1);
    expect(lrAt({ type: 'step', lr: 1, stepSize: 10, gamma: 0.5 }, 25)).toBeCloseTo(0.25);
    expect(lrAt({ type: 'cosine', lr: 1, total: 100 }, 50)).toBeCloseTo(0.5);
    expect(lrAt({ type: 'cosine', lr: 1, total: 100, minLr: 0.1 }, 100)).toBeCloseTo(0.1);
  });

  it('updates BatchNorm running statistics with momentum 0.9 (ONNX convention)', async () => {
    const store = new ParamStore();
    const ts = await TrainSession.create({
      store,
      inputs: { x: [4, 2, 5, 5], y: [4, 3, 5, 5] },
      build: (ctx, ins) => ({ loss: mseLoss(ctx.g, convBnAct(ctx, 'b', ins.x, { out: 3 }), ins.y) }),
      optimizer: { type: 'adam' },
    }, { seed: 1 });
    const rng = new Rng(4);
    const x = randn(4 * 2 * 25, rng);
    // Batch mean of the conv output per channel, computed from the weights before the step.
    const w = store.get('b.conv.weight').slice();
    const means = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let n = 0; n < 4; n++) for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
        for (let ci = 0; ci < 2; ci++) for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) {
          const ii = i + a, jj = j + b;
          if (ii >= 0 && ii < 5 && jj >= 0 && jj < 5) s += x[((n * 2 + ci) * 5 + ii) * 5 + jj] * w[((c * 2 + ci) * 3 + a + 1) * 3 + b + 1];
        }
      }
      means[c] = s / 100;
    }
    await ts.step({ x, y: randn(4 * 3 * 25, rng) }, 1e-3);
    const rm = store.get('b.bn.running_mean');
    for (let c = 0; c < 3; c++) expect(rm[c]).toBeCloseTo(0.1 * means[c], 5);
  });
});

describe('checkpoints and shared parameters', () => {
  const build = (ctx: Parameters<Parameters<typeof TrainSession.create>[0]['build']>[0], ins: Record<string, import('../../src/nn/ir.js').Tensor>) => {
    const h = convBnAct(ctx, 'l1', ins.x, { out: 4 });
    return { loss: mseLoss(ctx.g, conv2d(ctx, 'l2', h, { out: 2 }), ins.y) };
  };
  const batches = (() => {
    const rng = new Rng(11);
    return Array.from({ length: 6 }, () => ({ x: randn(2 * 1 * 8 * 8, rng), y: randn(2 * 2 * 8 * 8, rng) }));
  })();

  it('resuming from a checkpoint gives the same next losses as not stopping', async () => {
    const spec = { inputs: { x: [2, 1, 8, 8], y: [2, 2, 8, 8] }, build, optimizer: { type: 'adam' as const } };
    const a = await TrainSession.create({ ...spec, store: new ParamStore() }, { seed: 7 });
    const lossesA: number[] = [];
    for (let i = 0; i < 6; i++) {
      lossesA.push((await a.step(batches[i], 1e-2)).loss);
      if (i === 2) saveCheckpoint(join(tmp, 'mid.ckpt'), a.snapshot({ note: 'after 3 steps' }));
    }
    const b = await TrainSession.create({ ...spec, store: new ParamStore() }, { seed: 999 });
    const ck = loadCheckpoint(join(tmp, 'mid.ckpt'));
    expect(ck.meta.note).toBe('after 3 steps');
    b.restore(ck);
    expect(b.stepCount).toBe(3);
    for (let i = 3; i < 6; i++) {
      const l = (await b.step(batches[i], 1e-2)).loss;
      expect(Math.abs(l - lossesA[i]) / lossesA[i]).toBeLessThan(1e-6);
    }
    // A fresh session with another seed does not reproduce them (the test can fail).
    const c = await TrainSession.create({ ...spec, store: new ParamStore() }, { seed: 999 });
    const lc = (await c.step(batches[3], 1e-2)).loss;
    expect(Math.abs(lc - lossesA[3]) / lossesA[3]).toBeGreaterThan(1e-3);
  });

  it('two graphs share parameters: each updates only its own, and sees the other\'s updates', async () => {
    const store = new ParamStore();
    const spec = { store, inputs: { x: [2, 1, 8, 8], y: [2, 2, 8, 8] }, build, optimizer: { type: 'adam' as const } };
    const g1 = await TrainSession.create({ ...spec, update: (n) => n.startsWith('l1.') }, { seed: 1 });
    const g2 = await TrainSession.create({ ...spec, update: (n) => n.startsWith('l2.') }, { seed: 1 });
    expect(g1.tg.updated.every((n) => n.startsWith('l1.'))).toBe(true);
    expect(g1.tg.frozen).toContain('l2.weight');
    const l2Before = store.get('l2.weight').slice();
    const l1Before = store.get('l1.conv.weight').slice();
    await g1.step(batches[0], 1e-2);
    expect(store.get('l2.weight')).toEqual(l2Before);
    expect(store.get('l1.conv.weight')).not.toEqual(l1Before);
    const l1After = store.get('l1.conv.weight').slice();
    await g2.step(batches[1], 1e-2);
    expect(store.get('l1.conv.weight')).toEqual(l1After);
    expect(store.get('l2.weight')).not.toEqual(l2Before);
  });
});
