import { describe, expect, it } from 'vitest';
import '../../src/nn/index.js';
import { Graph } from '../../src/nn/graph.js';
import { serializeModel } from '../../src/nn/onnx-io.js';
import { ParamStore, Rng } from '../../src/nn/params.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { TrainSession } from '../../src/nn/session.js';
import { AB_SCALE } from '../../src/models/contract.js';
import { discriminatorObjective, generatorObjective, pixelLoss, type ColorizerConfig, type LossConfig, type PixelLoss } from '../../src/models/colorizer.js';
import { labToLinearRgb, linearToSrgb } from '../../src/color/lab.js';

const rng = new Rng(42);
const rand = (n: number, f: () => number) => Float32Array.from({ length: n }, f);

describe('pixel losses change the optimum the way they should', () => {
  // Targets: mostly 0.1, with a few large outliers. A constant prediction converges to the
  // mean under MSE, to the median under L1, and near the median under Huber.
  const N = 64;
  const target = rand(N * 2, () => 0.1);
  for (let i = 0; i < 8; i++) target[i * 16] = 0.9;
  const mean = target.reduce((a, b) => a + b, 0) / target.length;
  async function fit(kind: PixelLoss): Promise<number> {
    const store = new ParamStore();
    const ts = await TrainSession.create({
      store,
      inputs: { ab: [N, 2, 1, 1] },
      build: (ctx, ins) => {
        const c = ctx.param({ name: 'c', shape: [1, 1, 1, 1], init: 'zeros', fanIn: 1, fanOut: 1, trainable: true });
        const pred = ctx.g.op1('Expand', [c, ctx.g.ints([N, 2, 1, 1])]);
        return { loss: pixelLoss(ctx, kind, pred, ins.ab) };
      },
      optimizer: { type: 'adam' },
    });
    for (let i = 0; i < 400; i++) await ts.step({ ab: target }, i < 300 ? 0.01 : 0.001);
    return store.get('c')[0];
  }
  it('MSE -> mean, L1 -> median, Huber -> near the median', async () => {
    const mse = await fit('mse'), l1 = await fit('l1'), huber = await fit('huber');
    expect(mse).toBeCloseTo(mean, 2);
    expect(l1).toBeCloseTo(0.1, 2);
    expect(Math.abs(huber - 0.1)).toBeLessThan(Math.abs(mse - 0.1) / 3);
  });
});

function tinyCfg(): ColorizerConfig {
  return { unet: { base: 4, depth: 1 }, loss: 'mse' };
}

/** A stand-in for a pretrained VGG: fixed random 3x3 conv 3->4 + ReLU, serialized as ONNX. */
function standInFeatureNet(): { bytes: Uint8Array; weights: Float32Array } {
  const g = new Graph('standin');
  const x = g.input('rgb', [4, 3, 8, 8]);
  const weights = rand(4 * 3 * 9, () => rng.normal() * 0.5);
  const w = g.constant({ dtype: 'float32', shape: [4, 3, 3, 3], data: weights }, 'w');
  g.output(g.op1('Relu', [g.op1('Conv', [x, w], { pads: [1, 1, 1, 1] })]), 'features');
  return { bytes: serializeModel(g), weights };
}

