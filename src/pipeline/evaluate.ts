/**
 * Evaluation (browser-safe core): a color image is turned gray (its L* only), colorized by the
 * same pipeline as any gray input, and compared with the original; the gray baseline (a* = b* = 0)
 * is measured in the same run.
 */
import { lAbToSrgb8, srgb8ToL } from '../color/lab.js';
import type { RgbImage } from '../image/types.js';
import type { ColorizationMethod } from '../methods/types.js';
import { computeReport } from '../metrics/report.js';
import { colorizeL, type ColorizeOptions, type ColorizeOutput } from './colorize.js';

/** The figures reported for one image (or their mean). */
export interface EvalMetrics {
  /** PSNR on 8-bit RGB, peak 255, in dB. */
  psnr: number;
  /** SSIM (Gaussian sigma 1.5), mean over R, G, B. */
  ssim: number;
  /** Mean CIEDE2000 between result and truth. */
  deltaE2000: number;
  /** Colorfulness (Hasler & Suesstrunk) of the result. */
  colorfulness: number;
  /** |colorfulness(result) - colorfulness(truth)|. */
  colorfulnessGap: number;
}

/** One image's figures for the method and the gray baseline. */
export interface EvalImageResult extends EvalMetrics {
  file: string;
  baseline: { gray: EvalMetrics };
}

/** Everything {@link evaluateImage} computes, images included (for reports). */
export interface EvalImageDetail {
  metrics: EvalMetrics;
  grayMetrics: EvalMetrics;
  /** The gray input shown to the method (L* only), as 8-bit sRGB. */
  grayRgb: RgbImage;
  result: ColorizeOutput;
}

export const METRIC_KEYS = ['psnr', 'ssim', 'deltaE2000', 'colorfulness', 'colorfulnessGap'] as const;

function pick(r: EvalMetrics): EvalMetrics {
  return {
    psnr: r.psnr,
    ssim: r.ssim,
    deltaE2000: r.deltaE2000,
    colorfulness: r.colorfulness,
    colorfulnessGap: r.colorfulnessGap,
  };
}

/**
 * Evaluates a method on one color image at its given size: gray = L* of the truth, result =
 * pipeline(L*), metrics of result vs truth, and of the gray baseline vs truth.
 *
 * @example
 * const d = await evaluateImage(truthRgb, getMethod('gray'));
 * d.metrics.psnr; // dB
 */
export async function evaluateImage(
  truth: RgbImage,
  method: ColorizationMethod,
  options: ColorizeOptions = {},
): Promise<EvalImageDetail> {
  const { width, height } = truth;
  const L = srgb8ToL(truth.data);
  const result = await colorizeL({ width, height, data: L }, method, options);
  const grayRgb: RgbImage = { width, height, data: lAbToSrgb8(L, new Float32Array(2 * width * height)) };
  const metrics = pick(computeReport(result.rgb, truth));
  // The gray method (or any method that gives gray back) has the baseline's figures: skip the second report.
  const grayMetrics = sameBytes(result.rgb.data, grayRgb.data) ? { ...metrics } : pick(computeReport(grayRgb, truth));
  return {
    metrics,
    grayMetrics,
    grayRgb,
    result,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Running means of the figures. */
export class MetricsAccumulator {
  private sums: EvalMetrics = { psnr: 0, ssim: 0, deltaE2000: 0, colorfulness: 0, colorfulnessGap: 0 };
  private count = 0;
  private infinitePsnr = 0;
  add(m: EvalMetrics): void {
    for (const k of METRIC_KEYS) {
      // A perfect image has PSNR = Infinity; the mean is taken over finite values and flagged.
      if (k === 'psnr' && !Number.isFinite(m.psnr)) {
        this.infinitePsnr++;
        continue;
      }
      this.sums[k] += m[k];
    }
    this.count++;
  }
  get n(): number {
    return this.count;
  }
  mean(): EvalMetrics {
    const out = {} as EvalMetrics;
    for (const k of METRIC_KEYS) {
      const n = k === 'psnr' ? this.count - this.infinitePsnr : this.count;
      out[k] = n > 0 ? this.sums[k] / n : k === 'psnr' && this.count > 0 ? Infinity : NaN;
    }
    return out;
  }
}
