import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { lAbToSrgb8, labToSrgb8, srgb8ToL, srgb8ToLab } from '../../src/color/lab.js';
import { isMedcolorError } from '../../src/errors.js';
import type { RgbImage } from '../../src/image/types.js';
import {
  computeAbPsnr, computeColorfulnessGap, computeDeltaE2000, computeMse, computePsnr, computeReport,
  computeSsim, computeSsimInterleaved,
} from '../../src/metrics/index.js';
import { hasSharedData, sharedData } from '../fixtures.js';

/*
 * Reference values from scikit-image 0.26 / numpy 2.4 (Python below; `pair` rebuilds the same
 * images as `makePair` here, `report` computes every figure):
 *
 *   import numpy as np
 *   from skimage.metrics import structural_similarity, peak_signal_noise_ratio, mean_squared_error
 *   from skimage.color import rgb2lab, deltaE_ciede2000
 *   def pair(W, H, seed):
 *       s = seed
 *       def nxt():
 *           nonlocal s; s = (s * 1664525 + 1013904223) & 0xffffffff; return s >> 24
 *       a = np.zeros((H, W, 3), np.uint8); b = np.zeros((H, W, 3), np.uint8)
 *       for y in range(H):
 *           for x in range(W):
 *               for c in range(3):
 *                   a[y, x, c] = min(255, max(0, (x * 5 + y * 3 + 60 * c) % 256 + nxt() % 17 - 8))
 *       for y in range(H):
 *           for x in range(W):
 *               for c in range(3):
 *                   v = int(a[y, x, c]) + (nxt() % 41 - 20 if (x // 8 + y // 8) % 2 == 0 else (30, 0, -20)[c])
 *                   b[y, x, c] = min(255, max(0, v))
 *       return a, b
 *   def colorfulness(img):
 *       r, g, b = [img[..., i].astype(float) for i in range(3)]
 *       rg = r - g; yb = 0.5 * (r + g) - b
 *       return np.sqrt(rg.std() ** 2 + yb.std() ** 2) + 0.3 * np.sqrt(rg.mean() ** 2 + yb.mean() ** 2)
 *   def report(a, b):
 *       la, lb = rgb2lab(a), rgb2lab(b)
 *       return dict(mse=mean_squared_error(a, b), psnr=peak_signal_noise_ratio(b, a, data_range=255),
 *           ssim=structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
 *                use_sample_covariance=False, data_range=255, channel_axis=2),
 *           deltaE2000=deltaE_ciede2000(la, lb).mean(),
 *           abPsnr=10 * np.log10(255 ** 2 / np.mean((la[..., 1:] - lb[..., 1:]) ** 2)),
 *           colorfulnessA=colorfulness(a), colorfulnessB=colorfulness(b))
 *
 * For the real pairs, `truth` is the JPEG decoded by PIL (bit-identical to sharp's decode, checked
 * on both files) and `result` is the raw RGB that this test derives (gray: L* kept, a*=b*=0;
 * half: a*, b* halved), written to disk by a throwaway script and read with np.fromfile.
 *
 * scikit-image's rgb2lab uses the 6-decimal sRGB matrix, medcolor the 7-decimal IEC one, so
 * Lab-based figures (CIEDE2000, a*b* PSNR) are compared with a small tolerance; MSE, PSNR, SSIM
 * and colorfulness are computed on the same 8-bit pixels and must agree to rounding.
 */
