/**
 * Classification and both heads end to end: trained by the real trainer on images whose chroma
 * is a function of lightness, exported, loaded by ONNX Runtime through the model contract and
 * run by the model method: better than gray, a confidence in 0..1, mean and annealed-mean
 * decodings that differ the way they should, the regression output of a both head by default,
 * and contract errors for what does not fit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeColorfulnessOfPixels } from '../../src/color/colorfulness.js';
import { lAbToSrgb8 } from '../../src/color/lab.js';
import { loadModel } from '../../src/io/model-loader.js';
import { META, OUTPUT_AB, OUTPUT_AB_LOGITS } from '../../src/models/contract.js';
import { createColorizationModel, createModelMethod, predictColorization, readOnnxMetadata } from '../../src/methods/model.js';
import { openDataset } from '../../src/train/dataset.js';
import { trainColorizer, type TrainOptions } from '../../src/train/trainer.js';
import { prepareBlobDataset, type BlobColoring } from './blob-dataset.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-classhead-'));
afterAll(() => { if (!process.env.KEEP_TMP) rmSync(tmp, { recursive: true, force: true }); });

/** Smooth blobs; dark = blue-violet, bright = orange (a saturated hue far from gray). */
const coloring: BlobColoring = { lo: 25, span: 50, chroma: (L) => (L < 50 ? [20, -40] : [30, 50]) };

let data = '';
beforeAll(async () => {
  data = await prepareBlobDataset(tmp, 16, 4, coloring);
});

const base = (out: string, head: TrainOptions['head']): TrainOptions => ({
  data, out, head, epochs: 40, batch: 8, lr: 1e-2, crop: 32, warmup: 3, valBatch: 4, patience: 100,
  unet: { base: 8, depth: 2, globalContext: false }, seed: 1, classStride: 2,
});

/** The val records: L* and the true sRGB. */
function valRecords(): { L: Float32Array; truth: Uint8Array }[] {
  const ds = openDataset(data);
  const out = [];
  for (let i = 0; i < ds.splits.val.count; i++) {
    const { L, ab } = ds.read('val', i);
    const n = L.length, inter = new Float32Array(2 * n);
    for (let p = 0; p < n; p++) { inter[2 * p] = ab[p]; inter[2 * p + 1] = ab[n + p]; }
    out.push({ L, truth: lAbToSrgb8(L, inter) });
  }
  ds.close();
  return out;
}

const psnr = (a: Uint8Array, b: Uint8Array) => {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
};

let classModel = '', bothModel = '';

describe('a classification head', () => {
  it('trains, exports ab_logits with its bins in the metadata, and colorizes better than gray with a confidence', async () => {
    const r = await trainColorizer(base(join(tmp, 'cls'), 'classification'));
    classModel = r.modelPath;
    const meta = readOnnxMetadata(new Uint8Array(readFileSync(classModel)));
    expect(meta[META.head]).toBe('classification');
    expect(JSON.parse(meta[META.abBins])).toHaveLength(262);
    expect(meta[META.abGrid]).toBe('10');
    expect(meta[META.outputs]).toContain('ab_logits: float32 [N,262,H/2,W/2]');
    const model = await loadModel(classModel);
    expect(model.head).toBe('classification');
    expect(createModelMethod(model).description).toContain('classification head');
    expect(model.session.outputNames).toEqual([OUTPUT_AB_LOGITS]);
    const method = createModelMethod(model);
    let pModel = 0, pGray = 0, cMean = 0, cAnnealed = 0, cTruth = 0;
    for (const v of valRecords()) {
      const input = { width: 32, height: 32, L: v.L };
      const res = await method.colorize(input, { confidence: true });
      expect(res.ab).toHaveLength(2 * 32 * 32);
      expect(res.confidence).toHaveLength(32 * 32);
      for (const c of res.confidence!) { expect(c).toBeGreaterThanOrEqual(0); expect(c).toBeLessThanOrEqual(1); }
      const rgb = lAbToSrgb8(v.L, res.ab);
      pModel += psnr(rgb, v.truth);
      pGray += psnr(lAbToSrgb8(v.L, new Float32Array(2 * 32 * 32)), v.truth);
      // The default is the annealed mean: the same as asking for it.
      const annealed = await method.colorize(input, { decode: 'annealed-mean' });
      expect(Array.from(annealed.ab)).toEqual(Array.from(res.ab));
      expect(annealed.confidence).toBeUndefined(); // only when asked for, as for every model
      const mean = await method.colorize(input, { decode: 'mean', confidence: true });
      expect(Array.from(mean.confidence!)).toEqual(Array.from(res.confidence!));
      cMean += computeColorfulnessOfPixels(lAbToSrgb8(v.L, mean.ab));
      cAnnealed += computeColorfulnessOfPixels(rgb);
      cTruth += computeColorfulnessOfPixels(v.truth);
    }
    expect(pModel / 4).toBeGreaterThan(pGray / 4 + 3);
    // The mean averages modes toward gray; the annealed mean keeps more of the chroma.
    expect(cAnnealed).toBeGreaterThan(cMean);
    expect(cTruth).toBeGreaterThan(0);
  }, 240_000);
  it('a lower temperature gives more chroma; decoding options out of range are refused', async () => {
    const model = await loadModel(classModel);
    const L = valRecords()[0].L;
    const chroma = async (t: number) => {
      const [p] = await predictColorization(model, [{ width: 32, height: 32, L }], { decode: 'annealed-mean', temperature: t });
      let s = 0;
      for (let i = 0; i < p.ab.length; i += 2) s += Math.hypot(p.ab[i], p.ab[i + 1]);
      return s;
    };
    expect(await chroma(0.1)).toBeGreaterThan(await chroma(1));
    await expect(predictColorization(model, [{ width: 32, height: 32, L }], { temperature: 0 })).rejects.toMatchObject({ code: 'ERR_BAD_OPTION' });
    await expect(predictColorization(model, [{ width: 32, height: 32, L }], { decode: 'mode' as never })).rejects.toMatchObject({ code: 'ERR_BAD_OPTION' });
  }, 60_000);
  it('without its bins in the metadata the model is refused (ERR_MODEL_CONTRACT)', async () => {
    const model = await loadModel(classModel);
    const { [META.abBins]: _bins, ...rest } = model.metadata;
    expect(() => createColorizationModel(model.ort, model.session, { metadata: rest, source: 'x.onnx' })).toThrow(/medcolor.ab_bins/);
    expect(() => createColorizationModel(model.ort, model.session, { metadata: { ...model.metadata, [META.head]: 'regression' } })).toThrow(/output "ab"/);
  }, 60_000);
});

