import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { srgb8ToLab } from '../../src/color/lab.js';
import { grayMethod } from '../../src/methods/gray.js';
import type { ColorizationMethod } from '../../src/methods/types.js';
import { evaluateImage, MetricsAccumulator } from '../../src/pipeline/evaluate.js';
import { evaluateFiles } from '../../src/pipeline/evaluate-files.js';
import { hasSharedData, sharedData } from '../fixtures.js';

const kvasirVal = sharedData('color/endoscopy-kvasir/val');
const tmp = mkdtempSync(join(tmpdir(), 'medcolor-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An oracle that returns the truth's own a*b* (closed over): the pipeline must then reproduce the truth. */
function oracleMethod(truthRgb: Uint8Array): ColorizationMethod {
  const lab = srgb8ToLab(truthRgb);
  return {
    name: 'oracle',
    description: 'returns the true a*b*',
    async colorize(input) {
      const ab = new Float32Array(2 * input.width * input.height);
      for (let i = 0; i < ab.length / 2; i++) {
        ab[2 * i] = lab[3 * i + 1];
        ab[2 * i + 1] = lab[3 * i + 2];
      }
      return { width: input.width, height: input.height, ab };
    },
  };
}

describe('evaluateImage', () => {
  it('scores the true chroma near-perfectly and the gray baseline much worse', async () => {
    const w = 48, h = 40;
    const { data } = await sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 60, b: 40 } } })
      .composite([{ input: { create: { width: 20, height: 20, channels: 3, background: { r: 30, g: 140, b: 220 } } }, left: 10, top: 8 }])
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const truth = { width: w, height: h, data: new Uint8Array(data) };
    const d = await evaluateImage(truth, oracleMethod(truth.data));
    // L* kept exactly and a*b* right: only 8-bit rounding separates result and truth.
    expect(d.metrics.psnr).toBeGreaterThan(45);
    expect(d.metrics.deltaE2000).toBeLessThan(0.5);
    expect(d.metrics.ssim).toBeGreaterThan(0.99);
    expect(d.grayMetrics.psnr).toBeLessThan(20);
    expect(d.grayMetrics.deltaE2000).toBeGreaterThan(20);
    expect(d.grayMetrics.colorfulness).toBeLessThan(0.5);
    expect(d.grayMetrics.colorfulnessGap).toBeCloseTo(d.metrics.colorfulness, 0);
    // Gray method: the same figures as its baseline.
    const g = await evaluateImage(truth, grayMethod);
    expect(g.metrics).toEqual(g.grayMetrics);
    expect(g.metrics.psnr).toBeCloseTo(d.grayMetrics.psnr, 10);
  });

  it('MetricsAccumulator averages and keeps infinite PSNR out of the mean', () => {
    const acc = new MetricsAccumulator();
    acc.add({ psnr: 20, ssim: 0.5, deltaE2000: 4, colorfulness: 10, colorfulnessGap: 1 });
    acc.add({ psnr: Infinity, ssim: 1, deltaE2000: 0, colorfulness: 20, colorfulnessGap: 3 });
    acc.add({ psnr: 30, ssim: 0.9, deltaE2000: 2, colorfulness: 30, colorfulnessGap: 2 });
    const m = acc.mean();
    expect(acc.n).toBe(3);
    expect(m.psnr).toBe(25);
    expect(m.ssim).toBeCloseTo(0.8, 12);
    expect(m.deltaE2000).toBe(2);
    expect(m.colorfulnessGap).toBe(2);
  });
});

describe.skipIf(!hasSharedData('color/endoscopy-kvasir/val'))('evaluateFiles on endoscopy-kvasir/val (shared/data)', () => {
  it("reproduces the README's gray row 16.20 / 0.900 / 17.9 at 256x256, and writes the HTML report", async () => {
    const files = readdirSync(kvasirVal).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(kvasirVal, f));
    expect(files).toHaveLength(100);
    const report = join(tmp, 'report.html');
    // The HTML report for the first 3 images only (keeps the test fast); the figures on all 100.
    const small = await evaluateFiles(files.slice(0, 3), grayMethod, { evalSize: 256, htmlReport: report });
    const html = readFileSync(report, 'utf8');
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(9);
    expect(html).toContain(small.images[0].file);
    expect(html).toContain(small.mean.psnr.toFixed(2));
    const s = await evaluateFiles(files, grayMethod, { evalSize: 256 });
    expect(s.n).toBe(100);
    expect(s.failed).toEqual([]);
    expect(s.size).toBe(256);
    expect(s.mean.psnr.toFixed(2)).toBe('16.20');
    expect(s.mean.ssim.toFixed(3)).toBe('0.900');
    expect(s.mean.deltaE2000.toFixed(1)).toBe('17.9');
    expect(s.baseline.gray).toEqual(s.mean);
    expect(s.images[0].file).toBe(readdirSync(kvasirVal).filter((f) => f.endsWith('.jpg')).sort()[0]);
  });
});
