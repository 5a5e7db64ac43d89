/**
 * The one interface every colorization method implements: (L*, options) -> a*b*.
 * Methods never import Node built-ins: the browser app runs the very same code.
 */
import type { WarningCode } from '../errors.js';
import type { GrayImage, RgbImage } from '../image/types.js';

/** What a method receives. */
export interface ColorizeInput {
  width: number;
  height: number;
  /** Display lightness L* (0..100), planar, after window/VOI and MONOCHROME1 inversion. */
  L: Float32Array;
  /** The physical image (e.g. Hounsfield units) when the source had one; same size as L. */
  gray?: GrayImage;
  /** Size of the full image when this is a working-size copy (hint coordinates refer to it). */
  source?: { width: number; height: number };
}

/** What a method returns. */
export interface ColorizeResult {
  width: number;
  height: number;
  /** Interleaved a*, b* (2 values per pixel), at width x height (may be a working size smaller than the input). */
  ab: Float32Array;
  /**
   * Optional per-pixel confidence 0..1 (1 = sure), planar, at width x height. A method that has
   * a meaningful one returns it (only when `options.confidence` is true if it costs extra work);
   * the pipeline resizes it to full size, writes it and fades chroma by it (--min-confidence).
   */
  confidence?: Float32Array;
  /** Warnings about this input (e.g. WARN_OUT_OF_DOMAIN from a model), reported beside the result. */
  warnings?: MethodWarning[];
  /**
   * Only for methods whose description says they change lightness (e.g. `lut` in classic mode):
   * planar L* at the input's full size. Every other method leaves this undefined and the
   * input's L* is kept exactly.
   */
  L?: Float32Array;
}

/** A warning a method gives about one input: a stable code and a message in words. */
export interface MethodWarning {
  code: WarningCode;
  message: string;
  /** Numbers behind it (e.g. distance and threshold). */
  detail?: Record<string, number | string>;
}

/** Options every method understands; methods add their own. */
export interface MethodOptions {
  /** A color reference image for methods that learn colors from one (transfer, welsh, kmeans). */
  reference?: RgbImage;
  /** Seed for methods with randomness (welsh jitter, kmeans init). */
  seed?: number;
  /** Ask for the per-pixel confidence when computing it costs extra work (the model's test-time flips). */
  confidence?: boolean;
  [key: string]: unknown;
}

/** A colorization method. */
export interface ColorizationMethod {
  /** Stable name used on the command line (`--method NAME`). */
  readonly name: string;
  /** One-line description for `--help` and reports. */
  readonly description: string;
  /** Whether the method needs `options.reference`. */
  readonly needsReference?: boolean;
  /**
   * True when the result at a pixel (a*b*, and L* for a lightness-changing method) is a function
   * of that pixel's L* and the options alone: not of its position, its neighbours or the physical
   * image (gray, lut). The pipeline may then colorize an integer image once per distinct value
   * (as a 1-row image of those L* values) and look the colors up per pixel: the same output.
   */
  readonly pointwise?: boolean;
  colorize(input: ColorizeInput, options?: MethodOptions): Promise<ColorizeResult>;
}

/**
 * A method that states the size it works at and may colorize several inputs in one call (the
 * model). The pipeline resizes L* to `workingSize` first and batches when `colorizeBatch` exists.
 */
export interface BatchColorizationMethod extends ColorizationMethod {
  /** Square working size the method prefers (the model's input size); undefined = full size. */
  readonly workingSize?: number;
  colorizeBatch?(inputs: ColorizeInput[], options?: MethodOptions): Promise<ColorizeResult[]>;
}
