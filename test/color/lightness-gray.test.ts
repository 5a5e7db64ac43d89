/**
 * Color to gray by lightness (`rgbToLightnessGray`), the one conversion behind color raster,
 * DICOM and NIfTI RGB inputs: the gray it gives has the color's CIELAB L*, whichever the input
 * path, and a real color DICOM file gives the same gray as its pixels saved to PNG and read back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rgbToLightnessGray, srgb8ToLab, srgbToLinear, yToL } from '../../src/color/lab.js';
import { decodeDicom, decodeDicomRgb } from '../../src/io/dicom/decode.js';
import { readRaster, writePng } from '../../src/io/raster.js';
import { hasSharedData, sharedData } from '../fixtures.js';

/** L* of a gray level on the 0..255 scale (not rounded). */
const grayL = (g: number) => yToL(srgbToLinear(g / 255));

describe('rgbToLightnessGray', () => {
  // Every 8-bit color on a 16-step cube, including the primaries and secondaries.
  const steps = [0, 17, 34, 51, 68, 85, 102, 119, 136, 153, 170, 187, 204, 221, 238, 255];
  const rgb = new Uint8Array(steps.length ** 3 * 3);
  let k = 0;
  for (const r of steps) for (const g of steps) for (const b of steps) rgb.set([r, g, b], 3 * k++);

  it('gives the gray level whose L* is the color L* (CIELAB, D65)', () => {
    const gray = rgbToLightnessGray(rgb);
    const lab = srgb8ToLab(rgb);
    let maxErr = 0;
    for (let i = 0; i < gray.length; i++) maxErr = Math.max(maxErr, Math.abs(grayL(gray[i]) - lab[3 * i]));
    expect(maxErr).toBeLessThan(1e-3);
  });

  it('uses the luminance of linear light, not luma of gamma-encoded values', () => {
    const [red, green, blue] = rgbToLightnessGray(Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255));
    // L* of the sRGB primaries: 53.24, 87.73, 32.30. Rec. 601 luma would give 76, 150, 29 instead.
    expect(grayL(red)).toBeCloseTo(53.24, 2);
    expect(grayL(green)).toBeCloseTo(87.73, 2);
    expect(grayL(blue)).toBeCloseTo(32.3, 2);
    expect(blue).toBeCloseTo(75.95, 1); // Y = 0.072175; luma 0.114 * 255 = 29.07
    // Gray stays itself.
    expect(Array.from(rgbToLightnessGray(Uint8Array.of(0, 0, 0, 128, 128, 128, 255, 255, 255)), (v) => Math.round(v * 1000) / 1000)).toEqual([0, 128, 255]);
  });

  it('gives the same grays from 0..1 floats (max 1) as from 8-bit codes', () => {
    const floats = Float32Array.from(rgb, (v) => v / 255);
    const a = rgbToLightnessGray(rgb);
    const b = rgbToLightnessGray(floats, 1);
    const c = rgbToLightnessGray(Uint16Array.from(rgb, (v) => v * 257), 65535);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]), Math.abs(a[i] - c[i]));
    expect(maxDiff).toBeLessThan(1e-3);
  });
});

// Color DICOM files of ../shared/data/dicom, one per photometric route, and whether their colors
// are 8-bit codes already (then both paths see the very same colors): native RGB (8 and 16 bits),
// YBR_FULL_422 pairs (converted here), YBR_FULL in JPEG and YBR_RCT in JPEG 2000 (converted by the
// codec), PALETTE COLOR with 16-bit tables (native and RLE).
const COLOR_FILES: [string, boolean][] = [
  ['pydicom-data/SC_rgb.dcm', true],
  ['pydicom-data/SC_rgb_16bit.dcm', false],
  ['pydicom-debian-test_files/SC_ybr_full_422_uncompressed.dcm', false],
  ['pydicom-debian-test_files/SC_rgb_dcmtk_+eb+cy+n1.dcm', true],
  ['pydicom-debian-test_files/GDCMJ2K_TextGBR.dcm', true],
  ['pydicom-data/OBXXXX1A.dcm', false],
  ['pydicom-data/OBXXXX1A_rle.dcm', false],
];

describe.skipIf(!hasSharedData('dicom'))('color DICOM to gray equals the raster path (shared data)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'medcolor-lightness-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(COLOR_FILES)('%s', async (name, exact) => {
    const bytes = new Uint8Array(readFileSync(sharedData(`dicom/${name}`)));
    const [gray] = await decodeDicom(bytes, { source: name, frame: 0 });
    const [rgb] = await decodeDicomRgb(bytes, { source: name, frame: 0 });
    expect(gray.meta.extra?.sourcePhotometric).not.toMatch(/^MONOCHROME/);
    // The same pixels (the 8-bit colors of the file) through PNG and the raster reader.
    const png = path.join(dir, `${path.basename(name)}.png`);
    await writePng(png, rgb);
    const raster = await readRaster(png);
    expect([raster.gray.width, raster.gray.height]).toEqual([gray.width, gray.height]);
    const lab = srgb8ToLab(rgb.data);
    let maxRaster = 0, maxLab = 0, maxChroma = 0;
    for (let i = 0; i < gray.data.length; i++) {
      const l = grayL(gray.data[i]);
      maxRaster = Math.max(maxRaster, Math.abs(l - grayL(raster.gray.data[i])));
      maxLab = Math.max(maxLab, Math.abs(l - lab[3 * i]));
      maxChroma = Math.max(maxChroma, Math.hypot(lab[3 * i + 1], lab[3 * i + 2]));
    }
    // Files with 8-bit colors agree exactly; the others differ only by the rounding of their
    // colors to 8 bits on the way to PNG (well below one 8-bit code in L*).
    expect(maxRaster).toBeLessThan(exact ? 1e-3 : 0.5);
    expect(maxLab).toBeLessThan(exact ? 1e-3 : 0.5);
    // The files hold real colors, so a wrong weighting of R, G and B would show.
    expect(maxChroma).toBeGreaterThan(20);
  });
});
