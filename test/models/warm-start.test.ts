import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { colorizerForward, colorizerInputShapes, type ColorizerConfig } from '../../src/models/colorizer.js';
import { loadExportedWeights } from '../../src/models/warm-start.js';
import { exportInferenceModel } from '../../src/nn/export.js';
import { Graph } from '../../src/nn/graph.js';
import { BuildContext, ParamStore, Rng } from '../../src/nn/params.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import '../../src/nn/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// An automatic (1-input, BatchNorm-folded) shipped model: blood (base 32, 3 downsamplings).
const natural = join(root, 'models/blood.onnx');

describe('warm start from an exported (BatchNorm-folded) model', () => {
  it('a hint-taking network loaded from blood.onnx computes what blood.onnx computes without hints; a hint takes effect near it only', async () => {
    const cfg: ColorizerConfig = { unet: { base: 32, depth: 3, globalContext: true, batchNorm: false, guided: true }, loss: 'mse', hints: true, hintBlend: true };
    const store = new ParamStore();
    const S = 256; // the shipped models take 256x256 only
    // Declare the parameters by building the graph once.
    const g = new Graph('declare');
    const ctx = new BuildContext(g, 'eval', store);
    const ins: Record<string, ReturnType<Graph['input']>> = {};
    for (const [k, shape] of Object.entries(colorizerInputShapes(cfg, 1, S))) ins[k] = g.input(k, shape);
    colorizerForward(ctx, ins, cfg);
    const n = loadExportedWeights(store, new Uint8Array(readFileSync(natural)), natural, { fresh: ['hint_gate.'] });
    expect(store.get('hint_gate.weight').every((v) => v === 0)).toBe(true);
    expect(n).toBe(store.trainable().length - 2); // all but hint_gate.weight and .bias
    // The first layer takes 4 channels; the 3 hint channels start at zero.
    const w0 = store.get('enc0.conv.weight');
    expect(w0.length).toBe(32 * 4 * 9);
    for (let o = 0; o < 32; o++) for (let i = 1; i < 4; i++) for (let t = 0; t < 9; t++) expect(w0[(o * 4 + i) * 9 + t]).toBe(0);
    const warm = exportInferenceModel(store, colorizerInputShapes(cfg, 1, S), (c, x) => colorizerForward(c, x, cfg));
    const rng = new Rng(3);
    const L = Float32Array.from({ length: S * S }, (_, i) => Math.sin(i / 37) * 0.6 + (rng.next() - 0.5) * 0.2);
    const ref = await (await createSession(new Uint8Array(readFileSync(natural)))).run({ L: new ort.Tensor('float32', L, [1, 1, S, S]) });
    const sess = await createSession(warm);
    const run = async (hintAb: Float32Array, hintMask: Float32Array) => (await sess.run({ L: new ort.Tensor('float32', L, [1, 1, S, S]), hint_ab: new ort.Tensor('float32', hintAb, [1, 2, S, S]), hint_mask: new ort.Tensor('float32', hintMask, [1, 1, S, S]) })).ab.data as Float32Array;
    const a = ref.ab.data as Float32Array;
    const b = await run(new Float32Array(2 * S * S), new Float32Array(S * S));
    let maxDiff = 0, energy = 0;
    for (let i = 0; i < a.length; i++) { maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i])); energy += Math.abs(a[i]); }
    expect(energy / a.length).toBeGreaterThan(1e-3); // the reference is not trivially zero
    expect(maxDiff).toBeLessThan(1e-5);
    // One hint (a* = 0.5 * 110) at (40, 40): the blend pulls the output there towards it at once,
    // and leaves pixels far away (200 px, > 8 sigma of the wide scale) as they were.
    const hintAb = new Float32Array(2 * S * S), hintMask = new Float32Array(S * S);
    const p = 40 * S + 40, far = 240 * S + 240;
    hintMask[p] = 1; hintAb[p] = 0.5;
    const c = await run(hintAb, hintMask);
    expect(Math.abs(c[p] - 0.5)).toBeLessThan(0.5 * Math.abs(a[p] - 0.5));
    expect(Math.abs(c[far] - a[far])).toBeLessThan(1e-5);
  });

  it('refuses a model of another architecture, naming the parameter', () => {
    const cfg: ColorizerConfig = { unet: { base: 8, depth: 4, globalContext: true, batchNorm: false }, loss: 'mse', hints: true, hintBlend: true };
    const store = new ParamStore();
    const g = new Graph('declare');
    const ctx = new BuildContext(g, 'eval', store);
    const ins: Record<string, ReturnType<Graph['input']>> = {};
    for (const [k, shape] of Object.entries(colorizerInputShapes(cfg, 1, 32))) ins[k] = g.input(k, shape);
    colorizerForward(ctx, ins, cfg);
    expect(() => loadExportedWeights(store, new Uint8Array(readFileSync(natural)), natural)).toThrow(/enc0\.conv\.weight.*\[32,1,3,3\].*\[8,4,3,3\]/);
  });
});
