import { describe, expect, it } from 'vitest';
import { getPalette, listPalettes, parsePalette } from '../../src/methods/palettes.js';
import { isMedcolorError } from '../../src/errors.js';

// Entries of the DICOM PS3.6 Annex B tables (as distributed with pydicom 3.0.2,
// pydicom.pixels.apply_color_lut(palette=...)) and of matplotlib 3.11 colormaps at 256 levels,
// at these indices.
const IDX = [0, 1, 31, 63, 64, 85, 100, 127, 128, 150, 170, 191, 192, 200, 230, 243, 254, 255];
const DICOM: Record<string, number[][]> = {
  'hot-iron': [[0, 0, 0], [2, 0, 0], [62, 0, 0], [126, 0, 0], [128, 0, 0], [170, 0, 0], [200, 0, 0], [254, 0, 0], [255, 0, 0], [255, 44, 0], [255, 84, 0], [255, 126, 0], [255, 128, 4], [255, 144, 36], [255, 204, 156], [255, 230, 208], [255, 252, 252], [255, 255, 255]],
  pet: [[0, 0, 0], [0, 2, 1], [0, 62, 61], [0, 128, 125], [1, 126, 127], [43, 84, 169], [73, 55, 199], [126, 1, 253], [128, 0, 255], [171, 44, 168], [211, 84, 88], [253, 126, 4], [255, 128, 0], [255, 144, 32], [255, 204, 153], [255, 230, 206], [255, 252, 250], [255, 255, 255]],
  'hot-metal-blue': [[0, 0, 0], [0, 0, 2], [0, 0, 61], [0, 0, 123], [0, 0, 125], [0, 0, 167], [44, 0, 196], [114, 15, 103], [116, 17, 97], [181, 58, 9], [255, 96, 0], [255, 136, 62], [255, 137, 65], [255, 152, 88], [255, 209, 176], [255, 233, 216], [255, 253, 252], [255, 255, 255]],
  'pet-20-step': [[0, 0, 0], [0, 0, 0], [48, 48, 80], [80, 80, 128], [96, 96, 176], [112, 112, 192], [128, 128, 224], [48, 144, 48], [80, 192, 80], [64, 224, 64], [208, 208, 96], [208, 176, 64], [208, 144, 0], [208, 144, 0], [255, 0, 0], [255, 255, 255], [255, 255, 255], [255, 255, 255]],
};
const MPL: Record<string, number[][]> = {
  hot: [[11, 0, 0], [13, 0, 0], [92, 0, 0], [176, 0, 0], [179, 0, 0], [234, 0, 0], [255, 18, 0], [255, 89, 0], [255, 92, 0], [255, 149, 0], [255, 202, 0], [255, 255, 3], [255, 255, 7], [255, 255, 38], [255, 255, 157], [255, 255, 208], [255, 255, 251], [255, 255, 255]],
  bone: [[0, 0, 0], [1, 1, 1], [27, 27, 38], [55, 55, 77], [56, 56, 78], [74, 74, 103], [87, 90, 119], [111, 122, 143], [112, 123, 144], [131, 150, 163], [149, 174, 181], [167, 199, 199], [169, 200, 200], [180, 207, 207], [221, 233, 233], [239, 244, 244], [254, 254, 254], [255, 255, 255]],
  jet: [[0, 0, 128], [0, 0, 132], [0, 0, 255], [0, 124, 255], [0, 128, 255], [0, 212, 255], [35, 255, 212], [122, 255, 125], [125, 255, 122], [196, 255, 51], [255, 230, 0], [255, 152, 0], [255, 148, 0], [255, 119, 0], [241, 8, 0], [182, 0, 0], [132, 0, 0], [128, 0, 0]],
  viridis: [[68, 1, 84], [68, 2, 86], [71, 44, 122], [59, 81, 139], [59, 82, 139], [49, 104, 142], [42, 118, 142], [33, 144, 141], [33, 145, 140], [33, 165, 133], [53, 183, 121], [92, 200, 99], [94, 201, 98], [112, 207, 87], [189, 223, 38], [223, 227, 24], [251, 231, 35], [253, 231, 37]],
  inferno: [[0, 0, 4], [1, 0, 5], [31, 12, 72], [85, 15, 109], [87, 16, 110], [120, 28, 109], [144, 37, 104], [186, 54, 85], [188, 55, 84], [217, 77, 61], [237, 105, 37], [249, 140, 10], [249, 142, 9], [251, 157, 7], [246, 215, 70], [241, 239, 117], [250, 253, 161], [252, 255, 164]],
};

