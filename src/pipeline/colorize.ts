/**
 * The one colorization pipeline every front door calls (browser-safe):
 * GrayImage -> display L* (window/VOI, MONOCHROME1) -> L* at the working size -> method -> a*b*
 * upsampled to full size -> joined with the input's own full-resolution L* -> 8-bit sRGB.
 * Luminance is never altered: out-of-gamut chroma is reduced at constant L* (see gamut.ts; the
 * full-resolution steps run fused in color/recombine.ts), so
 * the output's L* equals the input's L* to 8-bit rounding.
 */
import { recombineToSrgb8 } from '../color/recombine.js';
import { MedcolorError } from '../errors.js';
import { lookupByValue } from '../image/lookup-by-value.js';
import { resizeBilinear } from '../image/resize.js';
import type { GrayImage, Plane, RgbImage, VoiWindow } from '../image/types.js';
import { grayToL, grayToLByValue, type GrayToLOptions, type LightnessByValue } from '../image/window.js';
import type { BatchColorizationMethod, ColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions, MethodWarning } from '../methods/types.js';

/** Options of {@link colorizeImage}. */
export interface ColorizeOptions {
  /** VOI window for the gray -> L* step; default: the image's own (first DICOM window, else its range). */
  window?: VoiWindow;
  /** Further gray -> L* options (window index, VOI function, range, inversion); see grayToL. */
  display?: Omit<GrayToLOptions, 'window'>;
  /**
   * Side of the square working size the method runs at: L* is resized to size x size, the method's
   * a*b* are resized back. Default: the method's `workingSize` (256 for the model), classical
   * methods run at full size. 0 forces full size.
   */
  size?: number;
  /** Passed to the method (reference image, seed, palette, ...). Default {}. */
  methodOptions?: MethodOptions;
  /** Receives notices of the gray -> L* step (e.g. a file window that cannot be applied). */
  onNotice?: (message: string) => void;
  /**
   * Refuse inputs the method warns about instead of colorizing them: a WARN_OUT_OF_DOMAIN
   * warning becomes the error ERR_OUT_OF_DOMAIN. Default false (colorize and warn).
   */
  strict?: boolean;
  /**
   * Ask the method for its per-pixel confidence (a model then runs its mirrored images too); the
   * output's `confidence` is then set when the method has one. Default false (methods whose
   * confidence costs nothing extra give it anyway).
   */
  confidence?: boolean;
  /**
   * Fade chroma to gray where the confidence is below this (0..1): full chroma at C and above,
   * linearly less below, none at C/2 and below; L* never changes. Implies `confidence`. Methods
   * without a confidence are left as they are (a notice says so).
   */
  minConfidence?: number;
}

/**
 * What the pipeline returns. `ab` is made when first read (the recombination again, or a lookup);
 * for a pointwise method on an integer image (see colorizeImage) `L.data` and `confidence` too:
 * nothing full-size is made for them before.
 */
export interface ColorizeOutput {
  /** 8-bit sRGB at the input's full size. */
  rgb: RgbImage;
  /** The L* the output keeps (the input's, or the method's own for lightness-changing methods). */
  L: Plane;
  /** Interleaved a*b* at full size, after gamut fitting. */
  ab: Float32Array;
  /** Per-pixel confidence 0..1 at full size, when the method gives one. */
  confidence?: Float32Array;
  /** The method's warnings about this image (e.g. WARN_OUT_OF_DOMAIN); empty when none. */
  warnings: MethodWarning[];
  /** Working size the method ran at. */
  workWidth: number;
  workHeight: number;
}

/** The method options with `confidence: true` when the confidence is wanted. */
function methodOptionsOf(options: ColorizeOptions): MethodOptions {
  const m = options.methodOptions ?? {};
  if (options.minConfidence !== undefined && !(options.minConfidence >= 0 && options.minConfidence <= 1)) {
    throw new MedcolorError('ERR_USAGE', `min confidence must be a number 0..1; found ${options.minConfidence}`);
  }
  return options.confidence || options.minConfidence !== undefined ? { ...m, confidence: true } : m;
}

/**
 * Chroma faded by confidence (interleaved a*b*, planar confidence, same pixels): factor 1 at
 * confidence >= min, (2c - min) / min below, 0 at min/2 and below.
 *
 * @example
 * const faded = fadeChromaByConfidence(ab, confidence, 0.5);
 */
export function fadeChromaByConfidence(ab: Float32Array, confidence: Float32Array, min: number): Float32Array {
  const out = new Float32Array(ab.length);
  for (let i = 0; i < confidence.length; i++) {
    const c = confidence[i];
    const f = c >= min ? 1 : Math.max(0, (2 * c - min) / min);
    out[2 * i] = ab[2 * i] * f;
    out[2 * i + 1] = ab[2 * i + 1] * f;
  }
  return out;
}

