/**
 * The browser app in a real browser (Debian's chromium, headless): real DICOM and NIfTI files
 * through the file input, the output canvas compared with the library run in Node on the same
 * input, the model path against onnxruntime-node, a corrupt file, and every request on the origin.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { srgb8ToLab } from '../../src/color/lab.js';
import { decodeDicom, decodeDicomRgb } from '../../src/io/dicom/decode.js';
import { loadModel } from '../../src/io/model-loader.js';
import { createModelMethod } from '../../src/methods/model.js';
import { getMethod } from '../../src/methods/registry.js';
import type { ColorizationMethod, MethodOptions } from '../../src/methods/types.js';
import { colorizeImage } from '../../src/pipeline/colorize.js';
import { evaluateImage } from '../../src/pipeline/evaluate.js';
import { confidenceToGray8 } from '../../src/io/encode-output.js';
import { overlayConfidence } from '../../web/src/confidence-overlay.js';
import { daikonFile, hasSharedData, ROOT, sharedData } from '../fixtures.js';
import { act, browserUnavailable, openApp, readOutput, shareWithin, type AppSession } from './browser.js';

const MULTIFRAME_JPEG = daikonFile('jpeg_baseline_8bit.dcm'); // XA, 96 frames, JPEG baseline
const CT = join(ROOT, 'examples/ct-phantom.dcm'); // 512x512 CT in Hounsfield units
const artifacts = join(ROOT, 'test-artifacts');
const COLOR_DICOM = 'dicom/pydicom-debian-test_files/GDCMJ2K_TextGBR.dcm'; // 400x400 JPEG 2000, YBR_RCT

const skip = browserUnavailable();
if (skip) console.warn(`skipping the browser tests: ${skip}`);

/** Share of pixels with chroma sqrt(a*^2 + b*^2) above `min`. */
function coloredShare(rgb: Uint8Array, min = 5): number {
  const lab = srgb8ToLab(rgb);
  let n = 0;
  for (let i = 0; i < lab.length; i += 3) if (Math.hypot(lab[i + 1], lab[i + 2]) > min) n++;
  return n / (lab.length / 3);
}

async function nodeResult(file: string, frame: number, method: ColorizationMethod, methodOptions: MethodOptions = {}) {
  const frames = await decodeDicom(new Uint8Array(readFileSync(file)), { frame, source: file });
  return colorizeImage(frames[0], method, { methodOptions });
}

