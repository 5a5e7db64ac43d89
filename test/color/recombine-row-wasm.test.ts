/**
 * The WebAssembly row kernel of the recombination (wasm/recombine-row.ts): the committed module is
 * what its source compiles to, and the kernel gives color/lab.ts's sRGB codes, bit for bit, for
 * the pixels it keeps and lists exactly the ones the gamut fit must handle (test/color/recombine.test.ts
 * checks the whole recombination against the reference path on real images).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitChromaAt } from '../../src/color/gamut.js';
import { lAbToSrgb8 } from '../../src/color/lab.js';
import { rowKernel } from '../../src/color/recombine-row-kernel.js';
import { compileRecombineRow, KERNEL_MODULE, kernelModuleSource } from '../../scripts/lib/compile-recombine-row.js';

describe('the recombination row kernel', () => {
  it('is committed as its source compiles (scripts/build-wasm.ts)', async () => {
    const committed = readFileSync(resolve(import.meta.dirname, '..', '..', KERNEL_MODULE), 'utf8');
    expect(committed).toBe(kernelModuleSource(await compileRecombineRow()));
  }, 60_000);

  it('gives lab.ts codes for pixels inside the gamut and lists the others, interpolating or not', () => {
    // Edge cases first (L* out of range, NaN, gray, -0, the gamut edge), then a seeded sweep of Lab.
    const edges: [number, number, number][] = [
      [-3, 10, 10], [0, 0, 0], [100, 0, -0], [104, 0, 0], [Number.NaN, 0, 0], [50, 0, 0], [50, 60, 60],
      [0.5, 1, -1], [7.9, -5, 3], [8, 2, 2], [95, -20, 90], [99.99, 0.01, 0.01], [53.2, 80.1, 67.2],
    ];
    let s = 11;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const px = [...edges];
    while (px.length < 3001) px.push([rnd() * 100, rnd() * 200 - 100, rnd() * 200 - 100]);
    const width = px.length;
    const L = Float32Array.from(px, (p) => p[0]);
    const ab = new Float32Array(2 * width);
    px.forEach((p, i) => ab.set([p[1], p[2]], 2 * i));
    const want = lAbToSrgb8(L, ab);
    const shouldFit = px.map((p, i) => !(L[i] >= 0 && L[i] <= 100) || fitChromaAt(L[i], Float32Array.from(ab.subarray(2 * i, 2 * i + 2)), 0));
    const K = rowKernel(width);
    for (const interpolate of [false, true]) {
      K.L.set(L);
      K.rgb.fill(7);
      let n: number;
      if (interpolate) {
        // top = bot = the row's a*b* (as doubles): the interpolation gives them back (-0 becomes
        // +0, as resizeBilinear's t + (b - t) * w gives it).
        K.top.set(ab);
        K.bot.set(ab);
        K.ab.fill(-1);
        n = K.run(K.top, K.bot, 0.375);
        expect(Array.from(K.ab)).toEqual(Array.from(ab, (v) => Math.fround(v + (v - v) * 0.375)));
      } else {
        K.ab.set(ab);
        n = K.run(null, null, 0);
      }
      const listed = Array.from(K.outside.subarray(0, n));
      expect(listed).toEqual(shouldFit.flatMap((f, i) => (f ? [i] : [])));
      expect(listed.length).toBeGreaterThan(500);
      const wrong = px.filter((_, i) => !shouldFit[i] && [0, 1, 2].some((c) => K.rgb[3 * i + c] !== want[3 * i + c]));
      expect(wrong).toEqual([]);
    }
  });
});