interface Ref {
  sumA: number; sumB: number;
  mse: number; psnr: number; ssim: number; deltaE2000: number; abPsnr: number; colorfulnessA: number; colorfulnessB: number;
}
const SYNTHETIC: [number, number, number, Ref][] = [
  [64, 48, 1, { sumA: 1194853, sumB: 1208014, mse: 272.1465929, psnr: 23.78277459, ssim: 0.7121364998, deltaE2000: 5.341670274, abPsnr: 29.23106299, colorfulnessA: 150.524599, colorfulnessB: 150.5160896 }],
  [11, 11, 2, { sumA: 36347, sumB: 36721, mse: 258.5509642, psnr: 24.00534199, ssim: 0.6336651196, deltaE2000: 5.141131517, abPsnr: 29.36373018, colorfulnessA: 42.25335677, colorfulnessB: 56.99658827 }],
  [23, 17, 3, { sumA: 157101, sumB: 158846, mse: 282.2855925, psnr: 23.62391648, ssim: 0.6466453967, deltaE2000: 5.298959118, abPsnr: 29.50847639, colorfulnessA: 89.85132451, colorfulnessB: 89.54646686 }],
];

/** The seeded pattern `a` and its perturbed copy `b` (noise on a checkerboard, a color cast elsewhere). */
function makePair(W: number, H: number, seed: number): [RgbImage, RgbImage] {
  let s = seed;
  const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s >>> 24; };
  const clamp = (v: number) => Math.min(255, Math.max(0, v));
  const a = new Uint8Array(W * H * 3), b = new Uint8Array(W * H * 3);
  for (let i = 0, y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++, i++) {
    a[i] = clamp(((x * 5 + y * 3 + 60 * c) % 256) + (next() % 17) - 8);
  }
  const cast = [30, 0, -20];
  for (let i = 0, y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++, i++) {
    b[i] = clamp(a[i] + (((x >> 3) + (y >> 3)) % 2 === 0 ? (next() % 41) - 20 : cast[c]));
  }
  return [{ width: W, height: H, data: a }, { width: W, height: H, data: b }];
}

const sum = (d: Uint8Array) => d.reduce((s, v) => s + v, 0);

function checkAgainst(result: RgbImage, truth: RgbImage, ref: Ref) {
  expect(sum(result.data)).toBe(ref.sumA); // the very pixels the reference was computed on
  expect(sum(truth.data)).toBe(ref.sumB);
  const rep = computeReport(result, truth);
  expect(rep.mse).toBeCloseTo(ref.mse, 6);
  expect(rep.psnr).toBeCloseTo(ref.psnr, 7);
  expect(Math.abs(rep.ssim - ref.ssim)).toBeLessThan(1e-8);
  expect(Math.abs(rep.deltaE2000 - ref.deltaE2000)).toBeLessThan(2e-3);
  expect(Math.abs(rep.abPsnr - ref.abPsnr)).toBeLessThan(2e-3);
  expect(rep.colorfulness).toBeCloseTo(ref.colorfulnessA, 6);
  expect(rep.truthColorfulness).toBeCloseTo(ref.colorfulnessB, 6);
  expect(rep.colorfulnessGap).toBeCloseTo(Math.abs(ref.colorfulnessA - ref.colorfulnessB), 6);
  // The standalone functions give the same figures as the report.
  expect(computeMse(result, truth)).toBe(rep.mse);
  expect(computePsnr(result, truth)).toBe(rep.psnr);
  expect(computeSsim(result, truth)).toBe(rep.ssim);
  expect(computeDeltaE2000(result, truth)).toBe(rep.deltaE2000);
  expect(computeColorfulnessGap(result, truth)).toBe(rep.colorfulnessGap);
  return rep;
}

describe('metrics against scikit-image on seeded synthetic pairs', () => {
  for (const [W, H, seed, ref] of SYNTHETIC) {
    it(`${W}x${H} (seed ${seed})`, () => {
      const [a, b] = makePair(W, H, seed);
      checkAgainst(a, b, ref);
    });
  }
});

