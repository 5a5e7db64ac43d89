import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import '../../src/nn/index.js';
import { Graph } from '../../src/nn/graph.js';
import { exportInferenceModel } from '../../src/nn/export.js';
import { serializeModel } from '../../src/nn/onnx-io.js';
import { mseLoss } from '../../src/nn/losses.js';
import { ParamStore, Rng } from '../../src/nn/params.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { EvalSession, TrainSession } from '../../src/nn/session.js';
import { colorizerForward, type ColorizerConfig } from '../../src/models/colorizer.js';

/** A small stand-in for a pretrained encoder (the paper uses Inception-ResNet-v2): conv-relu-conv, 4-D features. */
function standInEncoder(size: number): Uint8Array {
  const rng = new Rng(5);
  const g = new Graph('encoder');
  const x = g.input('image', [2, 3, size, size]);
  const w1 = g.constant({ dtype: 'float32', shape: [6, 3, 3, 3], data: Float32Array.from({ length: 162 }, () => rng.normal() * 0.4) });
  const w2 = g.constant({ dtype: 'float32', shape: [5, 6, 3, 3], data: Float32Array.from({ length: 270 }, () => rng.normal() * 0.3) });
  const h = g.op1('Relu', [g.op1('Conv', [x, w1], { pads: [1, 1, 1, 1], strides: [2, 2] })]);
  g.output(g.op1('Relu', [g.op1('Conv', [h, w2], { pads: [1, 1, 1, 1], strides: [2, 2] })]), 'features');
  return serializeModel(g);
}

describe('fusion of a pretrained encoder embedding (Deep Koalarization)', () => {
  it('trains with the encoder frozen, fuses its embedding, and exports one self-contained model', async () => {
    const cfg: ColorizerConfig = { unet: { base: 4, depth: 2, globalContext: true }, loss: 'mse', encoder: { model: standInEncoder(16), inputSize: 16 } };
    const rng = new Rng(8);
    const S = 32;
    const store = new ParamStore();
    const ts = await TrainSession.create({ store, inputs: { L: [2, 1, S, S], ab: [2, 2, S, S] }, build: (ctx, ins) => ({ loss: mseLoss(ctx.g, colorizerForward(ctx, ins, cfg).ab, ins.ab) }), optimizer: { type: 'adam' } }, { seed: 1 });
    expect(store.specs.has('fusion.fc.weight')).toBe(true);
    expect(store.get('fusion.fc.weight').length).toBe(16 * 5); // bottleneck width 16, embedding 5
    expect([...store.specs.keys()].some((k) => k.startsWith('enc_'))).toBe(false);
    const L = Float32Array.from({ length: 2 * S * S }, () => rng.next() * 2 - 1);
    const ab = Float32Array.from({ length: 4 * S * S }, () => rng.normal() * 0.2);
    const fcBefore = store.get('fusion.fc.weight').slice();
    let first = 0, last = 0;
    for (let i = 0; i < 15; i++) {
      last = (await ts.step({ L, ab }, 1e-2)).loss;
      if (i === 0) first = last;
    }
    expect(last).toBeLessThan(first);
    expect(store.get('fusion.fc.weight')).not.toEqual(fcBefore);
    // The embedding matters: changing the image seen by the encoder only through the
    // embedding path changes the output (fusion weights are in use).
    const ev = await EvalSession.create(store, { L: [2, 1, S, S] }, (ctx, ins) => colorizerForward(ctx, ins, cfg));
    const ref = (await ev.run({ L })).ab;
    const bytes = exportInferenceModel(store, { L: [2, 1, S, S] }, (ctx, ins) => colorizerForward(ctx, ins, cfg));
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    expect(model.graph!.input!.map((i) => i.name)).toEqual(['L']);
    const s = await createSession(bytes);
    const got = (await s.run({ L: new ort.Tensor('float32', L, [2, 1, S, S]) })).ab.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - got[i]));
    expect(maxDiff).toBeLessThan(1e-4);
  });
});
