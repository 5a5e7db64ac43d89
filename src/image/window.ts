/**
 * From physical values to display lightness: the DICOM VOI stage (PS3.3 C.11.2: window
 * center/width with the LINEAR, LINEAR_EXACT or SIGMOID function, or a VOI LUT), then
 * MONOCHROME1 inversion, then display value v (0..1) to CIELAB L* (0..100).
 *
 * The display value v is what a viewer sends to a standard (sRGB) display as the gray level
 * v*255, so L* = yToL(srgbToLinear(v)): the lightness a person sees. Browser-safe.
 */
import { MedcolorError } from '../errors.js';
import { srgbToLinear, yToL } from '../color/lab.js';
import type { GrayImage, VoiLut, VoiWindow } from './types.js';
import { lookupByValue } from './lookup-by-value.js';

/** VOI LUT Function (0028,1056). */
export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** Options of `grayToL` / `grayToDisplay`. */
export interface GrayToLOptions {
  /** Explicit window, in the units of the image data (e.g. HU). Default: the image's window `windowIndex`. */
  window?: { center: number; width: number };
  /** Which of meta.windows to use. Default 0 (the file's default window). */
  windowIndex?: number;
  /** VOI function for the window. Default: meta.voiLutFunction, else 'LINEAR'. */
  voiFunction?: VoiFunction;
  /** Prefer meta.voiLut over meta.windows when the image has both. Default false (a LUT is used only without windows). */
  useVoiLut?: boolean;
  /**
   * Range used when there is no window and no VOI LUT: 'data' (default) spans the data's min..max,
   * 'valueRange' spans meta.valueRange (the range the source could hold).
   */
  range?: 'data' | 'valueRange';
  /** Invert (MONOCHROME1). Default: meta.photometric === 'MONOCHROME1'. */
  invert?: boolean;
  /**
   * Receives a notice when the image's own window cannot be used (width 0, or below 1 for the
   * LINEAR function, e.g. an RT image rescaled to fractions) and the data's range is shown instead.
   */
  onNotice?: (message: string) => void;
}

/**
 * One value through a window (PS3.3 C.11.2.1.2 and C.11.2.1.3), output in [0, 1].
 *
 * @example
 * applyWindow(40, 40, 400, 'LINEAR'); // 0.5012531...: ((40 - 39.5) / 399 + 0.5)
 */
export function applyWindow(x: number, center: number, width: number, fn: VoiFunction = 'LINEAR'): number {
  if (fn === 'LINEAR') {
    // C.11.2.1.2.1: width >= 1; center and width are shifted by 0.5 / 1.
    const c = center - 0.5, w = width - 1;
    if (w <= 0) return x <= c ? 0 : 1;
    if (x <= c - w / 2) return 0;
    if (x > c + w / 2) return 1;
    return (x - c) / w + 0.5;
  }
  if (fn === 'LINEAR_EXACT') {
    if (x <= center - width / 2) return 0;
    if (x > center + width / 2) return 1;
    return (x - center) / width + 0.5;
  }
  // SIGMOID, C.11.2.1.3.1
  return 1 / (1 + Math.exp((-4 * (x - center)) / width));
}

/**
 * Display value v (0..1, the gray level a viewer shows, v*255 in 8-bit sRGB) to L* (0..100).
 *
 * @example
 * displayToL(1); // 100
 */
export function displayToL(v: number): number {
  return yToL(srgbToLinear(v <= 0 ? 0 : v >= 1 ? 1 : v));
}

function isValidWindow(w: { center: number; width: number }, fn: VoiFunction): boolean {
  return Number.isFinite(w.center) && Number.isFinite(w.width) && (fn === 'LINEAR' ? w.width >= 1 : w.width > 0);
}

function validateWindow(w: { center: number; width: number }, fn: VoiFunction): void {
  if (!isValidWindow(w, fn)) {
    throw new MedcolorError(
      'ERR_WINDOW_INVALID',
      `window center ${w.center} / width ${w.width} is not valid for ${fn}; expected finite values with width ${fn === 'LINEAR' ? '>= 1' : '> 0'}`,
    );
  }
}