describe.skipIf(!!skip)('browser app (chromium)', () => {
  let app: AppSession;
  beforeAll(async () => {
    app = await openApp('?method=lut');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('colorizes a multi-frame JPEG DICOM with lut exactly as the library does in Node, frame by frame', async () => {
    const { page } = app;
    const st = await act(page, () => page.getByTestId('file-input').setInputFiles(MULTIFRAME_JPEG));
    expect(st.state, st.text).toBe('done');
    expect(st.ms).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('header-info').innerText()).toContain('JPEG Baseline');
    expect(await page.getByTestId('header-info').innerText()).toMatch(/frames\s+96/);

    const out = await readOutput(page);
    expect([out.width, out.height]).toEqual([512, 512]);
    const ref = await nodeResult(MULTIFRAME_JPEG, 0, getMethod('lut'), { palette: 'hot-iron', mode: 'preserve' });
    expect(shareWithin(out.rgb, ref.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
    // lut (hot iron) colors every pixel that is neither black nor white.
    expect(coloredShare(out.rgb)).toBeGreaterThan(0.5);

    // Another frame through the slider: the canvas follows, still equal to Node's result.
    expect((await act(page, () => page.getByTestId('frame').fill('40'))).state).toBe('done');
    const out40 = await readOutput(page);
    const ref40 = await nodeResult(MULTIFRAME_JPEG, 40, getMethod('lut'), { palette: 'hot-iron', mode: 'preserve' });
    expect(shareWithin(out40.rgb, ref40.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
    expect(shareWithin(out40.rgb, out.rgb, 0)).toBeLessThan(0.9); // a different frame
  });

  it('opens several compressed DICOMs as a list (JPEG 2000, JPEG-LS, JPEG lossless, RLE, deflate, big endian) and steps through them', async () => {
    const { page } = app;
    const names = ['jpeg_2000.dcm', 'jpeg_ls.dcm', 'jpeg_lossless_sel1.dcm', 'rle.dcm', 'deflated.dcm', 'explicit_big.dcm'];
    const st = await act(page, () => page.getByTestId('file-input').setInputFiles(names.map(daikonFile)));
    expect(st.state, st.text).toBe('done');
    for (const name of names) {
      if (name !== names[0]) {
        const s2 = await act(page, () => page.getByTestId('file-list').getByText(name, { exact: true }).click());
        expect(s2.state, `${name}: ${s2.text}`).toBe('done');
      }
      const out = await readOutput(page);
      const ref = await nodeResult(daikonFile(name), 0, getMethod('lut'), { palette: 'hot-iron', mode: 'preserve' });
      expect([out.width, out.height], name).toEqual([ref.rgb.width, ref.rgb.height]);
      expect(shareWithin(out.rgb, ref.rgb.data, 1), name).toBeGreaterThanOrEqual(0.999);
    }
    // The codecs' WebAssembly came from the app's own origin.
    for (const codec of ['openjpegwasm_decode', 'charlswasm_decode']) {
      expect(app.requests.some((u) => u.startsWith(app.server.url) && u.includes(codec) && u.endsWith('.wasm')), codec).toBe(true);
    }
  });

  it('colors a CT with ct-tissue where its rules color it, L* as in Node', async () => {
    const { page } = app;
    // The current file is an MR: ct-tissue refuses it (an error), then the CT is opened.
    expect((await act(page, () => page.getByTestId('method').selectOption('ct-tissue'))).code).toBe('ERR_NO_HU_CALIBRATION');
    const st = await act(page, () => page.getByTestId('file-input').setInputFiles(CT));
    expect(st.state, st.text).toBe('done');
    const out = await readOutput(page);
    const ref = await nodeResult(CT, 0, getMethod('ct-tissue'));
    expect(shareWithin(out.rgb, ref.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
    const Lweb = srgb8ToLab(out.rgb), Lnode = srgb8ToLab(ref.rgb.data);
    let maxDL = 0;
    for (let i = 0; i < Lweb.length; i += 3) maxDL = Math.max(maxDL, Math.abs(Lweb[i] - Lnode[i]));
    expect(maxDL).toBeLessThan(1);
    expect(coloredShare(out.rgb)).toBeGreaterThan(0.05);
  });

  it('applies a CT window preset: the output keeps the L* of that window', async () => {
    const { page } = app;
    await act(page, () => page.getByTestId('method').selectOption('gray'));
    const lung = await page.getByTestId('window-preset').locator('option', { hasText: 'lung' }).getAttribute('value');
    const st = await act(page, () => page.getByTestId('window-preset').selectOption(lung!));
    expect(st.state, st.text).toBe('done');
    expect(await page.getByTestId('window-readout').innerText()).toMatch(/W 1500\s+L -600/);
    const out = await readOutput(page);
    const frames = await decodeDicom(new Uint8Array(readFileSync(CT)), { source: CT });
    const ref = await colorizeImage(frames[0], getMethod('gray'), { window: { center: -600, width: 1500 } });
    expect(shareWithin(out.rgb, ref.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
    const deflt = await colorizeImage(frames[0], getMethod('gray'));
    expect(shareWithin(out.rgb, deflt.rgb.data, 1)).toBeLessThan(0.9); // the window changed what is shown
    await act(page, () => page.getByTestId('window-preset').selectOption(''));
  });

  it('paints scribble strokes on the input and colors them as the library does', async () => {
    const { page } = app;
    await page.getByTestId('method').selectOption('scribble');
    await page.getByTestId('stroke-color').fill('#c03030');
    const box = (await page.getByTestId('input').boundingBox())!;
    const st = await act(page, async () => {
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
      await page.mouse.down();
      for (let k = 1; k <= 10; k++) await page.mouse.move(box.x + box.width * (0.3 + 0.03 * k), box.y + box.height * 0.5);
      await page.mouse.up();
    });
    expect(st.state, st.text).toBe('done');
    const strokes = JSON.parse((await page.getByTestId('paint').getAttribute('data-strokes'))!);
    expect(strokes).toHaveLength(1);
    const out = await readOutput(page);
    const ref = await nodeResult(CT, 0, getMethod('scribble'), { strokes });
    expect(shareWithin(out.rgb, ref.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
    // Red along the stroke: a* clearly positive where it was painted.
    const [x, y] = strokes[0].points[Math.floor(strokes[0].points.length / 2)];
    const i = 3 * (y * out.width + x);
    const lab = srgb8ToLab(out.rgb.subarray(i, i + 3));
    if (lab[0] > 5 && lab[0] < 95) expect(lab[1]).toBeGreaterThan(10);
    expect(coloredShare(out.rgb)).toBeGreaterThan(0.01);
    // Undo removes it: scribble has no stroke left, the output is cleared.
    await page.getByTestId('undo').click();
    await expect.poll(() => page.getByTestId('output').getAttribute('data-filled')).toBe('false');
    await page.getByTestId('method').selectOption('ct-tissue');
  });

  it('downloads the result as a PNG equal to the canvas', async () => {
    const { page } = app;
    await act(page, () => page.getByTestId('run').click());
    const shown = await readOutput(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-png').click()]);
    expect(download.suggestedFilename()).toMatch(/ct-phantom.*ct-tissue\.png$/);
    const png = await sharp(await download.path()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([png.info.width, png.info.height, png.info.channels]).toEqual([shown.width, shown.height, 3]);
    expect(shareWithin(new Uint8Array(png.data), shown.rgb, 0)).toBe(1);
  });

  it('zooms and pans both views together, side by side and before/after', async () => {
    const { page } = app;
    const transforms = () =>
      page.evaluate(() => [document.getElementById('layer-input')!.style.transform, document.getElementById('layer-output')!.style.transform]);
    const [before] = await transforms();
    const box = (await page.getByTestId('input').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await page.getByText('Pan', { exact: true }).click();
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 30);
    await page.mouse.up();
    const [inT, outT] = await transforms();
    expect(inT).not.toBe(before);
    expect(outT).toBe(inT);
    await page.getByTestId('view-slider').click();
    await page.getByTestId('split').fill('30');
    const clip = await page.evaluate(() => document.getElementById('pane-output')!.style.clipPath);
    expect(clip).toMatch(/^inset\(0(px)? 0(px)? 0(px)? \d+px\)$/);
    await page.getByTestId('view-side').click();
    await page.getByText('W/L', { exact: true }).click();
    await page.getByText('Fit', { exact: true }).click();
  });

  it('opens a file dropped on the page, and sets window/level by dragging', async () => {
    const { page } = app;
    await page.getByTestId('method').selectOption('lut');
    const b64 = readFileSync(daikonFile('deflated.dcm')).toString('base64');
    const st = await act(page, () =>
      page.evaluate((data) => {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'dropped.dcm'));
        document.getElementById('viewport')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, b64),
    );
    expect(st.state, st.text).toBe('done');
    expect(await page.getByTestId('file-list').innerText()).toContain('dropped.dcm');
    const ref = await nodeResult(daikonFile('deflated.dcm'), 0, getMethod('lut'), { palette: 'hot-iron', mode: 'preserve' });
    expect(shareWithin((await readOutput(page)).rgb, ref.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
    // Window/level: drag right (wider) and down (higher level); the output is colorized again.
    const before = await page.getByTestId('window-readout').innerText();
    const out0 = await readOutput(page);
    const box = (await page.getByTestId('input').boundingBox())!;
    const st2 = await act(page, async () => {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 60, { steps: 5 });
      await page.mouse.up();
    });
    expect(st2.state, st2.text).toBe('done');
    expect(await page.getByTestId('window-readout').innerText()).not.toBe(before);
    expect(shareWithin((await readOutput(page)).rgb, out0.rgb, 0)).toBeLessThan(0.99);
  });

  it('shows a corrupt file as an error with its code, and keeps working', async () => {
    const { page } = app;
    const good = readFileSync(CT);
    const corrupt = Buffer.concat([good.subarray(0, 132), Buffer.from('this is not a DICOM data set at all'.repeat(4))]);
    const st = await act(page, () =>
      page.getByTestId('file-input').setInputFiles({ name: 'corrupt.dcm', mimeType: 'application/dicom', buffer: corrupt }),
    );
    expect(st.state).toBe('error');
    expect(st.code).toMatch(/^ERR_DICOM/);
    expect(st.text).toContain(st.code!);
    // The page still works: pick the CT in the list again.
    expect((await act(page, () => page.getByTestId('file-list').getByText('ct-phantom.dcm').click())).state).toBe('done');
  });

  it('gives the model the same a*b* as onnxruntime-node', async () => {
    const { page } = app;
    // The default model (models/DEFAULT) is preselected.
    const st = await act(page, () => page.getByTestId('method').selectOption('model'), 120_000);
    expect(await page.getByTestId('model').inputValue()).toBe('natural');
    expect(st.state, st.text).toBe('done');
    expect(st.text).toMatch(/wasm|WebGPU/);
    const out = await readOutput(page);
    const ref = await colorizeImage((await decodeDicom(new Uint8Array(readFileSync(CT)), { source: CT }))[0], createModelMethod(await loadModel('natural')));
    expect(shareWithin(out.rgb, ref.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
    const a = srgb8ToLab(out.rgb), b = srgb8ToLab(ref.rgb.data);
    let maxD = 0, sum = 0;
    for (let i = 0; i < a.length; i += 3) {
      const d = Math.hypot(a[i + 1] - b[i + 1], a[i + 2] - b[i + 2]);
      maxD = Math.max(maxD, d);
      sum += d;
    }
    console.log(`model a*b* web vs node: mean ${(sum / (a.length / 3)).toFixed(4)}, max ${maxD.toFixed(3)}`);
    // Stated tolerance: mean |delta a*b*| < 0.05 and max < 2 (measured here: 0, identical bytes).
    expect(sum / (a.length / 3)).toBeLessThan(0.05);
    expect(maxD).toBeLessThan(2);
    // Not a vacuous match: the model colors part of the phantom (about 18% of pixels above chroma 5).
    expect(coloredShare(out.rgb)).toBeGreaterThan(0.1);
  });

  it('overlays the model\'s confidence map (red where unsure) and shows its out-of-domain warning, as the library computes them', async () => {
    const { page } = app;
    expect(await page.getByTestId('method').inputValue()).toBe('model');
    const st = await act(page, () => page.getByTestId('confidence').check(), 120_000);
    expect(st.state, st.text).toBe('done');
    const shown = await readOutput(page);
    const ref = await colorizeImage((await decodeDicom(new Uint8Array(readFileSync(CT)), { source: CT }))[0], createModelMethod(await loadModel('natural')), { confidence: true });
    // What the page should show: the library's colors and confidence through the page's overlay.
    const n = ref.rgb.width * ref.rgb.height;
    const rgba = new Uint8ClampedArray(4 * n);
    for (let i = 0; i < n; i++) {
      rgba.set(ref.rgb.data.subarray(3 * i, 3 * i + 3), 4 * i);
      rgba[4 * i + 3] = 255;
    }
    const expected = overlayConfidence(rgba, confidenceToGray8(ref.confidence!));
    const expectedRgb = new Uint8Array(3 * n).map((_, k) => expected[4 * Math.floor(k / 3) + (k % 3)]);
    expect(shareWithin(shown.rgb, expectedRgb, 2)).toBeGreaterThanOrEqual(0.995);
    // Not vacuous: the overlay changed the colors, and the map varies (0.6 at best on this out-of-domain phantom).
    expect(shareWithin(shown.rgb, ref.rgb.data, 2)).toBeLessThan(0.9);
    expect(ref.confidence!.reduce((m, c) => Math.min(m, c), 1)).toBeLessThan(0.4);
    expect(ref.confidence!.reduce((m, c) => Math.max(m, c), 0)).toBeGreaterThan(0.5);
    const warnings = ref.warnings.map((w) => `${w.code}: ${w.message}`);
    if (warnings.length) expect(await page.getByTestId('warnings').innerText()).toContain(warnings[0]);
    else expect(await page.getByTestId('warnings').isHidden()).toBe(true);
    // Unchecked: the plain colorized image again.
    expect((await act(page, () => page.getByTestId('confidence').uncheck(), 120_000)).state).toBe('done');
    expect(shareWithin((await readOutput(page)).rgb, ref.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
  });

  it('paints color hints for a hint-taking model (fundus) and colors them as the library does with the same hints', async () => {
    const { page } = app;
    // (The scribble test's undo left no stroke.)
    let st = await act(page, () => page.getByTestId('model').selectOption('fundus'), 120_000);
    expect(st.state, st.text).toBe('done');
    const auto = await readOutput(page);
    await page.locator('button[data-tool="paint"]').click();
    await page.getByTestId('stroke-color').fill('#3060c0');
    const box = (await page.getByTestId('input').boundingBox())!;
    st = await act(page, async () => {
      await page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.45);
      await page.mouse.down();
      for (let k = 1; k <= 8; k++) await page.mouse.move(box.x + box.width * (0.35 + 0.03 * k), box.y + box.height * 0.45);
      await page.mouse.up();
    }, 120_000);
    expect(st.state, st.text).toBe('done');
    // Still the model (painting did not switch to scribble), given the strokes as hints.
    expect(await page.getByTestId('method').inputValue()).toBe('model');
    const strokes = JSON.parse((await page.getByTestId('paint').getAttribute('data-strokes'))!);
    expect(strokes).toHaveLength(1);
    const out = await readOutput(page);
    const [frame] = await decodeDicom(new Uint8Array(readFileSync(CT)), { source: CT });
    const ref = await colorizeImage(frame, createModelMethod(await loadModel('fundus')), { methodOptions: { hints: { strokes, width: frame.width, height: frame.height } } });
    expect(shareWithin(out.rgb, ref.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
    // The hint took effect: along the stroke, b* (blue is negative) well below the automatic result's.
    let dB = 0, n = 0;
    for (const [x, y] of strokes[0].points as [number, number][]) {
      const i = 3 * (Math.round(y) * out.width + Math.round(x));
      const L = srgb8ToLab(out.rgb.subarray(i, i + 3))[0];
      if (L < 10 || L > 90) continue;
      dB += srgb8ToLab(out.rgb.subarray(i, i + 3))[2] - srgb8ToLab(auto.rgb.subarray(i, i + 3))[2];
      n++;
    }
    expect(n).toBeGreaterThan(0);
    expect(dB / n).toBeLessThan(-10);
    await page.getByTestId('clear').click();
    await page.locator('button[data-tool="window"]').click();
    st = await act(page, () => page.getByTestId('model').selectOption('natural'), 120_000);
    expect(st.state, st.text).toBe('done');
  });

  it.skipIf(!hasSharedData(COLOR_DICOM))('evaluates a color DICOM: turned gray, colorized, PSNR/SSIM/CIEDE2000 beside the gray baseline as in Node', async () => {
    const { page } = app;
    const file = sharedData(COLOR_DICOM);
    await page.getByTestId('method').selectOption('lut');
    let st = await act(page, () => page.getByTestId('file-input').setInputFiles(file));
    expect(st.state, st.text).toBe('done');
    await page.getByTestId('evaluate').waitFor({ state: 'visible' });
    st = await act(page, () => page.getByTestId('evaluate').check());
    expect(st.state, st.text).toBe('done');
    const [truth] = await decodeDicomRgb(new Uint8Array(readFileSync(file)), { source: file });
    const ref = await evaluateImage(truth, getMethod('lut'), { methodOptions: { palette: 'hot-iron', mode: 'preserve' } });
    const rows = (await page.getByTestId('metrics').locator('tbody tr').allInnerTexts()).map((r) => r.trim().split(/\s+/).slice(-3).map(Number));
    expect(rows[0][0]).toBeCloseTo(ref.metrics.psnr, 1);
    expect(rows[0][1]).toBeCloseTo(ref.metrics.ssim, 2);
    expect(rows[0][2]).toBeCloseTo(ref.metrics.deltaE2000, 1);
    expect(rows[1][0]).toBeCloseTo(ref.grayMetrics.psnr, 1);
    expect(shareWithin((await readOutput(page)).rgb, ref.result.rgb.data, 1)).toBeGreaterThanOrEqual(0.999);
    await act(page, () => page.getByTestId('evaluate').uncheck());
  });

  it('works offline once loaded (its service worker keeps the app, wasm and model it used)', async () => {
    const { page, context } = app;
    // The service worker controls the page from the next load on: load once more online, use the model.
    await page.reload();
    await page.getByTestId('backend').filter({ hasText: 'wasm' }).waitFor();
    await page.getByTestId('method').selectOption('model');
    let st = await act(page, () => page.getByTestId('file-input').setInputFiles(CT), 120_000);
    expect(st.state, st.text).toBe('done');
    await context.setOffline(true);
    try {
      await page.reload();
      await page.getByTestId('backend').filter({ hasText: 'wasm' }).waitFor();
      await page.getByTestId('method').selectOption('model');
      st = await act(page, () => page.getByTestId('file-input').setInputFiles(CT), 120_000);
      expect(st.state, st.text).toBe('done');
      expect(coloredShare((await readOutput(page)).rgb)).toBeGreaterThan(0.1);
    } finally {
      await context.setOffline(false);
    }
  });

  it('requested nothing outside its origin, and leaves a screenshot', async () => {
    const origin = new URL(app.server.url).origin;
    const outside = app.requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(outside).toEqual([]);
    expect(app.requests.some((u) => u.endsWith('.wasm'))).toBe(true);
    mkdirSync(artifacts, { recursive: true });
    await app.page.screenshot({ path: join(artifacts, 'web.png') });
    expect(app.errors).toEqual([]);
  });
});
