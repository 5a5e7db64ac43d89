import { describe, expect, it } from 'vitest';
import {
  D65,
  labToLinearRgb,
  labToSrgb8,
  lAbToSrgb8,
  linearRgbToLab,
  linearToSrgb,
  linearToSrgb8,
  lToY,
  srgb8ToL,
  srgb8ToLab,
  srgbToLinear,
  yToL,
} from '../../src/color/lab.js';

/*
 * Reference values computed independently with scikit-image 0.26 (numpy 2.4):
 *
 *   import numpy as np
 *   from skimage.color import rgb2lab
 *   cols = [(255,255,255),(0,0,0),(255,0,0),(0,255,0),(0,0,255),(255,255,0),(0,255,255),
 *           (255,0,255),(128,128,128),(119,119,119),(1,1,1),(10,20,30),(200,150,100),(51,153,204)]
 *   print(rgb2lab(np.array(cols, np.uint8).reshape(1, -1, 3))[0].round(4))
 *   g = np.arange(256, dtype=np.uint8); L = rgb2lab(np.stack([g, g, g], -1)[None])[0, :, 0]
 *   print(L[[0, 1, 2, 5, 10, 18, 50, 100, 128, 200, 254, 255]].round(4))
 *
 * scikit-image uses the older 6-decimal sRGB matrix (0.412453, ...) where medcolor uses the
 * 7-decimal IEC one (0.4124564, ...); the two differ by up to 0.005 in a* or b* on saturated
 * primaries, hence the 0.01 tolerance on chromatic colors. Neutral colors agree to 1e-4.
 */
const SKIMAGE_LAB: [number[], number[]][] = [
  [[255, 255, 255], [100.0, -0.0025, 0.0047]],
  [[0, 0, 0], [0.0, 0.0, 0.0]],
  [[255, 0, 0], [53.2406, 80.0923, 67.2028]],
  [[0, 255, 0], [87.7351, -86.183, 83.1797]],
  [[0, 0, 255], [32.2957, 79.1856, -107.8573]],
  [[255, 255, 0], [97.1395, -21.5547, 94.4781]],
  [[0, 255, 255], [91.1133, -48.0906, -14.1263]],
  [[255, 0, 255], [60.3235, 98.2331, -60.821]],
  [[128, 128, 128], [53.585, -0.0015, 0.0028]],
  [[119, 119, 119], [50.0344, -0.0014, 0.0026]],
  [[1, 1, 1], [0.2742, 0.0, 0.0]],
  [[10, 20, 30], [5.9485, -0.6693, -8.1364]],
  [[200, 150, 100], [65.7601, 12.7589, 33.5647]],
  [[51, 153, 204], [59.7466, -12.0064, -34.4911]],
];
const SKIMAGE_GRAY_L: [number, number][] = [
  [0, 0.0], [1, 0.2742], [2, 0.5483], [5, 1.3709], [10, 2.7417], [18, 5.4639], [50, 20.7878],
  [100, 42.3746], [128, 53.585], [200, 80.6041], [254, 99.6549], [255, 100.0],
];