describe('a both head', () => {
  it('exports ab and ab_logits; its regression output is the default, --decode picks the distribution', async () => {
    // lr 5e-3 with clipping: the weighted cross-entropy beside the MSE once diverged at lr 1e-2 in a loaded full run.
    const r = await trainColorizer({ ...base(join(tmp, 'both'), 'both'), epochs: 6, lr: 5e-3, clipNorm: 1 });
    expect(r.modelPath, `training stopped ${r.stopped} with best ${JSON.stringify(r.best)}`).not.toBe('');
    bothModel = r.modelPath;
    // Both outputs are validated; the classification's scores are kept beside the regression's.
    expect(r.best.classified?.psnr).toBeGreaterThan(0);
    expect(JSON.parse(readOnnxMetadata(new Uint8Array(readFileSync(bothModel)))[META.val]).classified.psnr).toBeCloseTo(r.best.classified!.psnr, 1);
    const model = await loadModel(bothModel);
    expect(model.head).toBe('both');
    expect([...model.session.outputNames].sort()).toEqual([OUTPUT_AB, OUTPUT_AB_LOGITS].sort());
    const L = valRecords()[1].L;
    const input = { width: 32, height: 32, L };
    // The default equals the raw `ab` output times ab_scale.
    const x = Float32Array.from(L, (l) => l / 50 - 1);
    const raw = (await model.session.run({ L: new model.ort.Tensor('float32', x, [1, 1, 32, 32]) }))[OUTPUT_AB].data as Float32Array;
    const [p] = await predictColorization(model, [input]);
    expect(p.ab[0]).toBeCloseTo(raw[0] * 110, 4);
    expect(p.ab[1]).toBeCloseTo(raw[32 * 32] * 110, 4);
    expect(p.confidence).toHaveLength(32 * 32);
    const [d] = await predictColorization(model, [input], { decode: 'mean' });
    expect(Array.from(d.ab)).not.toEqual(Array.from(p.ab));
    expect(Array.from(d.confidence!)).toEqual(Array.from(p.confidence!));
  }, 240_000);
  it('a regression model refuses decoding options', async () => {
    const model = await loadModel('blood');
    expect(model.head).toBe('regression');
    await expect(predictColorization(model, [{ width: 256, height: 256, L: new Float32Array(65536).fill(50) }], { decode: 'mean' })).rejects.toMatchObject({ code: 'ERR_BAD_OPTION' });
    const [p] = await predictColorization(model, [{ width: 256, height: 256, L: new Float32Array(65536).fill(50) }]);
    expect(p.confidence).toBeUndefined();
  }, 60_000);
});