describe('metric properties', () => {
  const [a, b] = makePair(64, 48, 1);

  it('SSIM with other windows and constants matches scikit-image (generic, non-unrolled path)', () => {
    // structural_similarity(a, b, gaussian_weights=True, sigma=S, use_sample_covariance=False,
    //                       data_range=255, channel_axis=2[, K1=0.02, K2=0.05]) on pair(64, 48, 1)
    expect(Math.abs(computeSsim(a, b, { sigma: 1.0 }) - 0.6695606846)).toBeLessThan(1e-8); // 9-tap window
    expect(Math.abs(computeSsim(a, b, { sigma: 2.0 }) - 0.7689624452)).toBeLessThan(1e-8); // 15-tap window
    expect(Math.abs(computeSsim(a, b, { k1: 0.02, k2: 0.05 }) - 0.7674640774)).toBeLessThan(1e-8);
  });

  it('identical images: MSE 0, PSNR Infinity, SSIM 1, dE 0, gap 0', () => {
    const r = computeReport(a, a);
    expect(r).toMatchObject({ mse: 0, psnr: Infinity, deltaE2000: 0, colorfulnessGap: 0, abPsnr: Infinity });
    expect(r.ssim).toBeCloseTo(1, 12);
  });

  it('PSNR follows 10 log10(peak^2/MSE) by hand: a uniform offset of 5 gives 20 log10(255/5) = 34.1514 dB', () => {
    const c = { ...a, data: a.data.map((v) => (v < 250 ? v + 5 : v - 5)) };
    expect(computeMse(a, c)).toBe(25);
    expect(computePsnr(a, c)).toBeCloseTo(34.15140352, 6);
    expect(computePsnr(a, c, { peak: 1 })).toBeCloseTo(10 * Math.log10(1 / 25), 10);
  });

  it('the metrics are symmetric (MSE, PSNR, SSIM, dE) and worsen with the error', () => {
    expect(computeSsim(b, a)).toBeCloseTo(computeSsim(a, b), 12);
    expect(computeDeltaE2000(b, a)).toBeCloseTo(computeDeltaE2000(a, b), 10);
    // Halve the perturbation: every metric must improve.
    const mid = { ...a, data: a.data.map((v, i) => Math.round((v + b.data[i]) / 2)) };
    expect(computePsnr(a, mid)).toBeGreaterThan(computePsnr(a, b));
    expect(computeSsim(a, mid)).toBeGreaterThan(computeSsim(a, b));
    expect(computeDeltaE2000(a, mid)).toBeLessThan(computeDeltaE2000(a, b));
  });

  it('SSIM on a single-channel float plane with its own data range equals SSIM of that channel', () => {
    const W = 64, H = 48;
    const ra = new Float32Array(W * H), rb = new Float32Array(W * H);
    for (let i = 0; i < W * H; i++) { ra[i] = a.data[3 * i]; rb[i] = b.data[3 * i]; }
    const red = computeSsimInterleaved({ width: W, height: H, channels: 1, data: ra }, { width: W, height: H, channels: 1, data: rb });
    const gOnly = (img: RgbImage) => ({ ...img, data: img.data.map((v, i) => (i % 3 === 0 ? v : 0)) });
    // With G = B = 0 in both images those channels have SSIM 1, so mean = (red + 2) / 3.
    expect(computeSsim(gOnly(a), gOnly(b))).toBeCloseTo((red + 2) / 3, 12);
    // Scaling values and the data range together leaves SSIM unchanged.
    const sa = ra.map((v) => v / 2.55), sb = rb.map((v) => v / 2.55);
    const scaled = computeSsimInterleaved({ width: W, height: H, channels: 1, data: sa }, { width: W, height: H, channels: 1, data: sb }, { dataRange: 100 });
    expect(scaled).toBeCloseTo(red, 6);
  });

  it('a*b* PSNR ignores lightness and scales with the stated peak', () => {
    const lab = srgb8ToLab(a.data);
    const brighter = lab.slice();
    for (let i = 0; i < brighter.length; i += 3) brighter[i] = Math.min(100, brighter[i] + 10);
    const A = { width: 64, height: 48, data: lab };
    expect(computeAbPsnr(A, { ...A, data: brighter })).toBe(Infinity);
    const shifted = lab.slice();
    for (let i = 0; i < shifted.length; i += 3) { shifted[i + 1] += 3; shifted[i + 2] -= 4; }
    // MSE over a*, b* = (9 + 16) / 2 = 12.5 -> 10 log10(255^2 / 12.5) = 37.1697 dB.
    expect(computeAbPsnr(A, { ...A, data: shifted })).toBeCloseTo(10 * Math.log10(65025 / 12.5), 4);
    expect(computeAbPsnr(A, { ...A, data: shifted }, { peak: 220 })).toBeCloseTo(10 * Math.log10(48400 / 12.5), 4);
  });

  it('rejects mismatched sizes and images smaller than the SSIM window with stable codes', () => {
    const small = makePair(10, 30, 4)[0];
    const codeOf = (f: () => unknown) => { try { f(); } catch (e) { return isMedcolorError(e) ? e.code : String(e); } return 'no error'; };
    expect(codeOf(() => computeReport(a, small))).toBe('ERR_METRIC_SIZE_MISMATCH');
    expect(codeOf(() => computeSsim(a, { ...a, width: 48, height: 64 }))).toBe('ERR_METRIC_SIZE_MISMATCH');
    expect(codeOf(() => computeSsim(small, small))).toBe('ERR_METRIC_IMAGE_TOO_SMALL');
    expect(codeOf(() => computeMse(a, { ...a, data: a.data.subarray(3) }))).toBe('ERR_IMAGE_SIZE');
  });

});

