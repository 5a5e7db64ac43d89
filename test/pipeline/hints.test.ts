/**
 * A hint-taking model end to end: the contract (old 1-input models still load, metadata says
 * whether a model takes hints), hints from the library API in full-size coordinates, L* kept,
 * and the K sweep of `medcolor eval --hints` beside scribble on the same hints.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labToSrgb8, srgb8ToL, srgb8ToLab } from '../../src/color/lab.js';
import { isMedcolorError } from '../../src/errors.js';
import { loadModel } from '../../src/io/model-loader.js';
import { createModelMethod, readOnnxMetadata, type ModelMethodOptions } from '../../src/methods/model.js';
import { getMethod } from '../../src/methods/registry.js';
import { colorizerForward, colorizerInputShapes, colorizerMetadata, type ColorizerConfig } from '../../src/models/colorizer.js';
import { exportInferenceModel } from '../../src/nn/export.js';
import '../../src/nn/index.js';
import { ParamStore, Rng } from '../../src/nn/params.js';
import { Graph } from '../../src/nn/graph.js';
import { BuildContext } from '../../src/nn/params.js';
import { colorizeL } from '../../src/pipeline/colorize.js';
import { evaluateHintSweep } from '../../src/pipeline/evaluate-hints.js';
import { buildFixtureModel } from './onnx-fixture.js';
import type { EncodedOutput } from '../../src/io/encode-output.js';
import { encodePng } from '../../src/io/raster.js';
import { readGrayInput } from '../../src/io/read-any.js';
import { setOnnxMetadata } from '../../src/io/model-metadata.js';
import { rasterizeHints } from '../../src/methods/hints.js';
import { propagateHintResidual } from '../../src/methods/hint-propagation.js';
import { colorizeInput } from '../../src/pipeline/colorize-input.js';
import { daikonFile } from '../fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'medcolor-hints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const S = 32;
let hintModel = '', closedModel = '';

/** An untrained (seeded) hint-taking U-Net with the learned blend, exported with its metadata. */
function buildHintModel(gateBias: [number, number] = [0.3, 0.5]): Uint8Array {
  const cfg: ColorizerConfig = { unet: { base: 4, depth: 2, globalContext: false, batchNorm: false, guided: true }, loss: 'mse', hints: true, hintBlend: true };
  const store = new ParamStore();
  const g = new Graph('declare');
  const ctx = new BuildContext(g, 'eval', store);
  const ins: Record<string, ReturnType<Graph['input']>> = {};
  for (const [k, shape] of Object.entries(colorizerInputShapes(cfg, 1, S))) ins[k] = g.input(k, shape);
  colorizerForward(ctx, ins, cfg);
  store.initialize(4);
  // A small network: shrink the head so its own prediction is near gray and the hints show.
  const head = store.get('head.weight');
  for (let i = 0; i < head.length; i++) head[i] *= 0.05;
  // Gates wide open (as after training on images of flat color regions): 10 * 0.3 + offsets.
  store.get('hint_gate.weight').fill(0);
  store.get('hint_gate.bias').set(gateBias);
  return exportInferenceModel(store, colorizerInputShapes(cfg, 1, S), (c, x) => colorizerForward(c, x, cfg),
    colorizerMetadata(cfg, { 'medcolor.name': 'tiny-hints', 'medcolor.input_size': String(S) }), 'tiny', { dynamicBatch: true });
}

beforeAll(() => {
  hintModel = join(dir, 'tiny-hints.onnx');
  writeFileSync(hintModel, buildHintModel());
  // Gates shut (10 * -1 + offsets): the network alone barely follows a hint, as a briefly trained one.
  closedModel = join(dir, 'tiny-hints-closed.onnx');
  writeFileSync(closedModel, buildHintModel([-1, -1]));
});

/** Images whose left half is red and right half green at one lightness ramp. */
async function makeImages(n: number): Promise<string[]> {
  const files: string[] = [];
  mkdirSync(join(dir, 'val'), { recursive: true });
  for (let k = 0; k < n; k++) {
    const W = 48, H = 40, rng = new Rng(k + 1);
    const lab = new Float32Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const i = 3 * (y * W + x);
      lab[i] = 40 + 20 * Math.sin((x + y) / 9) + 5 * rng.next();
      const left = x < W / 2 + k;
      lab[i + 1] = left ? 30 : -25;
      lab[i + 2] = left ? 15 : 25;
    }
    const f = join(dir, 'val', `img${k}.png`);
    await sharp(labToSrgb8(lab), { raw: { width: W, height: H, channels: 3 } }).png().toFile(f);
    files.push(f);
  }
  return files;
}

