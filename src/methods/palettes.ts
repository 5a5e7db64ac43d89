/**
 * Color palettes (256-entry sRGB lookup tables) for pseudo-coloring, and a browser-safe parser
 * for user palette files. Browser-safe (no Node built-ins).
 *
 * DICOM well-known palettes (PS3.6 Annex B, "Well-Known Color Palettes"): Hot Iron, PET,
 * Hot Metal Blue and PET 20 Step, 256 entries of 8 bits, first mapped value 0. The tables below
 * are stored as per-channel breakpoints [index, value, index, value, ...]; expanding them by
 * linear interpolation rounded half up reproduces every entry of the standard's tables exactly
 * (checked in test/methods/palettes.test.ts against the Annex B tables as distributed with
 * pydicom). PET 20 Step is 20 constant runs, stored as [firstIndex, r, g, b].
 *
 * Viewer maps: `gray`, `hot`, `bone`, `jet`, `viridis`, `inferno` as matplotlib samples them at
 * 256 levels, stored the same way within 1/255 per channel of matplotlib's tables.
 */
import { MedcolorError } from '../errors.js';

/** A 256-entry color table: `rgb[3*i .. 3*i+2]` is the 8-bit sRGB color of index i. */
export interface Palette {
  name: string;
  /** 256 * 3 bytes, gamma-encoded sRGB. */
  rgb: Uint8Array;
}

type Knots = number[]; // [x0, y0, x1, y1, ...] with x from 0 to 255

const KNOTS: Record<string, { r: Knots; g: Knots; b: Knots }> = {
  // DICOM PS3.6 B.1.1 Hot Iron (1.2.840.10008.1.5.1)
  'hot-iron': { r: [0, 0, 127, 254, 129, 255, 255, 255], g: [0, 0, 128, 0, 254, 252, 255, 255], b: [0, 0, 191, 0, 254, 252, 255, 255] },
  // DICOM PS3.6 B.1.2 PET (1.2.840.10008.1.5.2)
  pet: {
    r: [0, 0, 63, 0, 64, 1, 149, 170, 150, 171, 192, 255, 255, 255],
    g: [0, 0, 31, 62, 33, 67, 62, 125, 63, 128, 95, 64, 97, 61, 127, 1, 128, 0, 254, 252, 255, 255],
    b: [0, 0, 1, 1, 128, 255, 130, 248, 192, 0, 233, 165, 235, 174, 254, 250, 255, 255],
  },
  // DICOM PS3.6 B.1.3 Hot Metal Blue (1.2.840.10008.1.5.3)
  'hot-metal-blue': {
    r: [0, 0, 85, 0, 102, 50, 119, 90, 153, 190, 170, 255, 255, 255],
    g: [0, 0, 119, 0, 238, 224, 255, 255],
    b: [0, 0, 17, 33, 42, 83, 43, 84, 76, 149, 93, 183, 94, 184, 102, 200, 119, 150, 136, 50, 153, 0, 170, 0, 238, 200, 255, 255],
  },
  gray: { r: [0, 0, 255, 255], g: [0, 0, 255, 255], b: [0, 0, 255, 255] },
  hot: { r: [0, 11, 93, 255, 255, 255], g: [0, 0, 93, 0, 190, 254, 255, 255], b: [0, 0, 190, 0, 255, 255] },
  bone: { r: [0, 0, 192, 169, 255, 255], g: [0, 0, 96, 85, 194, 202, 255, 255], b: [0, 0, 97, 117, 255, 255] },
  jet: {
    r: [0, 0, 89, 0, 168, 254, 227, 255, 255, 128],
    g: [0, 0, 32, 0, 96, 255, 163, 255, 232, 0, 255, 0],
    b: [0, 128, 28, 255, 87, 254, 166, 0, 255, 0],
  },
  viridis: {
    r: [0, 68, 20, 72, 44, 68, 108, 39, 141, 30, 154, 35, 166, 47, 181, 72, 200, 112, 232, 194, 254, 251, 255, 253],
    g: [0, 1, 28, 40, 74, 93, 175, 188, 211, 214, 247, 229, 255, 231],
    b: [0, 84, 20, 111, 35, 126, 59, 138, 93, 142, 132, 140, 159, 129, 181, 110, 201, 86, 236, 29, 243, 24, 251, 30, 255, 37],
  },
  inferno: {
    r: [0, 0, 11, 6, 25, 22, 80, 113, 135, 198, 160, 228, 181, 245, 204, 252, 226, 248, 244, 241, 251, 246, 255, 252],
    g: [0, 0, 29, 12, 49, 9, 98, 35, 133, 59, 155, 83, 180, 121, 213, 182, 244, 241, 255, 255],
    b: [0, 4, 7, 16, 39, 89, 49, 102, 65, 110, 91, 108, 114, 96, 146, 66, 194, 7, 201, 7, 210, 20, 225, 55, 237, 93, 254, 161, 255, 164],
  },
};