describe('srgb8ToLab', () => {
  it('matches scikit-image rgb2lab on reference colors', () => {
    for (const [rgb, lab] of SKIMAGE_LAB) {
      const got = srgb8ToLab(new Uint8Array(rgb));
      expect(Math.abs(got[0] - lab[0]), `L* of ${rgb}`).toBeLessThan(0.002);
      expect(Math.abs(got[1] - lab[1]), `a* of ${rgb}`).toBeLessThan(0.01);
      expect(Math.abs(got[2] - lab[2]), `b* of ${rgb}`).toBeLessThan(0.01);
    }
  });

  it('maps white to exactly L*=100, a*=b*=0 (D65 white point) and every gray to a*=b*=0', () => {
    const g = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) g.fill(i, 3 * i, 3 * i + 3);
    const lab = srgb8ToLab(g);
    expect(lab[255 * 3]).toBeCloseTo(100, 4);
    for (let i = 0; i < 256; i++) {
      expect(Math.abs(lab[3 * i + 1])).toBeLessThan(1e-4);
      expect(Math.abs(lab[3 * i + 2])).toBeLessThan(1e-4);
    }
  });

  it('gives the L* of gray levels that scikit-image gives, and L* rises strictly with the level', () => {
    const g = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) g.fill(i, 3 * i, 3 * i + 3);
    const L = srgb8ToL(g);
    for (const [v, ref] of SKIMAGE_GRAY_L) expect(Math.abs(L[v] - ref), `gray ${v}`).toBeLessThan(1e-4);
    for (let i = 1; i < 256; i++) expect(L[i]).toBeGreaterThan(L[i - 1]);
    // Middle gray: sRGB 119 is the classic L* = 50 neighbour, 118 lies below.
    expect(L[118]).toBeLessThan(50);
    expect(L[119]).toBeGreaterThan(50);
  });

  it('agrees with the exact scalar path (Math.cbrt, pow) to float32 precision on a grid', () => {
    const out = [0, 0, 0];
    let maxErr = 0;
    const px = new Uint8Array(3);
    for (let r = 0; r < 256; r += 5) for (let g = 0; g < 256; g += 7) for (let b = 0; b < 256; b += 3) {
      px[0] = r; px[1] = g; px[2] = b;
      const fast = srgb8ToLab(px);
      linearRgbToLab(srgbToLinear(r / 255), srgbToLinear(g / 255), srgbToLinear(b / 255), out);
      for (let c = 0; c < 3; c++) maxErr = Math.max(maxErr, Math.abs(fast[c] - out[c]));
    }
    expect(maxErr).toBeLessThan(5e-5); // measured 9.5e-6 (float32 output rounding dominates)
  });

  it('srgb8ToL equals the L* channel of srgb8ToLab', () => {
    const rgb = new Uint8Array(3000);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 97 + 13) % 256;
    const L = srgb8ToL(rgb);
    const lab = srgb8ToLab(rgb);
    for (let j = 0; j < 1000; j++) expect(L[j]).toBe(lab[3 * j]);
  });
});

describe('labToSrgb8', () => {
  it('round-trips all 16,777,216 8-bit sRGB colors exactly (max error 0, bound 1/255)', () => {
    const rgb = new Uint8Array(256 * 256 * 3);
    const lab = new Float32Array(rgb.length);
    const back = new Uint8Array(rgb.length);
    let maxErr = 0;
    let wrong = 0;
    for (let r = 0; r < 256; r++) {
      for (let g = 0, i = 0; g < 256; g++) for (let b = 0; b < 256; b++, i += 3) {
        rgb[i] = r; rgb[i + 1] = g; rgb[i + 2] = b;
      }
      srgb8ToLab(rgb, lab);
      labToSrgb8(lab, back);
      for (let i = 0; i < rgb.length; i++) {
        const d = Math.abs(back[i] - rgb[i]);
        if (d > maxErr) maxErr = d;
        if (d !== 0) wrong++;
      }
    }
    expect(maxErr).toBeLessThanOrEqual(1);
    // Lab float32 keeps ~7 digits, far more than 8-bit needs: in practice every color returns.
    expect(wrong).toBe(0);
  });

  it('clips out-of-gamut colors per channel and maps reference Lab values back', () => {
    // Pure sRGB red in Lab (scikit-image values) comes back as 255,0,0.
    expect(Array.from(labToSrgb8(new Float32Array([53.2406, 80.0923, 67.2028])))).toEqual([255, 0, 0]);
    // L*=100 with a huge a* is outside sRGB: red clips at 255, green/blue at 0 or in range.
    const o = labToSrgb8(new Float32Array([50, 200, 0, 0, 0, 0, 100, 0, 0, -5, 0, 0, 120, 0, 0]));
    expect(o[0]).toBe(255);
    expect(o[1]).toBe(0);
    expect(Array.from(o.subarray(3, 6))).toEqual([0, 0, 0]);
    expect(Array.from(o.subarray(6, 9))).toEqual([255, 255, 255]);
    expect(Array.from(o.subarray(9, 12))).toEqual([0, 0, 0]);
    expect(Array.from(o.subarray(12, 15))).toEqual([255, 255, 255]);
  });

  it('lAbToSrgb8 (planar L*, interleaved a*b*) equals labToSrgb8 on the same colors', () => {
    const n = 5000;
    const L = new Float32Array(n), ab = new Float32Array(2 * n), lab = new Float32Array(3 * n);
    for (let j = 0; j < n; j++) {
      L[j] = (j * 37) % 101;
      ab[2 * j] = ((j * 53) % 241) - 120;
      ab[2 * j + 1] = ((j * 71) % 233) - 116;
      lab[3 * j] = L[j]; lab[3 * j + 1] = ab[2 * j]; lab[3 * j + 2] = ab[2 * j + 1];
    }
    expect(Array.from(lAbToSrgb8(L, ab))).toEqual(Array.from(labToSrgb8(lab)));
  });

  it('agrees with the exact pow path on random Lab values (incl. out of gamut)', () => {
    const t = [0, 0, 0];
    let s = 7;
    const lab = new Float32Array(3);
    for (let k = 0; k < 20000; k++) {
      s = (s * 1103515245 + 12345) >>> 0; lab[0] = (s / 2 ** 32) * 100;
      s = (s * 1103515245 + 12345) >>> 0; lab[1] = (s / 2 ** 32) * 260 - 130;
      s = (s * 1103515245 + 12345) >>> 0; lab[2] = (s / 2 ** 32) * 260 - 130;
      const fast = labToSrgb8(lab);
      labToLinearRgb(lab[0], lab[1], lab[2], t);
      for (let c = 0; c < 3; c++) {
        const v = t[c] <= 0 ? 0 : t[c] >= 1 ? 1 : t[c];
        expect(fast[c]).toBe(Math.round(linearToSrgb(v) * 255));
      }
    }
  });
});