const entry = (name: string, i: number): number[] => Array.from(getPalette(name).rgb.subarray(3 * i, 3 * i + 3));

describe('built-in palettes', () => {
  it.each(Object.keys(DICOM))('%s reproduces the DICOM PS3.6 Annex B table exactly', (name) => {
    IDX.forEach((i, j) => expect(entry(name, i), `${name}[${i}]`).toEqual(DICOM[name][j]));
  });
  it('Hot Iron is the standard ramp: red 2i up to 254, green from 128, blue from 192', () => {
    for (let i = 0; i < 127; i++) expect(entry('hot-iron', i)).toEqual([2 * i, 0, 0]);
    for (let i = 128; i < 254; i++) expect(entry('hot-iron', i)[1]).toBe(2 * (i - 128));
    for (let i = 192; i < 254; i++) expect(entry('hot-iron', i)[2]).toBe(4 * (i - 191));
  });
  it('PET 20 Step has exactly 20 constant runs', () => {
    let runs = 1;
    for (let i = 1; i < 256; i++) if (entry('pet-20-step', i).join() !== entry('pet-20-step', i - 1).join()) runs++;
    expect(runs).toBe(20);
  });
  it.each(Object.keys(MPL))('%s is within 1/255 of matplotlib', (name) => {
    IDX.forEach((i, j) => entry(name, i).forEach((v, c) => expect(Math.abs(v - MPL[name][j][c]), `${name}[${i}][${c}]`).toBeLessThanOrEqual(1)));
  });
  it('gray is the identity ramp; names accept DICOM keywords', () => {
    for (let i = 0; i < 256; i += 17) expect(entry('gray', i)).toEqual([i, i, i]);
    expect(getPalette('HOT_METAL_BLUE').rgb).toEqual(getPalette('hot-metal-blue').rgb);
    expect(listPalettes()).toContain('pet-20-step');
  });
  it('unknown names fail with the valid choices', () => {
    try {
      getPalette('rainbow');
      expect.unreachable();
    } catch (e) {
      expect(isMedcolorError(e, 'ERR_UNKNOWN_PALETTE')).toBe(true);
      expect((e as Error).message).toContain('hot-iron');
    }
  });
});

describe('parsePalette', () => {
  it('reads a JSON array and resamples it to 256 entries', () => {
    const p = parsePalette('[[0,0,0],[255,0,0],[255,255,255]]', { name: 'mine' });
    expect(p.name).toBe('mine');
    expect(Array.from(p.rgb.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(p.rgb.subarray(765))).toEqual([255, 255, 255]);
    // Index 127.5 is the middle entry: halfway between black-red and red-white.
    expect(Array.from(p.rgb.subarray(3 * 64, 3 * 64 + 3))).toEqual([128, 0, 0]);
    expect(Array.from(p.rgb.subarray(3 * 191, 3 * 191 + 3))).toEqual([255, 127, 127]);
  });
  it('reads CSV with a header, comments, index columns and 0..1 floats', () => {
    const a = parsePalette('# my map\nr,g,b\n0,0,255\n255,255,0\n');
    expect(Array.from(a.rgb.subarray(0, 3))).toEqual([0, 0, 255]);
    expect(Array.from(a.rgb.subarray(765))).toEqual([255, 255, 0]);
    const b = parsePalette('0 0.0 0.0 1.0\n1 1.0 0.5 0.0');
    expect(Array.from(b.rgb.subarray(765))).toEqual([255, 128, 0]);
  });
  it('rejects malformed input with ERR_PALETTE_PARSE', () => {
    for (const bad of ['[[0,0]]', '[[0,0,0]]', 'x,y,z\n1,2', '[[0,0,0],[300,0,0]]', '{"nope": 1}', '[1,2']) {
      expect(() => parsePalette(bad, { file: 'p.json' }), bad).toThrow(/palette|entry|line|color|JSON/);
      try { parsePalette(bad); } catch (e) { expect(isMedcolorError(e, 'ERR_PALETTE_PARSE')).toBe(true); }
    }
  });
});