// DICOM PS3.6 B.1.4 PET 20 Step (1.2.840.10008.1.5.4): [first index, r, g, b] of each run.
const PET_20_STEP: number[][] = [
  [0, 0, 0, 0], [13, 96, 0, 80], [26, 48, 48, 80], [39, 48, 48, 112], [51, 80, 80, 128],
  [64, 96, 96, 176], [77, 112, 112, 192], [90, 128, 128, 224], [102, 48, 96, 48], [115, 48, 144, 48],
  [128, 80, 192, 80], [141, 64, 224, 64], [153, 224, 224, 80], [166, 208, 208, 96], [179, 208, 176, 64],
  [192, 208, 144, 0], [204, 192, 96, 0], [217, 176, 48, 0], [230, 255, 0, 0], [243, 255, 255, 255],
];

function expandKnots(k: Knots, out: Uint8Array, channel: number): void {
  for (let j = 0; j + 2 < k.length; j += 2) {
    const x0 = k[j], y0 = k[j + 1], x1 = k[j + 2], y1 = k[j + 3];
    for (let x = x0; x <= x1; x++) {
      // Rounded half up, the rule that reproduces the DICOM tables exactly.
      out[3 * x + channel] = Math.floor(y0 + ((y1 - y0) * (x - x0)) / (x1 - x0) + 0.5);
    }
  }
}

const cache = new Map<string, Palette>();

/** Names of the built-in palettes. */
export const PALETTE_NAMES: readonly string[] = [
  'hot-iron', 'pet', 'hot-metal-blue', 'pet-20-step', 'gray', 'hot', 'bone', 'jet', 'viridis', 'inferno',
];

/**
 * A built-in palette by name (see PALETTE_NAMES); DICOM keyword spellings such as `HOT_IRON`
 * or `PET_20_STEP` are accepted too.
 *
 * @example
 * const p = getPalette('hot-iron'); p.rgb[3 * 255] // 255
 */
export function getPalette(name: string): Palette {
  const key = name.trim().toLowerCase().replace(/_/g, '-');
  const hit = cache.get(key);
  if (hit) return hit;
  const rgb = new Uint8Array(256 * 3);
  if (key === 'pet-20-step') {
    for (let s = 0; s < PET_20_STEP.length; s++) {
      const end = s + 1 < PET_20_STEP.length ? PET_20_STEP[s + 1][0] : 256;
      for (let i = PET_20_STEP[s][0]; i < end; i++) rgb.set(PET_20_STEP[s].slice(1), 3 * i);
    }
  } else {
    const k = KNOTS[key];
    if (!k) {
      throw new MedcolorError('ERR_UNKNOWN_PALETTE',
        `unknown palette '${name}'; valid: ${PALETTE_NAMES.join(', ')}, or a palette file (JSON [[r,g,b],...] or CSV r,g,b lines)`);
    }
    expandKnots(k.r, rgb, 0);
    expandKnots(k.g, rgb, 1);
    expandKnots(k.b, rgb, 2);
  }
  const p = { name: key, rgb };
  cache.set(key, p);
  return p;
}