describe('scalar helpers', () => {
  it('linearToSrgb8 equals round(linearToSrgb(v)*255) at and around every code threshold', () => {
    for (let k = 0; k < 256; k++) {
      const v = srgbToLinear((k + 0.5) / 255);
      for (const x of [v * (1 - 1e-9), v, v * (1 + 1e-9), srgbToLinear(k / 255)]) {
        const c = x <= 0 ? 0 : x >= 1 ? 1 : x;
        expect(linearToSrgb8(x)).toBe(Math.round(linearToSrgb(c) * 255));
      }
    }
    expect(linearToSrgb8(-0.5)).toBe(0);
    expect(linearToSrgb8(Number.NaN)).toBe(0);
    expect(linearToSrgb8(3)).toBe(255);
  });

  it('sRGB transfer pieces meet at the IEC 61966-2-1 breakpoint and invert each other', () => {
    expect(srgbToLinear(0.04045)).toBeCloseTo(0.04045 / 12.92, 12);
    expect(srgbToLinear(1)).toBeCloseTo(1, 12);
    for (let i = 0; i <= 100; i++) expect(linearToSrgb(srgbToLinear(i / 100))).toBeCloseTo(i / 100, 10);
  });

  it('yToL / lToY: Y=0.18 gives L*=49.496, L*=50 gives Y=0.18419, and they invert', () => {
    // 116*cbrt(0.18)-16 = 49.4961; ((50+16)/116)^3 = 0.184187 (hand-computed).
    expect(yToL(0.18)).toBeCloseTo(49.4961, 4);
    expect(lToY(50)).toBeCloseTo(0.184187, 6);
    expect(yToL(0.005)).toBeCloseTo((24389 / 27) * 0.005, 10); // linear toe below (6/29)^3
    for (let l = 0; l <= 100; l += 2.5) expect(yToL(lToY(l))).toBeCloseTo(l, 9);
  });

  it('linear RGB of the D65 white maps to X/Xn = Y = Z/Zn = 1', () => {
    const out = [0, 0, 0];
    linearRgbToLab(1, 1, 1, out);
    // The published Y row sums to 1.0000001, hence 100.000004 rather than exactly 100.
    expect(Math.abs(out[0] - 100)).toBeLessThan(1e-5);
    expect(Math.abs(out[1])).toBeLessThan(1e-4);
    expect(Math.abs(out[2])).toBeLessThan(1e-4);
    labToLinearRgb(100, 0, 0, out);
    for (const v of out) expect(v).toBeCloseTo(1, 5);
    expect(D65.Y).toBe(1);
  });
});
