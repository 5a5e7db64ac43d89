/**
 * The one interface every colorization method implements: (L*, options) -> a*b*.
 * Methods never import Node built-ins: the browser app runs the very same code.
 */
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
  /** Optional per-pixel confidence 0..1, planar, at width x height. */
  confidence?: Float32Array;
  /**
   * Only for methods whose description says they change lightness (e.g. `lut` in classic mode):
   * planar L* at the input's full size. Every other method leaves this undefined and the
   * input's L* is kept exactly.
   */
  L?: Float32Array;
}

/** Options every method understands; methods add their own. */
export interface MethodOptions {
  /** A color reference image for methods that learn colors from one (transfer, welsh, kmeans). */
  reference?: RgbImage;
  /** Seed for methods with randomness (welsh jitter, kmeans init). */
  seed?: number;
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