function workingSizeOf(method: ColorizationMethod, options: ColorizeOptions): number | undefined {
  const s = options.size ?? (method as BatchColorizationMethod).workingSize;
  if (s === undefined || s === 0) return undefined;
  if (!Number.isInteger(s) || s < 1 || s > 16384) {
    throw new MedcolorError('ERR_USAGE', `working size must be an integer 1..16384 (or 0 for full size); found ${s}`);
  }
  return s;
}

/** Defines `obj[key]` as computed by `compute` on first read, then kept (an enumerable property). */
function defineLazy<T extends object>(obj: T, key: keyof T & string, compute: () => unknown): void {
  let done = false, value: unknown;
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!done) [value, done] = [compute(), true];
      return value;
    },
  });
}

/** L* (and the physical image) at the working size. */
function toWorkingInput(L: Plane, gray: GrayImage | undefined, size: number | undefined): ColorizeInput {
  if (size === undefined || (size === L.width && size === L.height)) {
    return { width: L.width, height: L.height, L: L.data, gray };
  }
  const input: ColorizeInput = { width: size, height: size, L: resizeBilinear(L.data, L.width, L.height, 1, size, size), source: { width: L.width, height: L.height } };
  if (gray) {
    // Only some methods read the physical image (ct-tissue): resize it on first use.
    defineLazy(input, 'gray', () => ({ ...gray, width: size, height: size, data: resizeBilinear(gray.data, gray.width, gray.height, 1, size, size) }));
  }
  return input;
}

/** Upsamples a method's result to full size and recombines with L*. */
function finish(L: Plane, res: ColorizeResult, method: ColorizationMethod, options: ColorizeOptions): ColorizeOutput {
  const { width, height } = L;
  const warnings = res.warnings ?? [];
  const refused = options.strict ? warnings.find((w) => w.code === 'WARN_OUT_OF_DOMAIN') : undefined;
  if (refused) throw new MedcolorError('ERR_OUT_OF_DOMAIN', `${refused.message} (--strict refuses it)`);
  if (res.ab.length !== res.width * res.height * 2) {
    throw new MedcolorError(
      'ERR_METHOD_RESULT',
      `method ${method.name} returned ${res.ab.length} a*b* values for ${res.width}x${res.height}; expected ${res.width * res.height * 2}`,
    );
  }
  if (res.confidence && res.confidence.length !== res.width * res.height) {
    throw new MedcolorError('ERR_METHOD_RESULT', `method ${method.name} returned ${res.confidence.length} confidence values for ${res.width}x${res.height}`);
  }
  const confidence = res.confidence
    ? resizeBilinear(res.confidence, res.width, res.height, 1, width, height)
    : undefined;
  let workAb = res.ab;
  if (options.minConfidence !== undefined) {
    if (res.confidence) workAb = fadeChromaByConfidence(res.ab, res.confidence, options.minConfidence);
    else options.onNotice?.(`method ${method.name} gives no confidence map, so --min-confidence leaves its colors as they are (docs/trust.md)`);
  }
  let outL = L.data;
  if (res.L) {
    if (res.L.length !== width * height) {
      throw new MedcolorError('ERR_METHOD_RESULT', `method ${method.name} returned L* of ${res.L.length} values; expected ${width}x${height}`);
    }
    outL = res.L;
  }
  // Upsample a*b*, fit the gamut at constant L*, Lab -> sRGB: one pass (as resizeBilinear,
  // fitChromaToGamut and lAbToSrgb8 in turn, value for value). The full-size fitted a*b* are
  // made only when read (the same pass again, into an a*b* plane).
  const { rgb } = recombineToSrgb8(outL, width, height, workAb, res.width, res.height, { ab: null });
  const out = {
    rgb: { width, height, data: rgb },
    L: { width, height, data: outL },
    confidence,
    warnings,
    workWidth: res.width,
    workHeight: res.height,
  } as ColorizeOutput;
  defineLazy(out, 'ab', () => recombineToSrgb8(outL, width, height, workAb, res.width, res.height).ab);
  return out;
}

/**
 * Colorizes a display-lightness plane (L* 0..100). This is the pipeline after the gray -> L* step,
 * used directly by evaluation (color image -> L*).
 *
 * @example
 * const { rgb } = await colorizeL({ width, height, data: L }, getMethod('lut'));
 */
export async function colorizeL(
  L: Plane,
  method: ColorizationMethod,
  options: ColorizeOptions = {},
  gray?: GrayImage,
): Promise<ColorizeOutput> {
  const input = toWorkingInput(L, gray, workingSizeOf(method, options));
  const res = await method.colorize(input, methodOptionsOf(options));
  return finish(L, res, method, options);
}

/**
 * Colorizes several L* planes; methods with `colorizeBatch` (the model) run them in one call when
 * they share a working size.
 *
 * @example
 * const outs = await colorizeLBatch([L1, L2, L3], modelMethod);
 */
