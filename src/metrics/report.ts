/**
 * The figures evaluation reports for a colorized image against its color ground truth.
 * Browser-safe.
 */
import { meanDeltaE2000 } from '../color/ciede2000.js';
import { computeColorfulness } from '../color/colorfulness.js';
import { srgb8ToLab } from '../color/lab.js';
import type { RgbImage } from '../image/types.js';
import { checkSameSize, computeAbPsnr, computeMse, psnrFromMse } from './psnr.js';
import { computeSsim, type SsimOptions } from './ssim.js';

/** Quality of a colorized image against the truth. */
export interface MetricReport {
  /** PSNR in dB on 8-bit sRGB, peak 255, over R, G, B (Infinity for identical images). */
  psnr: number;
  /** Mean SSIM over R, G, B (Gaussian window sigma 1.5, data range 255; scikit-image conventions). */
  ssim: number;
  /** Mean CIEDE2000 over pixels (CIELAB D65). */
  deltaE2000: number;
  /** Hasler-Suesstrunk colorfulness M of the result. */
  colorfulness: number;
  /** |M(result) - M(truth)|. */
  colorfulnessGap: number;
  /** Colorfulness M of the truth. */
  truthColorfulness: number;
  /** Mean squared error on 8-bit sRGB (code values squared). */
  mse: number;
  /** PSNR in dB of a*, b* only (peak 255, see computeAbPsnr). */
  abPsnr: number;
}

/** Options of {@link computeReport}. */
export interface ReportOptions {
  /** Passed to computeSsim; defaults are the scikit-image / Wang et al. settings. */
  ssim?: SsimOptions;
}

/**
 * Mean CIEDE2000 between two 8-bit sRGB images of the same size.
 *
 * @example
 * computeDeltaE2000(result, truth) // e.g. 7.9
 */
export function computeDeltaE2000(a: RgbImage, b: RgbImage): number {
  checkSameSize(a, b, 'CIEDE2000');
  return meanDeltaE2000(srgb8ToLab(a.data), srgb8ToLab(b.data));
}

/**
 * |colorfulness(result) - colorfulness(truth)| (Hasler-Suesstrunk M): how far the result's
 * overall vividness is from the truth's, whatever the colors.
 *
 * @example
 * computeColorfulnessGap(result, truth) // e.g. 12.3
 */
export function computeColorfulnessGap(result: RgbImage, truth: RgbImage): number {
  return Math.abs(computeColorfulness(result) - computeColorfulness(truth));
}

/**
 * Every metric of a colorized `result` against its `truth` (same size, 8-bit sRGB).
 * Throws ERR_METRIC_SIZE_MISMATCH when the sizes differ, ERR_METRIC_IMAGE_TOO_SMALL when a side
 * is under 11 px (the SSIM window).
 *
 * @example
 * const r = computeReport(colorized, original);
 * console.log(r.psnr.toFixed(2), r.ssim.toFixed(3), r.deltaE2000.toFixed(2));
 */
export function computeReport(result: RgbImage, truth: RgbImage, options: ReportOptions = {}): MetricReport {
  checkSameSize(result, truth, 'computeReport');
  const mse = computeMse(result, truth);
  const labR = { width: result.width, height: result.height, data: srgb8ToLab(result.data) };
  const labT = { width: truth.width, height: truth.height, data: srgb8ToLab(truth.data) };
  const colorfulness = computeColorfulness(result);
  const truthColorfulness = computeColorfulness(truth);
  return {
    psnr: psnrFromMse(mse, 255),
    ssim: computeSsim(result, truth, options.ssim),
    deltaE2000: meanDeltaE2000(labR.data, labT.data),
    colorfulness,
    colorfulnessGap: Math.abs(colorfulness - truthColorfulness),
    truthColorfulness,
    mse,
    abPsnr: computeAbPsnr(labR, labT),
  };
}