describe('perceptual loss through a frozen feature network imported from ONNX', () => {
  it('equals the feature MSE computed independently, and training lowers it', async () => {
    const net = standInFeatureNet();
    const n = 2, S = 8;
    const L = rand(n * S * S, () => rng.next() * 1.4 - 0.6);
    const ab = rand(n * 2 * S * S, () => rng.normal() * 0.3);
    const lc: LossConfig = { pixel: 'mse', pixelWeight: 0, perceptual: { model: net.bytes, weight: 1 } };
    const store = new ParamStore();
    const ts = await TrainSession.create({ store, inputs: { L: [n, 1, S, S], ab: [n, 2, S, S] }, build: (ctx, ins) => generatorObjective(ctx, ins, tinyCfg(), lc), optimizer: { type: 'adam' } }, { seed: 1 });
    const first = await ts.step({ L, ab }, 0); // lr 0: measure only
    // Independent: L*a*b* -> float sRGB in JS, ImageNet-normalized, through the same network.
    const toRgb = (abPlanar: Float32Array) => {
      const out = new Float32Array(n * 3 * S * S), t = [0, 0, 0];
      const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
      for (let k = 0; k < n; k++) for (let i = 0; i < S * S; i++) {
        labToLinearRgb((L[k * S * S + i] + 1) * 50, abPlanar[(2 * k) * S * S + i] * AB_SCALE, abPlanar[(2 * k + 1) * S * S + i] * AB_SCALE, t);
        for (let c = 0; c < 3; c++) out[(k * 3 + c) * S * S + i] = (linearToSrgb(Math.min(1, Math.max(1e-6, t[c]))) - mean[c]) / std[c];
      }
      return out;
    };
    const feat = await createSession(net.bytes);
    const predAb = first.extras.pred;
    const both = new Float32Array(4 * 3 * S * S);
    both.set(toRgb(predAb), 0);
    both.set(toRgb(ab), n * 3 * S * S);
    const f = (await feat.run({ rgb: new ort.Tensor('float32', both, [4, 3, S, S]) })).features.data as Float32Array;
    const half = f.length / 2;
    let se = 0;
    for (let i = 0; i < half; i++) se += (f[i] - f[half + i]) ** 2;
    expect(first.extras.perceptual[0]).toBeCloseTo(se / half, 4);
    expect(first.loss).toBeCloseTo(se / half, 4);
    let last = first.loss;
    for (let i = 0; i < 60; i++) last = (await ts.step({ L, ab }, 0.01)).loss;
    expect(last).toBeLessThan(first.loss * 0.5);
    // The imported weights are constants of the graph, not parameters.
    expect([...store.specs.keys()].some((k) => k.startsWith('feat'))).toBe(false);
  });
});

describe('adversarial loss with a PatchGAN discriminator in alternation', () => {
  it('the discriminator learns to tell real from fake, and the generator step then fools it more', async () => {
    const n = 4, S = 16;
    const L = rand(n * S * S, () => rng.next() * 2 - 1);
    const ab = rand(n * 2 * S * S, () => 0.4 + rng.normal() * 0.05); // "real": warm, saturated
    const lc: LossConfig = { pixel: 'mse', pixelWeight: 0, adversarial: { weight: 1, discriminator: { base: 8, layers: 2 } } };
    const store = new ParamStore();
    const shapes = { L: [n, 1, S, S], ab: [n, 2, S, S] };
    const gen = await TrainSession.create({ store, inputs: shapes, build: (ctx, ins) => generatorObjective(ctx, ins, tinyCfg(), lc), optimizer: { type: 'adam' }, update: (k) => !k.startsWith('disc.') }, { seed: 3 });
    const disc = await TrainSession.create({ store, inputs: { ...shapes, fake: shapes.ab }, build: (ctx, ins) => discriminatorObjective(ctx, ins, lc), optimizer: { type: 'adam', beta1: 0.5 }, update: (k) => k.startsWith('disc.') }, { seed: 4 });
    const g0 = await gen.step({ L, ab }, 0);
    let dLoss = 0;
    for (let i = 0; i < 40; i++) dLoss = (await disc.step({ L, ab, fake: g0.extras.pred }, 2e-3)).loss;
    expect(dLoss).toBeLessThan(2 * Math.log(2) * 0.5); // far better than chance (1.386)
    const before = (await gen.step({ L, ab }, 0)).extras.adversarial[0];
    for (let i = 0; i < 30; i++) await gen.step({ L, ab }, 5e-3);
    const after = (await gen.step({ L, ab }, 0)).extras.adversarial[0];
    expect(after).toBeLessThan(before * 0.7);
  });
});