describe('hint-taking models', () => {
  it('say so in their metadata and inputs; a 1-input model still loads and refuses hints clearly', async () => {
    const meta = readOnnxMetadata(new Uint8Array(readFileSync(hintModel)));
    expect(meta['medcolor.hints']).toBe('ab+mask');
    expect(JSON.parse(meta['medcolor.architecture']).hintBlend).toBe(true);
    const m = await loadModel(hintModel);
    expect(m.takesHints).toBe(true);
    expect(m.session.inputNames).toEqual(['L', 'hint_ab', 'hint_mask']);
    const old = join(dir, 'old.onnx');
    writeFileSync(old, buildFixtureModel({ metadata: { 'medcolor.input_size': '16' } }));
    const om = await loadModel(old);
    expect(om.takesHints).toBe(false);
    const L = new Float32Array(16 * 16).fill(50);
    try {
      await createModelMethod(om).colorize({ width: 16, height: 16, L }, { hints: { strokes: [{ points: [[3, 3]], color: '#ff0000' }] } });
      throw new Error('expected a refusal');
    } catch (e) {
      expect(isMedcolorError(e, 'ERR_BAD_OPTION')).toBe(true);
      expect((e as Error).message).toMatch(/does not take color hints/);
    }
    // A model whose metadata claims hints but has one input breaks the contract.
    const liar = join(dir, 'liar.onnx');
    writeFileSync(liar, buildFixtureModel({ metadata: { 'medcolor.hints': 'ab+mask' } }));
    await expect(loadModel(liar)).rejects.toThrow(/expected input "L" alone, or "L", "hint_ab" and "hint_mask"/);
  });

  it('colors near a hint given in full-size coordinates, keeps L*, and without hints equals automatic colorization', async () => {
    const method = createModelMethod(await loadModel(hintModel));
    const W = 128, H = 96; // full size; the model works at 32x32
    const L = new Float32Array(W * H);
    for (let i = 0; i < L.length; i++) L[i] = 35 + 30 * Math.sin(i / 500);
    const plane = { width: W, height: H, data: L };
    const auto = await colorizeL(plane, method);
    const none = await colorizeL(plane, method, { methodOptions: {} });
    expect(Buffer.from(none.rgb.data).equals(Buffer.from(auto.rgb.data))).toBe(true);
    const hints = { strokes: [{ points: [[100, 20]] as [number, number][], width: 12, color: { a: 30, b: 20 } }], width: W, height: H };
    const hinted = await colorizeL(plane, method, { methodOptions: { hints } });
    // The pipeline tells the method the full size: hints without a frame are in full-size pixels too.
    const unframed = await colorizeL(plane, method, { methodOptions: { hints: { strokes: hints.strokes } } });
    expect(Buffer.from(unframed.rgb.data).equals(Buffer.from(hinted.rgb.data))).toBe(true);
    const labAt = (rgb: Uint8Array, x: number, y: number) => srgb8ToLab(rgb.subarray(3 * (y * W + x), 3 * (y * W + x) + 3));
    const near = labAt(hinted.rgb.data, 100, 20), nearAuto = labAt(auto.rgb.data, 100, 20);
    // Pulled towards a* = 30, b* = 20 at the hint; the L* of every pixel is the input's (8-bit rounding).
    expect(Math.hypot(near[1] - 30, near[2] - 20)).toBeLessThan(0.4 * Math.hypot(nearAuto[1] - 30, nearAuto[2] - 20));
    const Lout = srgb8ToL(hinted.rgb.data);
    let maxDL = 0;
    for (let i = 0; i < L.length; i++) maxDL = Math.max(maxDL, Math.abs(Lout[i] - L[i]));
    expect(maxDL).toBeLessThan(0.6);
    // Out of the image: a clear error naming the frame.
    await expect(colorizeL(plane, method, { methodOptions: { hints: { ...hints, strokes: [{ points: [[W, 5]], color: '#00ff00' }] } } }))
      .rejects.toThrow(/point \[128, 5\] lies outside the 128x96 image/);
  });

  it('propagates what the network left of each hint (hint-propagation.ts) unless hintPropagation is none', async () => {
    const method = createModelMethod(await loadModel(closedModel));
    const L = new Float32Array(S * S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) L[y * S + x] = x < S / 2 ? 30 : 70;
    const plane = { width: S, height: S, data: L }; // the working size: no resizing
    const red = { a: 35, b: 20 }, green = { a: -30, b: 25 };
    const hints = { strokes: [{ points: [[4, 4]] as [number, number][], width: 2, shape: 'square' as const, color: red }, { points: [[27, 27]] as [number, number][], width: 2, shape: 'square' as const, color: green }] };
    const raw = await colorizeL(plane, method, { methodOptions: { hints, hintPropagation: 'none' } });
    const out = await colorizeL(plane, method, { methodOptions: { hints } });
    const abAt = (o: { ab: Float32Array }, x: number, y: number) => [o.ab[2 * (y * S + x)], o.ab[2 * (y * S + x) + 1]];
    const dist = (p: number[], c: { a: number; b: number }) => Math.hypot(p[0] - c.a, p[1] - c.b);
    // The network alone (gates shut) misses the hints; with the propagation every hinted pixel has its hint's color.
    expect(dist(abAt(raw, 4, 4), red)).toBeGreaterThan(5);
    for (const [x, y] of [[4, 4], [5, 5]]) expect(dist(abAt(out, x, y), red)).toBeLessThan(1);
    for (const [x, y] of [[27, 27], [28, 28]]) expect(dist(abAt(out, x, y), green)).toBeLessThan(1);
    const Lout = srgb8ToL(out.rgb.data);
    for (let i = 0; i < L.length; i++) expect(Math.abs(Lout[i] - L[i])).toBeLessThan(0.6);
  });

  it("hintPropagation 'automatic' spreads the whole gap from the network's unhinted output; the model's metadata sets the default", async () => {
    const L = new Float32Array(S * S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) L[y * S + x] = 30 + 40 * (x / S) + (y < S / 2 ? 0 : 10);
    const input = { width: S, height: S, L };
    const hints = { strokes: [{ points: [[6, 6]] as [number, number][], width: 2, shape: 'square' as const, color: { a: 35, b: 20 } }] };
    const method = createModelMethod(await loadModel(hintModel));
    const auto = await method.colorize(input, { hints, hintPropagation: 'automatic' });
    // The same by hand: the network without hints, then the gap to the hint propagated.
    const plain = await method.colorize(input, {});
    const planes = rasterizeHints({ ...hints }, S, S);
    const want = propagateHintResidual(L, S, S, Float32Array.from(plain.ab), planes);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(auto.ab[i] - want[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    // And it differs from the default ('hinted': the network sees the hints, the gates are open).
    const hinted = await method.colorize(input, { hints });
    let apart = 0;
    for (let i = 0; i < want.length; i++) apart = Math.max(apart, Math.abs(hinted.ab[i] - want[i]));
    expect(apart).toBeGreaterThan(1);
    // A model whose metadata says 'automatic' does so by default; an unknown value is refused on load.
    const withMeta = (v: string) => {
      const f = join(dir, `tiny-hints-${v}.onnx`);
      writeFileSync(f, setOnnxMetadata(readFileSync(hintModel), { 'medcolor.hint_propagation': v }));
      return f;
    };
    const autoModel = await loadModel(withMeta('automatic'));
    expect(autoModel.hintPropagation).toBe('automatic');
    expect((await createModelMethod(autoModel).colorize(input, { hints })).ab).toEqual(auto.ab);
    await expect(loadModel(withMeta('sideways'))).rejects.toThrow(/unsupported medcolor.hint_propagation "sideways"; supported: "hinted", "automatic", "none"/);
  });

  it('on a multi-frame input, hints given on one frame reach the frames within 3 of it only', async () => {
    const method = createModelMethod(await loadModel(hintModel));
    const all = await readGrayInput(daikonFile('jpeg_baseline_8bit.dcm'));
    const input = { ...all, frames: all.frames.slice(0, 8), complete: false };
    const { width, height } = input.frames[0];
    const strokes = [{ points: [[width / 2, height / 2]] as [number, number][], width: 40, color: { a: 40, b: 30 } }];
    const run = async (methodOptions: ModelMethodOptions) => {
      const outs: EncodedOutput[] = [];
      await colorizeInput(input, method, { format: 'png', encodePng, methodOptions }, async (o) => { outs.push(...o); });
      return outs.map((o) => Buffer.from(o.bytes));
    };
    const auto = await run({});
    const hinted = await run({ hints: { strokes, frame: 2 } });
    const everywhere = await run({ hints: { strokes } });
    expect(hinted.map((b, t) => !b.equals(auto[t]))).toEqual([true, true, true, true, true, true, false, false]);
    expect(everywhere.every((b, t) => !b.equals(auto[t]))).toBe(true);
    // Within the reach, exactly what the hints give that frame when every frame has them.
    for (let t = 0; t <= 5; t++) expect(hinted[t].equals(everywhere[t])).toBe(true);
  });

  it('the K sweep gives the model and scribble the same hints: K = 0 is automatic (scribble: gray), more hints score higher', async () => {
    const files = await makeImages(3);
    const method = createModelMethod(await loadModel(hintModel));
    const s = await evaluateHintSweep(files, method, { counts: [0, 5, 50], evalSize: S, compare: getMethod('scribble') });
    expect(s.n).toBe(3);
    expect(s.rows.map((r) => r.k)).toEqual([0, 5, 50]);
    expect(s.rows[0].scribble!.psnr).toBeCloseTo(s.baseline.gray.psnr, 6);
    expect(s.rows[2].model.psnr).toBeGreaterThan(s.rows[0].model.psnr + 3);
    expect(s.rows[2].scribble!.psnr).toBeGreaterThan(s.baseline.gray.psnr + 3);
    // The report draws both curves.
    const report = join(dir, 'sweep.html');
    await evaluateHintSweep(files, method, { counts: [0, 5], evalSize: S, compare: getMethod('scribble'), htmlReport: report });
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/<svg[^>]*>.*<polyline[^>]*stroke="#c0392b".*<polyline[^>]*stroke="#2471a3"/s);
  });
});
