/**
 * The browser app with NIfTI volumes and photographs (real browser): slices through the slider,
 * NIfTI RGB24 and DICOM Secondary Capture downloads written by the library in the page,
 * evaluation mode on a color image, a reference image for transfer, and cancelling a long job.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDicom } from '../../src/io/dicom/decode.js';
import { decodeGrayInput } from '../../src/io/decode-input.js';
import { decodeNiftiInfo } from '../../src/io/nifti.js';
import { decodeRaster } from '../../src/io/raster.js';
import { getMethod } from '../../src/methods/registry.js';
import { colorizeImage } from '../../src/pipeline/colorize.js';
import { evaluateImage } from '../../src/pipeline/evaluate.js';
import { daikonFile, hasSharedData, ROOT, sharedData } from '../fixtures.js';
import { buildNifti } from '../io/nifti-builder.js';
import { act, browserUnavailable, openApp, readOutput, shareWithin, type AppSession } from './browser.js';

const skip = browserUnavailable();
const CT = join(ROOT, 'examples/ct-phantom.dcm');

/** A 96x80x5 int16 volume: a bright disc that grows from slice to slice over a ramp. */
function makeVolume(): Uint8Array {
  const [w, h, d] = [96, 80, 5];
  const data = new Int16Array(w * h * d);
  for (let k = 0; k < d; k++)
    for (let j = 0; j < h; j++)
      for (let i = 0; i < w; i++) {
        const r = Math.hypot(i - w / 2, j - h / 2);
        data[(k * h + j) * w + i] = 10 * i + (r < 10 + 5 * k ? 800 : 0) - 200;
      }
  return buildNifti({ dims: [w, h, d], datatype: 4, bitpix: 16, data: new Uint8Array(data.buffer), pixdim: [0.8, 0.8, 2] });
}

/** A color PNG: hue around the center, lightness along x. */
async function makePhoto(): Promise<Buffer> {
  const [w, h] = [160, 120];
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const t = Math.atan2(y - h / 2, x - w / 2);
      const o = 3 * (y * w + x);
      px[o] = 128 + 100 * Math.cos(t);
      px[o + 1] = 60 + x;
      px[o + 2] = 128 + 100 * Math.sin(t);
    }
  return sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