export async function colorizeLBatch(
  planes: Plane[],
  method: ColorizationMethod,
  options: ColorizeOptions = {},
  grays?: (GrayImage | undefined)[],
): Promise<ColorizeOutput[]> {
  const size = workingSizeOf(method, options);
  const m = method as BatchColorizationMethod;
  const inputs = planes.map((L, k) => toWorkingInput(L, grays?.[k], size));
  const sameSize = inputs.every((i) => i.width === inputs[0].width && i.height === inputs[0].height);
  if (m.colorizeBatch && inputs.length > 1 && sameSize) {
    const results = await m.colorizeBatch(inputs, methodOptionsOf(options));
    return results.map((r, k) => finish(planes[k], r, method, options));
  }
  const outs: ColorizeOutput[] = [];
  for (let k = 0; k < planes.length; k++) {
    outs.push(finish(planes[k], await method.colorize(inputs[k], methodOptionsOf(options)), method, options));
  }
  return outs;
}

/**
 * Colorizes a gray image (physical values + display metadata) with a method.
 *
 * @example
 * const [gray] = (await readGrayInput('chest.dcm')).frames;
 * const { rgb } = await colorizeImage(gray, createModelMethod(model)); // model at 256 px
 * const lut = await colorizeImage(gray, getMethod('lut'), { window: { center: 40, width: 400 } });
 */
export async function colorizeImage(
  gray: GrayImage,
  method: ColorizationMethod,
  options: ColorizeOptions = {},
): Promise<ColorizeOutput> {
  const byValue = lightnessByValueFor(gray, method, options);
  if (byValue) return colorizeByValue(gray, byValue, method, options);
  return colorizeL(toDisplayL(gray, options), method, options, gray);
}

/**
 * The L* of each value of `gray` when the by-value path applies: a pointwise method at full size
 * and an integer image with a modest span of values (grayToLByValue); else undefined.
 */
function lightnessByValueFor(gray: GrayImage, method: ColorizationMethod, options: ColorizeOptions): LightnessByValue | undefined {
  if (!method.pointwise) return undefined;
  const size = workingSizeOf(method, options);
  if (size !== undefined && !(size === gray.width && size === gray.height)) return undefined;
  return grayToLByValue(gray, displayOptionsOf(options));
}

/**
 * The pipeline of a pointwise method (gray, lut) on an integer image: the method, the gamut fit
 * and the conversion to sRGB run once per distinct value (a 1-row image of the image's L*
 * values), and each pixel's color is looked up by its value. The per-pixel path computes each
 * pixel's color from its L* alone, with the same functions, so the output is the same, bit for
 * bit (test/pipeline/by-value.test.ts), for one pass over the pixels. Full-size L*, a*b* and
 * confidence are looked up on first read (they keep `gray.data` alive until then).
 */
async function colorizeByValue(gray: GrayImage, byValue: LightnessByValue, method: ColorizationMethod, options: ColorizeOptions): Promise<ColorizeOutput> {
  const values: Plane = { width: byValue.L.length, height: 1, data: byValue.L };
  const res = await method.colorize({ width: values.width, height: 1, L: values.data }, methodOptionsOf(options));
  const perValue = finish(values, res, method, options);
  const { width, height, data } = gray;
  const n = width * height, lo = byValue.lo;
  const L = { width, height } as Plane;
  defineLazy(L, 'data', () => lookupByValue(data, lo, perValue.L.data, 1, new Float32Array(n)));
  const out = {
    rgb: { width, height, data: lookupByValue(data, lo, perValue.rgb.data, 3, new Uint8Array(3 * n)) },
    L,
    warnings: perValue.warnings,
    workWidth: width,
    workHeight: height,
  } as ColorizeOutput;
  defineLazy(out, 'ab', () => lookupByValue(data, lo, perValue.ab, 2, new Float32Array(2 * n)));
  const confidence = perValue.confidence;
  if (confidence) defineLazy(out, 'confidence', () => lookupByValue(data, lo, confidence, 1, new Float32Array(n)));
  return out;
}

/**
 * Colorizes several gray images, in one method call when the method supports batches.
 *
 * @example
 * const outs = await colorizeImages(frames, modelMethod);
 */
export async function colorizeImages(
  grays: GrayImage[],
  method: ColorizationMethod,
  options: ColorizeOptions = {},
): Promise<ColorizeOutput[]> {
  if (method.pointwise) {
    // Nothing to batch: each image on its own (by value where it can be).
    const outs: ColorizeOutput[] = [];
    for (const g of grays) outs.push(await colorizeImage(g, method, options));
    return outs;
  }
  return colorizeLBatch(grays.map((g) => toDisplayL(g, options)), method, options, grays);
}

/** The display L* plane of a gray image. */
export function toDisplayL(gray: GrayImage, options: Pick<ColorizeOptions, 'window' | 'display' | 'onNotice'> = {}): Plane {
  return { width: gray.width, height: gray.height, data: grayToL(gray, displayOptionsOf(options)) };
}

/** The gray -> L* options of the pipeline's options. */
function displayOptionsOf(options: Pick<ColorizeOptions, 'window' | 'display' | 'onNotice'>): GrayToLOptions {
  const window = options.window ? { center: options.window.center, width: options.window.width } : undefined;
  return { onNotice: options.onNotice, ...options.display, window };
}
