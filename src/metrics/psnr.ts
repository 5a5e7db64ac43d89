/**
 * Mean squared error and peak signal-to-noise ratio, on 8-bit sRGB images and on the a*b*
 * chroma channels of CIELAB images. Browser-safe.
 */
import { MedcolorError } from '../errors.js';
import type { LabImage, RgbImage } from '../image/types.js';

/** Options of {@link computePsnr}. */
export interface PsnrOptions {
  /** Peak value (the dynamic range of the data). Default 255 (8-bit sRGB). */
  peak?: number;
}

/** Options of {@link computeAbPsnr}. */
export interface AbPsnrOptions {
  /**
   * Peak value for a*b*. Default 255: the span of a* and b* in the usual 8-bit CIELAB encoding
   * (-128..127, as in ICC/TIFF Lab and OpenCV), which keeps the figure on the same dB scale as
   * RGB PSNR. Real sRGB colors use about -86..98 (a*) and -108..95 (b*); pass e.g. 220 for the
   * -110..110 range some colorization papers quantize to.
   */
  peak?: number;
}

/** Checks that two images have the same width, height and value count. */
export function checkSameSize(
  a: { width: number; height: number; data: ArrayLike<number> },
  b: { width: number; height: number; data: ArrayLike<number> },
  what: string,
  channels = 3,
): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new MedcolorError(
      'ERR_METRIC_SIZE_MISMATCH',
      `${what}: expected two images of the same size; found ${a.width}x${a.height} and ${b.width}x${b.height}`,
    );
  }
  const n = a.width * a.height * channels;
  if (a.data.length !== n || b.data.length !== n) {
    throw new MedcolorError(
      'ERR_IMAGE_SIZE',
      `${what}: expected ${n} values (${a.width}x${a.height}x${channels}); found ${a.data.length} and ${b.data.length}`,
    );
  }
}

/**
 * Mean squared error over all pixels and all three channels of two 8-bit sRGB images
 * (units: code values squared, 0..65025).
 *
 * @example
 * computeMse(result, truth) // e.g. 148.2
 */
export function computeMse(a: RgbImage, b: RgbImage): number {
  checkSameSize(a, b, 'MSE');
  const n = a.data.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = a.data[i] - b.data[i];
    sum += d * d;
  }
  return sum / n;
}

/** PSNR in dB from an MSE and a peak: 10 log10(peak^2 / mse); Infinity when mse is 0. */
export function psnrFromMse(mse: number, peak: number): number {
  return mse === 0 ? Infinity : 10 * Math.log10((peak * peak) / mse);
}

/**
 * PSNR in dB between two 8-bit sRGB images, over all three channels, peak 255 by default
 * (the same as `skimage.metrics.peak_signal_noise_ratio(a, b, data_range=255)`). Infinity for
 * identical images.
 *
 * @example
 * computePsnr(result, truth) // e.g. 26.42
 */
export function computePsnr(a: RgbImage, b: RgbImage, options: PsnrOptions = {}): number {
  return psnrFromMse(computeMse(a, b), options.peak ?? 255);
}

/**
 * Mean squared error over the a* and b* channels (L* ignored) of two interleaved CIELAB images.
 *
 * @example
 * computeAbMse({ width, height, data: srgb8ToLab(result.data) }, { width, height, data: srgb8ToLab(truth.data) })
 */
export function computeAbMse(a: LabImage, b: LabImage): number {
  checkSameSize(a, b, 'a*b* MSE');
  const n = a.data.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i += 3) {
    const da = a.data[i + 1] - b.data[i + 1];
    const db = a.data[i + 2] - b.data[i + 2];
    sum += da * da + db * db;
  }
  return sum / ((2 * n) / 3);
}

/**
 * PSNR in dB of the chroma (a*, b*) of two CIELAB images, peak 255 by default (see
 * {@link AbPsnrOptions.peak}). Measures color alone: two images with equal chroma score
 * Infinity whatever their L*.
 *
 * @example
 * computeAbPsnr(labResult, labTruth) // e.g. 33.1
 */
export function computeAbPsnr(a: LabImage, b: LabImage, options: AbPsnrOptions = {}): number {
  return psnrFromMse(computeAbMse(a, b), options.peak ?? 255);
}