function applyLut(x: number, lut: VoiLut, maxOut: number): number {
  let k = Math.round(x) - lut.firstMapped;
  if (k < 0) k = 0;
  else if (k >= lut.data.length) k = lut.data.length - 1;
  return lut.data[k] / maxOut;
}

function dataRange(data: Float32Array): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * Display values v in [0, 1] of every pixel (after VOI and MONOCHROME1 inversion), planar.
 * Which transform is used: options.window, else (with useVoiLut) meta.voiLut, else
 * meta.windows[windowIndex], else meta.voiLut, else a LINEAR_EXACT ramp over the data's
 * min..max (or meta.valueRange with `range: 'valueRange'`). A window of the image's own that
 * cannot be applied (width 0, non-finite, or below 1 for LINEAR) falls back to that ramp, as
 * clinical viewers do, with a notice to `options.onNotice`; an explicit `options.window` that
 * cannot be applied is an error (ERR_WINDOW_INVALID).
 *
 * @example
 * const v = grayToDisplay(ctSlice, { window: { center: 40, width: 400 } });
 */
export function grayToDisplay(img: GrayImage, options: GrayToLOptions = {}): Float32Array {
  const meta = img.meta ?? {};
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const data = img.data;
  const invert = options.invert ?? meta.photometric === 'MONOCHROME1';
  let win: VoiWindow | { center: number; width: number } | undefined = options.window;
  let fn: VoiFunction = options.voiFunction ?? meta.voiLutFunction ?? 'LINEAR';
  let lut: VoiLut | undefined;
  if (!win) {
    const idx = options.windowIndex ?? 0;
    const windows = meta.windows ?? [];
    if (options.windowIndex !== undefined && (idx < 0 || idx >= windows.length)) {
      throw new MedcolorError(
        'ERR_WINDOW_INDEX',
        `window index ${idx} does not exist; the image has ${windows.length} window(s)${windows.length ? ` (valid: 0..${windows.length - 1})` : ''}`,
      );
    }
    if (options.useVoiLut && meta.voiLut) lut = meta.voiLut;
    else if (windows.length > 0) win = windows[idx];
    else if (meta.voiLut) lut = meta.voiLut;
    if (win && !isValidWindow(win, fn)) {
      options.onNotice?.(
        `the image's window (center ${win.center}, width ${win.width}, ${fn}) cannot be applied (expected a finite width ${fn === 'LINEAR' ? '>= 1' : '> 0'}); showing the data's own range instead`,
      );
      win = undefined;
    }
  }
  if (lut) {
    const maxOut = 2 ** lut.bits - 1;
    for (let i = 0; i < n; i++) out[i] = applyLut(data[i], lut, maxOut);
  } else {
    if (!win) {
      const [lo, hi] = options.range === 'valueRange' && meta.valueRange ? meta.valueRange : dataRange(data);
      win = { center: (lo + hi) / 2, width: hi - lo };
      fn = 'LINEAR_EXACT';
      if (!(win.width > 0)) {
        // A constant image: show it black.
        out.fill(invert ? 1 : 0);
        return out;
      }
    }
    validateWindow(win, fn);
    const { center, width } = win;
    if (fn === 'LINEAR') {
      const c = center - 0.5, w = width - 1;
      const lo = c - w / 2, hi = c + w / 2;
      for (let i = 0; i < n; i++) {
        const x = data[i];
        out[i] = x <= lo ? 0 : x > hi ? 1 : (x - c) / w + 0.5;
      }
    } else if (fn === 'LINEAR_EXACT') {
      const lo = center - width / 2, hi = center + width / 2;
      for (let i = 0; i < n; i++) {
        const x = data[i];
        out[i] = x <= lo ? 0 : x > hi ? 1 : (x - center) / width + 0.5;
      }
    } else {
      for (let i = 0; i < n; i++) out[i] = applyWindow(data[i], center, width, 'SIGMOID');
    }
  }
  if (invert) for (let i = 0; i < n; i++) out[i] = 1 - out[i];
  return out;
}

