import { describe, expect, it } from 'vitest';
import { deltaE2000, deltaE2000Map, meanDeltaE2000 } from '../../src/color/ciede2000.js';
import { isMedcolorError } from '../../src/errors.js';

/*
 * Table 1 of G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference formula:
 * implementation notes, supplementary test data, and mathematical observations",
 * Color Res. Appl. 30(1):21-30, 2005: all 34 pairs, [L1, a1, b1, L2, a2, b2, dE00].
 * Cross-checked with scikit-image 0.26 (max |round(deltaE_ciede2000, 4) - table| = 0):
 *   d = np.loadtxt('sharma.txt'); e = skimage.color.deltaE_ciede2000(d[:, 0:3], d[:, 3:6])
 */
const SHARMA: number[][] = [
  [50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425],
  [50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615],
  [50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412],
  [50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000],
  [50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000],
  [50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000],
  [50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669],
  [50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669],
  [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792],
  [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792],
  [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195],
  [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195],
  [50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045],
  [50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045],
  [50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461],
  [50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065],
  [50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492],
  [50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977],
  [50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030],
  [50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535],
  [50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000],
  [50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000],
  [50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000],
  [50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000],
  [60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644],
  [63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630],
  [61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731],
  [35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645],
  [22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373],
  [36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146],
  [90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441],
  [90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381],
  [6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377],
  [2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082],
];

/*
 * Random pairs (hue wrap-around, large differences) and non-unit weights, from scikit-image 0.26:
 *   rng = np.random.default_rng(2005)
 *   a = np.column_stack([rng.uniform(0,100,12), rng.uniform(-110,110,12), rng.uniform(-110,110,12)]).round(3)
 *   b = (same three draws again).round(3)
 *   deltaE_ciede2000(a, b); deltaE_ciede2000(a, b, kL=2, kC=1.5, kH=0.8)
 * Rows: [L1, a1, b1, L2, a2, b2, dE00, dE00(kL=2, kC=1.5, kH=0.8)].
 */
const SKIMAGE_RANDOM: number[][] = [
  [71.775, 21.186, 46.657, 87.649, -61.92, 89.223, 44.3248188752, 52.3102489573],
  [48.387, 36.186, -67.728, 24.176, 84.536, -22.112, 35.0568619266, 37.1404536017],
  [80.508, 89.218, 63.941, 16.715, -28.996, -63.709, 95.6113259525, 94.7058582209],
  [89.726, 37.473, 96.841, 41.891, 38.529, -40.674, 68.2532027315, 71.8815611811],
  [1.679, -67.205, -40.746, 29.202, 100.056, -56.788, 78.0751116334, 98.6346391575],
  [59.169, 98.784, 25.581, 96.059, 31.615, 3.306, 31.7510347609, 18.2300773749],
  [50.713, 66.89, 85.716, 10.256, 40.716, -5.995, 48.1514799598, 45.3367454782],
  [68.297, -76.359, 28.221, 31.322, 17.413, -40.769, 59.4559913172, 60.0767751703],
  [0.341, -25.816, -85.696, 60.967, 81.636, -77.676, 78.7142409793, 83.9334203477],
  [35.49, 14.595, -86.844, 49.745, 33.516, 92.404, 62.5234337774, 76.6890260091],
  [72.304, -32.574, 30.049, 39.515, -68.045, -80.547, 58.4059454834, 62.2926437287],
  [46.617, 39.794, 94.106, 80.037, 8.241, 32.91, 33.2284680786, 19.328460059],
];

describe('deltaE2000', () => {
  it('reproduces all 34 Sharma-Wu-Dalal test pairs to 4 decimals', () => {
    expect(SHARMA).toHaveLength(34);
    SHARMA.forEach((p, i) => {
      const d = deltaE2000(p[0], p[1], p[2], p[3], p[4], p[5]);
      expect(Math.abs(d - p[6]), `pair ${i + 1}: got ${d}`).toBeLessThan(5e-5);
    });
  });

  it('is symmetric on the Sharma pairs (they include the hue-mean discontinuity cases)', () => {
    for (const p of SHARMA) {
      expect(deltaE2000(p[3], p[4], p[5], p[0], p[1], p[2])).toBeCloseTo(deltaE2000(p[0], p[1], p[2], p[3], p[4], p[5]), 10);
    }
  });

  it('matches scikit-image on random pairs, with default and non-unit kL, kC, kH', () => {
    for (const p of SKIMAGE_RANDOM) {
      expect(deltaE2000(p[0], p[1], p[2], p[3], p[4], p[5])).toBeCloseTo(p[6], 8);
      expect(deltaE2000(p[0], p[1], p[2], p[3], p[4], p[5], 2, 1.5, 0.8)).toBeCloseTo(p[7], 8);
    }
  });

  it('is 0 for identical colors and equals |dL|/SL for two neutrals', () => {
    expect(deltaE2000(40, 30, -20, 40, 30, -20)).toBe(0);
    expect(deltaE2000(0, 0, 0, 0, 0, 0)).toBe(0);
    // Neutrals at L* 40 and 60: mean L* 50 gives SL = 1, so dE00 = 20 exactly.
    expect(deltaE2000(40, 0, 0, 60, 0, 0)).toBeCloseTo(20, 12);
    // Mean L* 70: SL = 1 + 0.015*400/sqrt(420) = 1.2927700..., dE00 = 10/SL.
    expect(deltaE2000(65, 0, 0, 75, 0, 0)).toBeCloseTo(10 / (1 + (0.015 * 400) / Math.sqrt(420)), 12);
  });
});

describe('meanDeltaE2000 / deltaE2000Map', () => {
  it('average and per-pixel values over interleaved arrays equal the scalar function', () => {
    const a = new Float32Array(SHARMA.length * 3);
    const b = new Float32Array(SHARMA.length * 3);
    SHARMA.forEach((p, i) => { a.set(p.slice(0, 3), 3 * i); b.set(p.slice(3, 6), 3 * i); });
    let sum = 0;
    for (let i = 0; i < SHARMA.length; i++) sum += deltaE2000(a[3 * i], a[3 * i + 1], a[3 * i + 2], b[3 * i], b[3 * i + 1], b[3 * i + 2]);
    expect(meanDeltaE2000(a, b)).toBeCloseTo(sum / SHARMA.length, 12);
    // Float32 storage of the 4-decimal inputs moves dE00 by far less than 1e-4.
    const expectedMean = SHARMA.reduce((s, p) => s + p[6], 0) / SHARMA.length;
    expect(Math.abs(meanDeltaE2000(a, b) - expectedMean)).toBeLessThan(1e-4);
    const map = deltaE2000Map(a, b);
    expect(map).toHaveLength(34);
    SHARMA.forEach((p, i) => expect(Math.abs(map[i] - p[6])).toBeLessThan(1e-4));
    expect(meanDeltaE2000(new Float32Array(0), new Float32Array(0))).toBe(0);
  });

  it('rejects arrays of different lengths with ERR_METRIC_SIZE_MISMATCH', () => {
    let err: unknown;
    try { meanDeltaE2000(new Float32Array(6), new Float32Array(9)); } catch (e) { err = e; }
    expect(isMedcolorError(err, 'ERR_METRIC_SIZE_MISMATCH')).toBe(true);
    expect(String(err)).toMatch(/6 and 9/);
    expect(() => deltaE2000Map(new Float32Array(4), new Float32Array(4))).toThrow(/multiple of 3/);
  });
});
