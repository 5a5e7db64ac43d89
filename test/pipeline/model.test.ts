import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMedcolorError } from '../../src/errors.js';
import { getDefaultModelName, listShippedModels, loadModel, resolveModelPath } from '../../src/io/model-loader.js';
import * as ortWeb from 'onnxruntime-web';
import {
  createColorizationModel,
  createModelMethod,
  readOnnxMetadata,
  runColorizationModel,
  type OrtModuleLike,
} from '../../src/methods/model.js';
import { buildFixtureModel, predictFixture } from './onnx-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'medcolor-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeModel(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function rampL(w: number, h: number, offset: number): Float32Array {
  const L = new Float32Array(w * h);
  for (let i = 0; i < L.length; i++) L[i] = (i * 37 + offset * 11) % 101;
  return L;
}

describe('model inference through onnxruntime-node', () => {
  const meta = { 'medcolor.ab_scale': '80', 'medcolor.input_size': '64', 'medcolor.name': 'fixture', 'medcolor.l_norm': 'L/50-1' };
  const path = writeModel('fixture.onnx', buildFixtureModel({ metadata: meta }));

  it('reads metadata_props without decoding the graph', () => {
    const bytes = buildFixtureModel({ metadata: meta });
    expect(readOnnxMetadata(bytes)).toEqual(meta);
    expect(readOnnxMetadata(buildFixtureModel())).toEqual({});
  });

  it('runs a batch in one call and scales by medcolor.ab_scale', async () => {
    const model = await loadModel(path);
    expect(model.abScale).toBe(80);
    expect(model.inputSize).toBe(64);
    expect(model.name).toBe('fixture');
    const w = 7, h = 5;
    const inputs = [0, 1, 2].map((k) => ({ width: w, height: h, L: rampL(w, h, k) }));
    const abs = await runColorizationModel(model, inputs);
    expect(abs).toHaveLength(3);
    for (let k = 0; k < 3; k++) {
      expect(abs[k]).toHaveLength(2 * w * h);
      for (let i = 0; i < w * h; i++) {
        const [a, b] = predictFixture(inputs[k].L[i], 80);
        expect(abs[k][2 * i]).toBeCloseTo(a, 3);
        expect(abs[k][2 * i + 1]).toBeCloseTo(b, 3);
      }
    }
    // Extremes: L*=0 -> x=-1, L*=100 -> x=1.
    const [ab] = await runColorizationModel(model, [{ width: 2, height: 1, L: new Float32Array([0, 100]) }]);
    expect(ab[0]).toBeCloseTo(Math.tanh(-0.4) * 80, 3);
    expect(ab[3]).toBeCloseTo(Math.tanh(-0.05) * 80, 3);
    const method = createModelMethod(model);
    expect(method.workingSize).toBe(64);
    const res = await method.colorize({ width: w, height: h, L: inputs[1].L });
    expect(Array.from(res.ab)).toEqual(Array.from(abs[1]));
  });

  it('runs the same model through an injected onnxruntime-web (wasm) with the same results', async () => {
    const bytes = buildFixtureModel({ metadata: meta });
    ortWeb.env.wasm.numThreads = 1;
    const session = await ortWeb.InferenceSession.create(bytes);
    const web = createColorizationModel(ortWeb as unknown as OrtModuleLike, session, { metadata: readOnnxMetadata(bytes) });
    const node = await loadModel(path);
    const inputs = [{ width: 9, height: 4, L: rampL(9, 4, 3) }, { width: 9, height: 4, L: rampL(9, 4, 8) }];
    const [a, b] = await Promise.all([runColorizationModel(web, inputs), runColorizationModel(node, inputs)]);
    for (let k = 0; k < 2; k++) {
      for (let i = 0; i < a[k].length; i++) expect(a[k][i]).toBeCloseTo(b[k][i], 4);
      expect(a[k][0]).toBeCloseTo(predictFixture(inputs[k].L[0], 80)[0], 3);
    }
  });

  it('defaults the scale to 110 and the size to 256', async () => {
    const model = await loadModel(writeModel('plain.onnx', buildFixtureModel()));
    expect(model.abScale).toBe(110);
    expect(model.inputSize).toBe(256);
    const [ab] = await runColorizationModel(model, [{ width: 1, height: 1, L: new Float32Array([75]) }]);
    expect(ab[0]).toBeCloseTo(predictFixture(75, 110)[0], 3);
  });

  it('honours a static input shape: fixed size becomes the working size, batches run in chunks', async () => {
    const model = await loadModel(writeModel('static.onnx', buildFixtureModel({ fixedDims: [2, 6, 4], metadata: { 'medcolor.input_size': '256' } })));
    expect(model.fixedBatch).toBe(2);
    expect(model.fixedSize).toEqual([6, 4]);
    expect(model.inputSize).toBe(6);
    const inputs = [0, 1, 2].map((k) => ({ width: 4, height: 6, L: rampL(4, 6, k) }));
    const abs = await runColorizationModel(model, inputs); // 2 + 1 (padded)
    expect(abs).toHaveLength(3);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 24; i++) expect(abs[k][2 * i + 1]).toBeCloseTo(predictFixture(inputs[k].L[i])[1], 3);
    }
    await expect(runColorizationModel(model, [{ width: 6, height: 6, L: new Float32Array(36) }])).rejects.toMatchObject({
      code: 'ERR_MODEL_INPUT_SIZE',
    });
  });

  it('rejects mixed sizes in one batch, and models that break the contract', async () => {
    const model = await loadModel(path);
    await expect(
      runColorizationModel(model, [
        { width: 2, height: 2, L: new Float32Array(4) },
        { width: 3, height: 2, L: new Float32Array(6) },
      ]),
    ).rejects.toMatchObject({ code: 'ERR_MODEL_BATCH_SIZE' });
    const bad = writeModel('bad-input.onnx', buildFixtureModel({ inputName: 'gray' }));
    await expect(loadModel(bad)).rejects.toMatchObject({ code: 'ERR_MODEL_CONTRACT' });
    const badScale = writeModel('bad-scale.onnx', buildFixtureModel({ metadata: { 'medcolor.ab_scale': 'x' } }));
    await expect(loadModel(badScale)).rejects.toMatchObject({ code: 'ERR_MODEL_CONTRACT' });
    const junk = writeModel('junk.onnx', new Uint8Array([1, 2, 3, 4, 5]));
    await expect(loadModel(junk)).rejects.toSatisfy((e: unknown) => isMedcolorError(e));
  });

  it('resolves shipped names and lists them when a name is unknown', () => {
    const models = mkdtempSync(join(tmpdir(), 'medcolor-models-'));
    try {
      writeFileSync(join(models, 'zeta.onnx'), buildFixtureModel());
      writeFileSync(join(models, 'alpha.onnx'), buildFixtureModel());
      expect(listShippedModels(models)).toEqual(['alpha', 'zeta']);
      expect(getDefaultModelName(models)).toBe('alpha');
      writeFileSync(join(models, 'DEFAULT'), 'zeta\n');
      expect(getDefaultModelName(models)).toBe('zeta');
      expect(resolveModelPath('zeta', models)).toBe(join(models, 'zeta.onnx'));
      expect(resolveModelPath(path, models)).toBe(path);
      let err: unknown;
      try {
        resolveModelPath('nope', models);
      } catch (e) {
        err = e;
      }
      expect(isMedcolorError(err, 'ERR_MODEL_NOT_FOUND')).toBe(true);
      expect((err as Error).message).toContain('alpha, zeta');
      expect(getDefaultModelName(join(models, 'missing'))).toBeUndefined();
    } finally {
      rmSync(models, { recursive: true, force: true });
    }
  });
});