/** Names of the built-in palettes, for `--help`. */
export function listPalettes(): string[] {
  return [...PALETTE_NAMES];
}

/** Options of parsePalette. */
export interface ParsePaletteOptions {
  /** Name of the resulting palette. Default 'custom'. */
  name?: string;
  /** File name, only for error messages. */
  file?: string;
}

/**
 * Parses a user palette from text: a JSON array of [r, g, b] triples, or CSV/whitespace lines
 * `r,g,b` (lines starting with `#` and a non-numeric header line are skipped). Values are 0..255,
 * or 0..1 when every value is <= 1 and at least one is fractional. Any number of entries >= 2 is
 * accepted and resampled linearly to 256 entries (entry 0 stays first, the last stays last).
 *
 * @example
 * const p = parsePalette('[[0,0,0],[255,0,0],[255,255,255]]'); // black -> red -> white
 */
export function parsePalette(text: string, options: ParsePaletteOptions = {}): Palette {
  const file = options.file;
  let rows: number[][] = [];
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new MedcolorError('ERR_PALETTE_PARSE', `palette is not valid JSON: ${(e as Error).message}`, { file, cause: e });
    }
    if (parsed && !Array.isArray(parsed) && typeof parsed === 'object' && Array.isArray((parsed as { colors?: unknown }).colors)) {
      parsed = (parsed as { colors: unknown[] }).colors;
    }
    if (!Array.isArray(parsed)) {
      throw new MedcolorError('ERR_PALETTE_PARSE', 'expected a JSON array of [r, g, b] triples (or {"colors": [...]})', { file });
    }
    rows = parsed.map((row, i) => {
      if (!Array.isArray(row) || row.length < 3 || !row.slice(0, 3).every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new MedcolorError('ERR_PALETTE_PARSE', `entry ${i}: expected [r, g, b] numbers, found ${JSON.stringify(row)}`, { file });
      }
      return row.slice(0, 3) as number[];
    });
  } else {
    const lines = trimmed.split(/\r?\n/);
    lines.forEach((line, i) => {
      const s = line.trim();
      if (!s || s.startsWith('#')) return;
      const parts = s.split(/[\s,;]+/).filter((p) => p.length > 0);
      const nums = parts.map(Number);
      if (nums.length >= 3 && nums.slice(0, 3).every(Number.isFinite)) {
        // `index,r,g,b` lines: take the last three values.
        rows.push(nums.length >= 4 ? nums.slice(nums.length - 3) : nums.slice(0, 3));
      } else if (rows.length === 0 && nums.every((v) => Number.isNaN(v))) {
        return; // header line
      } else {
        throw new MedcolorError('ERR_PALETTE_PARSE', `line ${i + 1}: expected 'r,g,b' numbers, found '${s}'`, { file });
      }
    });
  }
  if (rows.length < 2) {
    throw new MedcolorError('ERR_PALETTE_PARSE', `a palette needs at least 2 colors; found ${rows.length}`, { file });
  }
  const flat = rows.flat();
  const unit = flat.every((v) => v >= 0 && v <= 1) && flat.some((v) => v !== Math.round(v));
  const scale = unit ? 255 : 1;
  for (const v of flat) {
    if (v * scale < 0 || v * scale > 255) {
      throw new MedcolorError('ERR_PALETTE_PARSE', `color values must be in 0..255 (or 0..1); found ${v}`, { file });
    }
  }
  const rgb = new Uint8Array(256 * 3);
  const n = rows.length;
  for (let i = 0; i < 256; i++) {
    const t = (i * (n - 1)) / 255;
    const j = Math.min(Math.floor(t), n - 2);
    const f = t - j;
    for (let c = 0; c < 3; c++) {
      rgb[3 * i + c] = Math.round((rows[j][c] * (1 - f) + rows[j + 1][c] * f) * scale);
    }
  }
  return { name: options.name ?? 'custom', rgb };
}
