import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import '../../src/nn/index.js';
import { exportInferenceModel } from '../../src/nn/export.js';
import { readOnnxMetadata } from '../../src/methods/model.js';
import { mseLoss } from '../../src/nn/losses.js';
import { ParamStore, Rng } from '../../src/nn/params.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { EvalSession, TrainSession } from '../../src/nn/session.js';
import { unetForward, type UNetOptions } from '../../src/models/unet.js';

describe('export of a plain inference model', () => {
  for (const unet of [{ base: 8, depth: 2 }, { base: 8, depth: 3, globalContext: true }] as UNetOptions[]) {
    it(`matches the training graph in eval mode, with BatchNorm folded (${JSON.stringify(unet)})`, async () => {
      const store = new ParamStore();
      const rng = new Rng(3);
      const S = 32;
      const ts = await TrainSession.create({
        store,
        inputs: { L: [4, 1, S, S], ab: [4, 2, S, S] },
        build: (ctx, ins) => ({ loss: mseLoss(ctx.g, unetForward(ctx, ins.L, unet), ins.ab) }),
        optimizer: { type: 'adam' },
      }, { seed: 2 });
      // A few steps so that weights and BN running statistics are far from their initial values.
      for (let i = 0; i < 5; i++) {
        await ts.step({ L: Float32Array.from({ length: 4 * S * S }, () => rng.next() * 2 - 1), ab: Float32Array.from({ length: 8 * S * S }, () => rng.normal() * 0.3) }, 1e-2);
      }
      expect(store.get('enc0.bn.running_var')[0]).not.toBeCloseTo(1, 3);
      const ev = await EvalSession.create(store, { L: [1, 1, S, S] }, (ctx, ins) => ({ ab: unetForward(ctx, ins.L, unet) }));
      const x = Float32Array.from({ length: S * S }, () => rng.next() * 2 - 1);
      const ref = (await ev.run({ L: x })).ab;
      const bytes = exportInferenceModel(store, { L: [1, 1, S, S] }, (ctx, ins) => ({ ab: unetForward(ctx, ins.L, unet) }), { 'medcolor.ab_scale': '110', 'medcolor.name': 'test' });
      const model = onnxProto.onnx.ModelProto.decode(bytes);
      const ops = new Set(model.graph!.node!.map((n) => n.opType));
      expect(ops.has('BatchNormalization')).toBe(false);
      expect(ops.has('Conv')).toBe(true);
      expect(model.graph!.input!.map((i) => i.name)).toEqual(['L']);
      expect(readOnnxMetadata(bytes)['medcolor.ab_scale']).toBe('110');
      const s = await createSession(bytes);
      const got = (await s.run({ L: new ort.Tensor('float32', x, [1, 1, S, S]) })).ab.data as Float32Array;
      let maxDiff = 0;
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - ref[i]));
      expect(maxDiff).toBeLessThan(1e-4);
      // With a symbolic batch dimension the same file runs any batch size.
      const dyn = exportInferenceModel(store, { L: [1, 1, S, S] }, (ctx, ins) => ({ ab: unetForward(ctx, ins.L, unet) }), {}, 'dyn', { dynamicBatch: true });
      const sd = await createSession(dyn);
      const x3 = new Float32Array(3 * S * S);
      x3.set(x, 2 * S * S);
      const got3 = (await sd.run({ L: new ort.Tensor('float32', x3, [3, 1, S, S]) })).ab;
      expect(got3.dims).toEqual([3, 2, S, S]);
      const third = (got3.data as Float32Array).subarray(2 * 2 * S * S);
      for (let i = 0; i < ref.length; i += 97) expect(third[i]).toBeCloseTo(ref[i], 4);
      // And the output is not trivially constant.
      const spread = Math.max(...ref) - Math.min(...ref);
      expect(spread).toBeGreaterThan(1e-3);
    });
  }
});
