import { describe, expect, it } from 'vitest';
import { srgb8ToLab } from '../../src/color/lab.js';
import { isMedcolorError } from '../../src/errors.js';
import { transferMethod } from '../../src/methods/transfer.js';
import { makeL, makeRgb, meanStd, noise, roundTripL } from './helpers.js';

const W = 96, H = 96;
// Reference: a warm image whose chroma depends on lightness (dark red shadows, yellow highlights)
// plus chroma noise.
const rn = noise(3);
const reference = makeRgb(W, H, (x, y) => {
  const l = 25 + (50 * (x + y)) / (W + H - 2);
  const t = (l - 25) / 50;
  return [l, 30 - 20 * t + 6 * rn(), 10 + 30 * t + 6 * rn()];
});
// Target: a different lightness distribution (a blob), gray.
const tn = noise(5);
const L = makeL(W, H, (x, y) => 35 + 40 * Math.exp(-((x - 40) ** 2 + (y - 55) ** 2) / 600) + 2 * tn());

describe('transfer (Reinhard et al. 2001)', () => {
  it("matches the reference's a* and b* means and deviations", async () => {
    const lab = srgb8ToLab(reference.data);
    const r = await transferMethod.colorize({ width: W, height: H, L }, { reference, gamutClamp: false });
    for (const c of [0, 1]) {
      const [mr, sr] = meanStd(lab, 3, c + 1);
      const [mo, so] = meanStd(r.ab, 2, c);
      expect(mo, `mean ${c}`).toBeCloseTo(mr, 2);
      expect(so, `std ${c}`).toBeCloseTo(sr, 2);
    }
    // Dark target pixels get the reference's dark chroma (red: a* high, b* low), bright ones yellow.
    const dark = 5 * W + 90, bright = 55 * W + 40;
    expect(L[dark]).toBeLessThan(L[bright]);
    expect(r.ab[2 * dark]).toBeGreaterThan(r.ab[2 * bright]);
    expect(r.ab[2 * dark + 1]).toBeLessThan(r.ab[2 * bright + 1]);
  });

  it('keeps L* (with gamut clamping, statistics stay close)', async () => {
    const lab = srgb8ToLab(reference.data);
    const r = await transferMethod.colorize({ width: W, height: H, L }, { reference });
    const back = roundTripL(L, r.ab);
    let maxErr = 0;
    for (let i = 0; i < L.length; i++) maxErr = Math.max(maxErr, Math.abs(back[i] - L[i]));
    expect(maxErr).toBeLessThan(0.6);
    expect(meanStd(r.ab, 2, 0)[0]).toBeCloseTo(meanStd(lab, 3, 1)[0], 0);
  });

  it('without a reference: ERR_REFERENCE_REQUIRED', async () => {
    try {
      await transferMethod.colorize({ width: W, height: H, L });
      expect.unreachable();
    } catch (e) {
      expect(isMedcolorError(e, 'ERR_REFERENCE_REQUIRED')).toBe(true);
    }
  });
});