describe.skipIf(!!skip)('browser app: NIfTI, photographs, downloads (chromium)', () => {
  let app: AppSession;
  beforeAll(async () => {
    app = await openApp('?method=lut');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('opens a .nii.gz volume, steps through its slices as the library reads them, and downloads NIfTI RGB24', async () => {
    const { page } = app;
    const nii = gzipSync(makeVolume());
    const st = await act(page, () => page.getByTestId('file-input').setInputFiles({ name: 'disc.nii.gz', mimeType: 'application/gzip', buffer: nii }));
    expect(st.state, st.text).toBe('done');
    expect(await page.getByTestId('header-info').innerText()).toMatch(/NIFTI[\s\S]*frames\s+5/);
    const input = await decodeGrayInput(new Uint8Array(nii), { name: 'disc.nii.gz' });
    for (const k of [4, 2]) {
      expect((await act(page, () => page.getByTestId('frame').fill(String(k)))).state).toBe('done');
      const out = await readOutput(page);
      const ref = await colorizeImage(input.frames[k], getMethod('lut'), { methodOptions: { palette: 'hot-iron', mode: 'preserve' } });
      expect([out.width, out.height]).toEqual([96, 80]);
      expect(shareWithin(out.rgb, ref.rgb.data, 1), `slice ${k}`).toBeGreaterThanOrEqual(0.999);
    }
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-nii').click()]);
    expect(download.suggestedFilename()).toMatch(/^disc-lut\.nii\.gz$/);
    const info = await decodeNiftiInfo(new Uint8Array(readFileSync((await download.path())!)));
    expect(info.datatype).toBe('RGB24');
    expect(info.dims.slice(0, 3)).toEqual([96, 80, 5]);
  });

  it.skipIf(!hasSharedData('nifti/nibabel-debian/anatomical.nii'))('opens a real NIfTI volume (../shared/data)', async () => {
    const { page } = app;
    const file = sharedData('nifti/nibabel-debian/anatomical.nii');
    const st = await act(page, () => page.getByTestId('file-input').setInputFiles(file));
    expect(st.state, st.text).toBe('done');
    const input = await decodeGrayInput(new Uint8Array(readFileSync(file)), { name: 'anatomical.nii' });
    const out = await readOutput(page);
    const ref = await colorizeImage(input.frames[0], getMethod('lut'), { methodOptions: { palette: 'hot-iron', mode: 'preserve' } });
    expect(shareWithin(out.rgb, ref.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
  });

  const EXTRA_CODECS = ['dicom/pydicom-debian-test_files/JPGExtended.dcm', 'dicom/pydicom-data/HTJ2KLossless_08_RGB.dcm'];
  it.skipIf(!EXTRA_CODECS.every((f) => hasSharedData(f)))('decodes 12-bit JPEG (DCMTK wasm) and HTJ2K (OpenJPH wasm) from the origin, as in Node (../shared/data)', async () => {
    const { page } = app;
    await page.getByTestId('method').selectOption('lut');
    for (const rel of EXTRA_CODECS) {
      const file = sharedData(rel);
      const st = await act(page, () => page.getByTestId('file-input').setInputFiles(file));
      expect(st.state, `${rel}: ${st.text}`).toBe('done');
      const [gray] = await decodeDicom(new Uint8Array(readFileSync(file)), { source: file, frame: 0 });
      const ref = await colorizeImage(gray, getMethod('lut'), { methodOptions: { palette: 'hot-iron', mode: 'preserve' } });
      expect(shareWithin((await readOutput(page)).rgb, ref.rgb.data, 1), rel).toBeGreaterThanOrEqual(0.999);
    }
    for (const wasm of ['dcmjs-native-codecs', 'openjphjs']) {
      expect(app.requests.some((u) => u.startsWith(app.server.url) && u.includes(wasm) && u.endsWith('.wasm')), wasm).toBe(true);
    }
  });

  it('evaluates a color photograph: PSNR/SSIM/CIEDE2000 beside the gray baseline, as the library computes them', async () => {
    const { page } = app;
    const png = await makePhoto();
    await page.getByTestId('method').selectOption('lut');
    const st = await act(page, () => page.getByTestId('file-input').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png }));
    expect(st.state, st.text).toBe('done');
    const st2 = await act(page, () => page.getByTestId('evaluate').check());
    expect(st2.state, st2.text).toBe('done');
    const truth = await decodeRaster(new Uint8Array(png));
    if (truth.kind !== 'rgb') throw new Error('expected a color image');
    const ref = await evaluateImage(truth.rgb, getMethod('lut'), { methodOptions: { palette: 'hot-iron', mode: 'preserve' } });
    // The table is filled after the status turns done: wait for both rows (model and gray baseline).
    await page.getByTestId('metrics').locator('tbody tr').nth(1).waitFor({ timeout: 60_000 });
    const rows = await page.getByTestId('metrics').locator('tbody tr').allInnerTexts();
    const nums = rows.map((r) => r.split(/\s+/).slice(-3).map(Number));
    expect(nums[0][0]).toBeCloseTo(ref.metrics.psnr, 1);
    expect(nums[0][2]).toBeCloseTo(ref.metrics.deltaE2000, 1);
    expect(nums[1][0]).toBeCloseTo(ref.grayMetrics.psnr, 1);
    expect(nums[1][1]).toBeCloseTo(ref.grayMetrics.ssim, 2);
    const out = await readOutput(page);
    expect(shareWithin(out.rgb, ref.result.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
    await act(page, () => page.getByTestId('evaluate').uncheck());
  });

  it('colorizes a CT by transfer from a dropped reference photograph, as in Node', async () => {
    const { page } = app;
    const png = await makePhoto();
    await act(page, () => page.getByTestId('file-input').setInputFiles(CT));
    await page.getByTestId('method').selectOption('transfer');
    await page.getByTestId('reference-input').setInputFiles({ name: 'ref.png', mimeType: 'image/png', buffer: png });
    await expect.poll(() => page.locator('#reference-name').innerText()).toContain('ref.png');
    const st = await act(page, () => page.getByTestId('run').click());
    expect(st.state, st.text).toBe('done');
    const truth = await decodeRaster(new Uint8Array(png));
    const [gray] = await decodeDicom(new Uint8Array(readFileSync(CT)), { source: CT });
    const ref = await colorizeImage(gray, getMethod('transfer'), { methodOptions: { reference: truth.kind === 'rgb' ? truth.rgb : undefined } });
    const out = await readOutput(page);
    expect(shareWithin(out.rgb, ref.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
  });

  it('downloads a DICOM Secondary Capture written in the page, with the provenance the CLI writes', async () => {
    const { page } = app;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-dcm').click()]);
    expect(download.suggestedFilename()).toMatch(/ct-phantom-transfer\.dcm$/);
    const bytes = new Uint8Array(readFileSync((await download.path())!));
    const { decodeDicomInfo } = await import('../../src/io/dicom/info.js');
    const info = await decodeDicomInfo(bytes);
    expect(info.photometric).toBe('RGB');
    expect(info.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.7');
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text).toContain("Colorized by medcolor with method 'transfer'");
    expect(text).toContain('DERIVED\\SECONDARY');
  });

  it('cancels a long job and keeps working', async () => {
    const { page } = app;
    await page.getByTestId('method').selectOption('gray');
    await act(page, () => page.getByTestId('file-input').setInputFiles(daikonFile('jpeg_baseline_8bit.dcm')));
    await page.getByTestId('method').selectOption('model');
    await act(page, () => page.getByTestId('run').click(), 120_000);
    // 96 frames through the model for one DICOM: long enough to cancel.
    await page.getByTestId('download-dcm').click();
    await page.waitForFunction(() => /frame \d+ of 96/.test(document.querySelector('[data-testid=status]')!.textContent ?? ''), undefined, { timeout: 60_000 });
    await page.getByTestId('cancel').click();
    await expect.poll(() => page.getByTestId('status').getAttribute('data-state')).toBe('idle');
    expect(await page.getByTestId('status').innerText()).toContain('Cancelled');
    await page.getByTestId('method').selectOption('lut');
    const st = await act(page, () => page.getByTestId('run').click(), 120_000);
    expect(st.state, st.text).toBe('done');
  });

  it('requested nothing outside its origin (codecs, ONNX Runtime, model, volumes, photographs)', () => {
    const outside = app.requests.filter((u) => !u.startsWith(app.server.url) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(outside).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
