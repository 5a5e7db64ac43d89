import { describe, expect, it } from 'vitest';
import { srgb8ToLab } from '../../src/color/lab.js';
import { lightnessToIndex, lutMethod } from '../../src/methods/lut.js';
import { getPalette, parsePalette } from '../../src/methods/palettes.js';
import { hue, hueDiff, makeL, roundTripL } from './helpers.js';

const W = 64, H = 8;
// A horizontal ramp over the whole window: L* 0 at the left edge to 100 at the right edge.
const ramp = makeL(W, H, (x) => (100 * x) / (W - 1));

describe('lut', () => {
  it('maps the window extremes to the palette ends and the display gray code to the index', () => {
    expect(lightnessToIndex(0)).toBe(0);
    expect(lightnessToIndex(100)).toBe(255);
    expect(lightnessToIndex(-5)).toBe(0);
    expect(lightnessToIndex(120)).toBe(255);
    // L* 53.389 is the display of sRGB gray 128 (Y = 0.2158605).
    expect(lightnessToIndex(53.389)).toBe(128);
  });

  it('classic mode returns the palette colors, lightness included', async () => {
    for (const name of ['hot-iron', 'pet', 'jet']) {
      const lab = srgb8ToLab(getPalette(name).rgb);
      const r = await lutMethod.colorize({ width: W, height: H, L: ramp }, { palette: name, mode: 'classic' });
      expect(r.L).toBeDefined();
      // Left edge = entry 0, right edge = entry 255.
      for (const [x, k] of [[0, 0], [W - 1, 255]]) {
        expect(r.L![x]).toBeCloseTo(lab[3 * k], 4);
        expect(r.ab[2 * x]).toBeCloseTo(lab[3 * k + 1], 4);
        expect(r.ab[2 * x + 1]).toBeCloseTo(lab[3 * k + 2], 4);
      }
    }
    // Jet's ends are dark blue and dark red.
    const jet = await lutMethod.colorize({ width: W, height: H, L: ramp }, { palette: 'jet', mode: 'classic' });
    expect(jet.ab[1]).toBeLessThan(-50); // b* of blue
    expect(jet.ab[2 * (W - 1)]).toBeGreaterThan(30); // a* of red
  });

  it('classic invert swaps the ends', async () => {
    const r = await lutMethod.colorize({ width: W, height: H, L: ramp }, { palette: 'hot-iron', mode: 'classic', invert: true });
    expect(r.L![0]).toBeCloseTo(100, 3); // white at black
    expect(r.L![W - 1]).toBeCloseTo(0, 3);
  });

  it('preserve mode keeps L* exactly and takes the palette hue', async () => {
    const r = await lutMethod.colorize({ width: W, height: H, L: ramp }, { palette: 'pet', mode: 'preserve' });
    expect(r.L).toBeUndefined();
    const back = roundTripL(ramp, r.ab);
    let maxErr = 0;
    for (let i = 0; i < ramp.length; i++) maxErr = Math.max(maxErr, Math.abs(back[i] - ramp[i]));
    expect(maxErr).toBeLessThan(0.6); // 8-bit rounding only
    const lab = srgb8ToLab(getPalette('pet').rgb);
    let checked = 0;
    for (let x = 1; x < W - 1; x++) {
      const k = lightnessToIndex(ramp[x]);
      const ca = lab[3 * k + 1], cb = lab[3 * k + 2];
      if (Math.hypot(ca, cb) < 10 || Math.hypot(r.ab[2 * x], r.ab[2 * x + 1]) < 3) continue;
      expect(hueDiff(hue(r.ab[2 * x], r.ab[2 * x + 1]), hue(ca, cb)), `x=${x}`).toBeLessThan(0.5);
      checked++;
    }
    expect(checked).toBeGreaterThan(W / 2);
  });

  it('preserve mode scales chroma by L_in / L_palette when that stays in gamut', async () => {
    // A user palette of one mid-lightness color: Lab of sRGB (180, 120, 100).
    const pal = parsePalette('[[180,120,100],[180,120,100]]');
    const [lp, ap, bp] = srgb8ToLab(pal.rgb.subarray(0, 3));
    const L = makeL(4, 1, (x) => [lp, lp * 0.8, lp * 0.5, lp * 0.25][x]);
    const r = await lutMethod.colorize({ width: 4, height: 1, L }, { palette: pal });
    for (let x = 0; x < 4; x++) {
      const s = L[x] / lp;
      expect(r.ab[2 * x]).toBeCloseTo(ap * s, 1);
      expect(r.ab[2 * x + 1]).toBeCloseTo(bp * s, 1);
    }
  });

  it('classic mode indexes exactly as lightnessToIndex, at every step of the index and between', async () => {
    // An even sweep of L* plus, at each index step, the two adjacent float32 values around it.
    const vals: number[] = [-1, Number.NaN, 101];
    const f = new Float32Array(1);
    let prev = 0, prevK = lightnessToIndex(0);
    for (let i = 0; i <= 200_000; i++) {
      f[0] = (i * 100) / 200_000;
      const v = f[0], k = lightnessToIndex(v);
      vals.push(v);
      if (k !== prevK) {
        let lo = prev, hi = v; // float32 bisection down to adjacent float32 values
        for (;;) {
          f[0] = (lo + hi) / 2;
          const mid = f[0];
          if (mid === lo || mid === hi) break;
          if (lightnessToIndex(mid) === prevK) lo = mid;
          else hi = mid;
        }
        vals.push(lo, hi);
      }
      prev = v;
      prevK = k;
    }
    const L = Float32Array.from(vals);
    for (const invert of [false, true]) {
      const r = await lutMethod.colorize({ width: L.length, height: 1, L }, { palette: 'pet', mode: 'classic', invert });
      const lab = srgb8ToLab(getPalette('pet').rgb);
      let wrong = 0;
      for (let i = 0; i < L.length; i++) {
        const k0 = lightnessToIndex(L[i]), k = invert ? 255 - k0 : k0;
        const want = Float32Array.from([lab[3 * k], lab[3 * k + 1], lab[3 * k + 2]]);
        if (!Object.is(r.L![i], want[0]) || !Object.is(r.ab[2 * i], want[1]) || !Object.is(r.ab[2 * i + 1], want[2])) wrong++;
      }
      expect(wrong).toBe(0);
    }
  });

  it('preserve mode reuses its table per palette content, and sees a changed palette', async () => {
    const pal = parsePalette('[[200,40,40],[40,200,40]]');
    const first = await lutMethod.colorize({ width: W, height: H, L: ramp }, { palette: pal });
    const again = await lutMethod.colorize({ width: W, height: H, L: ramp }, { palette: pal });
    expect(Array.from(again.ab)).toEqual(Array.from(first.ab));
    pal.rgb.fill(0, 0, 128 * 3); // the dark half becomes black: gray there
    const changed = await lutMethod.colorize({ width: W, height: H, L: ramp }, { palette: pal });
    expect(Array.from(changed.ab.subarray(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(changed.ab.subarray(0, 8))).not.toEqual(Array.from(first.ab.subarray(0, 8)));
  });

  it('rejects bad modes and palettes', async () => {
    await expect(lutMethod.colorize({ width: W, height: H, L: ramp }, { mode: 'x' as 'classic' })).rejects.toThrow(/classic.*preserve/);
    await expect(lutMethod.colorize({ width: W, height: H, L: ramp }, { palette: 'nope' })).rejects.toThrow(/hot-iron/);
  });
});
