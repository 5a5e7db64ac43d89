/**
 * The WebAssembly row kernel of the recombination (wasm/recombine-row.ts): the committed module is
 * what its source compiles to, and a row through it gives what the reference path (gamut.ts's fit,
 * then lab.ts's conversion) gives, bit for bit, on edge cases and a sweep of Lab
 * (test/color/recombine.test.ts checks the whole recombination on real images).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitChromaToGamut } from '../../src/color/gamut.js';
import { lAbToSrgb8 } from '../../src/color/lab.js';
import { rowKernel } from '../../src/color/recombine-row-kernel.js';
import { compileRecombineRow, KERNEL_MODULE, kernelModuleSource } from '../../scripts/lib/compile-recombine-row.js';

describe('the recombination row kernel', () => {
  it('is committed as its source compiles (scripts/build-wasm.ts)', async () => {
    const committed = readFileSync(resolve(import.meta.dirname, '..', '..', KERNEL_MODULE), 'utf8');
    expect(committed).toBe(kernelModuleSource(await compileRecombineRow()));
  }, 60_000);

  it('gives the reference path (fitChromaToGamut, then lAbToSrgb8) bit for bit, interpolating or not', () => {
    // Edge cases first (L* out of range, NaN, gray, -0, the gamut edge), then a seeded sweep of Lab.
    const edges: [number, number, number][] = [
      [-3, 10, 10], [0, 0, 0], [100, 0, -0], [104, 0, 0], [Number.NaN, 0, 0], [Number.NaN, 30, 5], [50, 0, 0], [50, 60, 60],
      [0.5, 1, -1], [7.9, -5, 3], [8, 2, 2], [95, -20, 90], [99.99, 0.01, 0.01], [53.2, 80.1, 67.2], [104, 40, -40],
    ];
    let s = 11;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const px = [...edges];
    // Odd count (the last pixel alone); every 7th L* beyond 0..100; dark ones below CIELAB's knee.
    while (px.length < 20001) px.push([px.length % 7 ? rnd() * 100 : rnd() * 110 - 5, rnd() * 200 - 100, rnd() * 200 - 100]);
    const width = px.length;
    const L = Float32Array.from(px, (p) => p[0]);
    const given = new Float32Array(2 * width);
    px.forEach((p, i) => given.set([p[1], p[2]], 2 * i));
    const K = rowKernel(width);
    for (const interpolate of [false, true]) {
      // top = bot = the given a*b* (as doubles): the interpolation gives them back, except that
      // -0 becomes +0 (t + (b - t) * w, as resizeBilinear computes it).
      const ab = interpolate ? Float32Array.from(given, (v) => v + (v - v) * 0.375) : given.slice();
      const wantAb = ab.slice();
      const fitted = fitChromaToGamut(L, wantAb);
      const want = lAbToSrgb8(L, wantAb);
      K.L.set(L);
      K.rgb.fill(7);
      let n: number;
      if (interpolate) {
        K.top.set(given);
        K.bot.set(given);
        K.ab.fill(-1);
        n = K.run(K.top, K.bot, 0.375);
      } else {
        K.ab.set(ab);
        n = K.run(null, null, 0);
      }
      // Every pixel the fit changes went through it, and some whose L* is outside 0..100.
      expect(n).toBeGreaterThanOrEqual(fitted);
      expect(fitted).toBeGreaterThan(5000);
      const wrong = px.filter((_, i) => [0, 1, 2].some((c) => K.rgb[3 * i + c] !== want[3 * i + c]) || !Object.is(K.ab[2 * i], wantAb[2 * i]) || !Object.is(K.ab[2 * i + 1], wantAb[2 * i + 1]));
      expect({ interpolate, wrong }).toEqual({ interpolate, wrong: [] });
    }
  });
});