const DATA = sharedData('color');
const REAL: [string, 'gray' | 'half', Ref][] = [
  ['natural/val/101085.jpg', 'gray', { sumA: 45587031, sumB: 0, mse: 315.7404831, psnr: 23.13750092, ssim: 0.9757698574, deltaE2000: 11.37925931, abPsnr: 25.50470987, colorfulnessA: 0.0, colorfulnessB: 28.9284235 }],
  ['natural/val/101085.jpg', 'half', { sumA: 43845263, sumB: 0, mse: 84.11181059, psnr: 28.88223379, ssim: 0.9919053543, deltaE2000: 4.819344595, abPsnr: 31.53851977, colorfulnessA: 14.26799747, colorfulnessB: 28.9284235 }],
  ['fundus-drive/val/01_test.jpg', 'gray', { sumA: 82737846, sumB: 0, mse: 1566.109591, psnr: 16.18258212, ssim: 0.9113331941, deltaE2000: 15.63689793, abPsnr: 20.01098545, colorfulnessA: 0.0, colorfulnessB: 71.33763956 }],
  ['fundus-drive/val/01_test.jpg', 'half', { sumA: 80626941, sumB: 0, mse: 363.0767942, psnr: 22.53081869, ssim: 0.9688662722, deltaE2000: 6.130592887, abPsnr: 26.03445924, colorfulnessA: 37.91492533, colorfulnessB: 71.33763956 }],
];

describe.skipIf(!hasSharedData('color'))('metrics against scikit-image on real color images (../shared/data/color)', () => {
  for (const [file, kind, ref] of REAL) {
    it(`${file} vs its ${kind === 'gray' ? 'gray version (a*=b*=0)' : 'half-chroma version'}`, async () => {
      const { data, info } = await sharp(path.join(DATA, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const truth: RgbImage = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
      let out: Uint8Array;
      if (kind === 'gray') {
        const L = srgb8ToL(truth.data);
        out = lAbToSrgb8(L, new Float32Array(2 * L.length));
      } else {
        const lab = srgb8ToLab(truth.data);
        for (let i = 0; i < lab.length; i += 3) { lab[i + 1] *= 0.5; lab[i + 2] *= 0.5; }
        out = labToSrgb8(lab);
      }
      const rep = checkAgainst({ ...truth, data: out }, truth, { ...ref, sumB: sum(truth.data) });
      if (kind === 'gray') expect(rep.colorfulness).toBeLessThan(1e-9);
    });
  }
});
