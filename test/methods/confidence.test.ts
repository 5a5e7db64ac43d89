/**
 * The confidence map of the model (mirrored runs, error table), the sparsification metric that
 * checks it, and the pipeline's --min-confidence fade, on real ONNX Runtime sessions.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deltaE2000Map } from '../../src/color/ciede2000.js';
import { srgb8ToLab } from '../../src/color/lab.js';
import { loadModel } from '../../src/io/model-loader.js';
import { readRasterRgb } from '../../src/io/raster.js';
import { confidenceFromTable, ERROR_SCALE, ErrorTableBuilder, parseErrorTable } from '../../src/methods/error-table.js';
import { agreementConfidence, flipInterleavedAb, flipPlanar, predictionSpread } from '../../src/methods/flip-confidence.js';
import { createModelMethod } from '../../src/methods/model.js';
import { getMethod } from '../../src/methods/registry.js';
import { computeSparsification } from '../../src/metrics/sparsification.js';
import { colorizeL, fadeChromaByConfidence } from '../../src/pipeline/colorize.js';
import { isMedcolorError } from '../../src/errors.js';
import { buildFixtureModel } from '../pipeline/onnx-fixture.js';
import { hasSharedData, sharedData } from '../fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-confidence-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const asymmetric = (w: number, h: number) => new Float32Array(w * h).map((_, i) => ((i % w) * 3 + Math.floor(i / w) * 7) % 100);

describe('mirrored predictions', () => {
  it('mirroring twice is the identity, and a mirrored a*b* goes back to its pixels', () => {
    const w = 5, h = 3, L = asymmetric(w, h);
    for (const f of ['horizontal', 'vertical'] as const) {
      expect(Array.from(flipPlanar(flipPlanar(L, w, h, 1, f), w, h, 1, f))).toEqual(Array.from(L));
    }
    const m = flipPlanar(L, w, h, 1, 'horizontal');
    expect(m[0]).toBe(L[4]);
    expect(flipPlanar(L, w, h, 1, 'vertical')[0]).toBe(L[10]);
    const ab = new Float32Array(2 * w * h).map((_, i) => i);
    const back = flipInterleavedAb(ab, w, h, 'horizontal');
    expect([back[0], back[1]]).toEqual([8, 9]); // pixel 0 takes pixel 4's a*b*
  });

  it('spread is the RMS distance to the mean; confidence exp(-spread/4)', () => {
    const a = new Float32Array([0, 0, 10, 0]), b = new Float32Array([0, 0, 10, 0]), c = new Float32Array([0, 0, 10, 12]);
    const s = predictionSpread([a, b, c], 2);
    expect(s[0]).toBe(0);
    // b* values 0, 0, 12: mean 4, deviations 4, 4, 8 -> sqrt((16 + 16 + 64) / 3)
    expect(s[1]).toBeCloseTo(Math.sqrt(32), 5);
    const conf = agreementConfidence([a, b, c], 2);
    expect(conf[0]).toBe(1);
    expect(conf[1]).toBeCloseTo(Math.exp(-Math.sqrt(32) / 4), 5);
  });

  it('a pointwise model (1x1 conv) agrees with its mirror images exactly: confidence 1 everywhere', async () => {
    const file = join(tmp, 'pointwise.onnx');
    writeFileSync(file, buildFixtureModel({ metadata: { 'medcolor.input_size': '16' } }));
    const method = createModelMethod(await loadModel(file));
    const L = asymmetric(16, 16);
    const plain = await method.colorize({ width: 16, height: 16, L });
    expect(plain.confidence).toBeUndefined();
    const res = await method.colorize({ width: 16, height: 16, L }, { confidence: true });
    expect(Array.from(res.ab)).toEqual(Array.from(plain.ab)); // the colors are those of the image itself
    expect(res.confidence!.every((c) => Math.abs(c - 1) < 1e-6)).toBe(true);
  });
});

describe('a hint-taking model', () => {
  it('gives a confidence map with hints too (the hints mirrored with the image), without changing its colors', async () => {
    const model = await loadModel('fundus');
    expect(model.takesHints).toBe(true);
    const method = createModelMethod(model);
    const S = model.inputSize; // fixed at 256
    const L = asymmetric(S, S);
    const hints = { strokes: [{ points: [[40, 48]] as [number, number][], width: 5, color: '#c03020' }], width: S, height: S };
    const plain = await method.colorize({ width: S, height: S, L }, { hints });
    const res = await method.colorize({ width: S, height: S, L }, { hints, confidence: true });
    expect(Array.from(res.ab)).toEqual(Array.from(plain.ab));
    expect(res.confidence).toHaveLength(S * S);
    expect(res.confidence!.every((c) => c > 0 && c <= 1)).toBe(true);
    // Hints change what the model predicts, so they change its confidence too.
    const auto = await method.colorize({ width: S, height: S, L }, { confidence: true });
    expect(Array.from(auto.confidence!)).not.toEqual(Array.from(res.confidence!));
  });
});

describe('error table', () => {
  it('learns the mean error per bin and falls back to coarser bins', () => {
    const b = new ErrorTableBuilder();
    const n = 200;
    // Dark gray pixels with error 1, bright saturated ones with error 9.
    const L = new Float32Array(n).map((_, i) => (i < 100 ? 3 : 70));
    const ab = new Float32Array(2 * n).map((_, i) => (i < 200 ? 0 : 40));
    const spread = new Float32Array(n).fill(0.1);
    const err = new Float32Array(n).map((_, i) => (i < 100 ? 1 : 9));
    b.add(L, ab, spread, err);
    const t = b.build();
    expect(t.overall).toBe(5);
    expect(parseErrorTable(JSON.stringify(t))).toEqual(t);
    const c = confidenceFromTable(t, [3, 70, 70, 50], [0, 0, 40, 40, 40, 40, 100, 0], [0.1, 0.1, 3, 0.1]);
    expect(c[0]).toBeCloseTo(Math.exp(-1 / ERROR_SCALE), 5);
    expect(c[1]).toBeCloseTo(Math.exp(-9 / ERROR_SCALE), 5);
    expect(c[2]).toBeCloseTo(Math.exp(-9 / ERROR_SCALE), 5); // another spread bin: the L*-chroma bin
    expect(c[3]).toBeCloseTo(Math.exp(-5 / ERROR_SCALE), 5); // an empty bin: the overall mean
    let err2: unknown;
    try {
      parseErrorTable('{"format":"x"}', 'm.onnx');
    } catch (e) {
      err2 = e;
    }
    expect(isMedcolorError(err2, 'ERR_MODEL_CONTRACT')).toBe(true);
  });
});

describe('sparsification', () => {
  it('is 0 above the oracle when confidence orders pixels as the errors do, and positive otherwise', () => {
    const error = new Float32Array([5, 1, 3, 4, 2, 0]);
    const perfect = computeSparsification(error.map((e) => -e), error);
    expect(perfect.ause).toBeCloseTo(0, 10);
    expect(perfect.confidentHalf).toBeCloseTo(1, 10); // 0, 1, 2
    expect(perfect.unsureHalf).toBeCloseTo(4, 10); // 3, 4, 5
    expect(perfect.curve[0]).toBeCloseTo(2.5, 10);
    const reversed = computeSparsification(error, error);
    expect(reversed.ause).toBeGreaterThan(perfect.ause + 1);
    expect(reversed.confidentHalf).toBeCloseTo(4, 10);
    expect(reversed.auseRandom).toBeGreaterThan(0);
  });
});

describe('--min-confidence', () => {
  it('fades chroma by confidence: full at C, none at C/2 and below', () => {
    const ab = new Float32Array([10, -10, 10, -10, 10, -10, 10, -10]);
    const out = fadeChromaByConfidence(ab, new Float32Array([1, 0.5, 0.375, 0.2]), 0.5);
    expect(Array.from(out)).toEqual([10, -10, 10, -10, 5, -5, 0, -0]);
  });

  it('makes the least sure k-means pixels gray and keeps L* (pipeline option)', async () => {
    const w = 48, h = 48;
    const L = new Float32Array(w * h).map((_, i) => 20 + ((i % w) / w) * 60);
    const kmeans = getMethod('kmeans');
    const full = await colorizeL({ width: w, height: h, data: L }, kmeans, { methodOptions: { k: 3, seed: 1 } });
    expect(full.confidence).toBeDefined();
    const faded = await colorizeL({ width: w, height: h, data: L }, kmeans, { methodOptions: { k: 3, seed: 1 }, minConfidence: 0.9 });
    expect(Array.from(faded.L.data)).toEqual(Array.from(full.L.data));
    let gray = 0, kept = 0;
    for (let i = 0; i < w * h; i++) {
      const c = full.confidence![i], chroma = Math.hypot(faded.ab[2 * i], faded.ab[2 * i + 1]);
      if (c <= 0.44) {
        expect(chroma).toBeLessThan(0.5);
        gray++;
      } else if (c >= 0.91) {
        expect(chroma).toBeCloseTo(Math.hypot(full.ab[2 * i], full.ab[2 * i + 1]), 3);
        kept++;
      }
    }
    expect(gray).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
    await expect(colorizeL({ width: w, height: h, data: L }, kmeans, { minConfidence: 2 })).rejects.toThrow(/0\.\.1/);
  });
});

describe.skipIf(!hasSharedData('color/blood-bccd/val'))('the shipped blood model\'s confidence on real smears', () => {
  it('its most confident half of the pixels has a clearly lower CIEDE2000 than its least confident half', async () => {
    const model = await loadModel('blood');
    expect(model.errorTable, 'models/blood.onnx has medcolor.confidence').toBeDefined();
    const method = createModelMethod(model);
    const dir = sharedData('color/blood-bccd/val');
    const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, 3);
    for (const f of files) {
      const truth = await readRasterRgb(join(dir, f));
      const lab = srgb8ToLab(truth.data);
      const L = new Float32Array(truth.width * truth.height).map((_, i) => lab[3 * i]);
      const out = await colorizeL({ width: truth.width, height: truth.height, data: L }, method, { confidence: true });
      expect(out.confidence).toHaveLength(truth.width * truth.height);
      const s = computeSparsification(out.confidence!, deltaE2000Map(srgb8ToLab(out.rgb.data), lab));
      expect(s.confidentHalf, f).toBeLessThan(0.9 * s.unsureHalf);
    }
  });
});