/**
 * L* (0..100) of every pixel as a viewer would show the image: VOI (window or LUT), MONOCHROME1
 * inversion, then display gray level to CIELAB lightness. Planar, width*height values.
 *
 * @example
 * const L = grayToL(ctSlice, { window: { center: 40, width: 400 } }); // soft-tissue window
 * const L2 = grayToL(ctSlice, { windowIndex: 1 });                    // the file's second window
 */
export function grayToL(img: GrayImage, options: GrayToLOptions = {}): Float32Array {
  // Integer samples (every integer DICOM, PNG, NIfTI) spanning a modest range: the per-pixel
  // function below, evaluated once per distinct value and looked up, so bit for bit the same.
  const table = grayToLByValue(img, options);
  if (table) return lookupByValue(img.data, table.lo, table.L, 1, new Float32Array(img.data.length));
  return displayToLightness(grayToDisplay(img, options));
}

/** The L* of each value of an integer image: `L[v - lo]` is the L* of the samples of value v. */
export interface LightnessByValue {
  /** The smallest sample value. */
  lo: number;
  /** L* (0..100) of the values lo, lo + 1, ..., hi. */
  L: Float32Array;
}

/**
 * grayToL's table for an integer image: the L* of every value from the image's smallest to its
 * largest sample, made by the same per-pixel function (so `L[data[i] - lo]` is, bit for bit,
 * `grayToL(img)[i]`). Undefined when a sample is not an integer, or when the values span too many
 * levels for a table to pay (2^17, or a quarter of the pixels).
 *
 * @example
 * const t = grayToLByValue(ct); // t.L[hu - t.lo] is the displayed L* of Hounsfield value hu
 */
export function grayToLByValue(img: GrayImage, options: GrayToLOptions = {}): LightnessByValue | undefined {
  const span = integerSpan(img.data);
  if (!span || span.hi - span.lo >= Math.min(MAX_VALUE_TABLE, img.data.length / 4)) return undefined;
  const values = new Float32Array(span.hi - span.lo + 1);
  for (let k = 0; k < values.length; k++) values[k] = span.lo + k;
  // The same meta and options; its data range is the image's, so the default ramp is too.
  return { lo: span.lo, L: displayToLightness(grayToDisplay({ ...img, width: values.length, height: 1, data: values }, options)) };
}

/** Largest number of distinct values tabulated by grayToL's per-value path. */
const MAX_VALUE_TABLE = 1 << 17;

/** The min and max of `data` when every value is an integer (of int32 range), else undefined. */
function integerSpan(data: Float32Array): { lo: number; hi: number } | undefined {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if ((v | 0) !== v) return undefined;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return data.length ? { lo, hi } : undefined;
}

/** Display values (0..1) to L*, in place. */
function displayToLightness(v: Float32Array): Float32Array {
  const table = lightnessTable();
  for (let i = 0; i < v.length; i++) {
    // Linear interpolation in a 4097-entry table of displayToL: max error about 1e-5 L*,
    // far below float32 resolution at L* 100, and about 20x faster than pow + cbrt per pixel.
    const x = v[i] <= 0 ? 0 : v[i] >= 1 ? TABLE_N : v[i] * TABLE_N;
    const k = Math.min(TABLE_N - 1, Math.floor(x));
    v[i] = table[k] + (x - k) * (table[k + 1] - table[k]);
  }
  return v;
}

const TABLE_N = 4096;
let table: Float64Array | undefined;
function lightnessTable(): Float64Array {
  if (!table) {
    table = new Float64Array(TABLE_N + 1);
    for (let k = 0; k <= TABLE_N; k++) table[k] = displayToL(k / TABLE_N);
  }
  return table;
}
