/** Image quality metrics: MSE, PSNR (RGB and a*b*), SSIM, CIEDE2000, colorfulness, and the evaluation report. */
export { computeMse, computePsnr, computeAbMse, computeAbPsnr, psnrFromMse, type PsnrOptions, type AbPsnrOptions } from './psnr.js';
export { computeSsim, computeSsimInterleaved, type SsimOptions, type InterleavedImage } from './ssim.js';
export {
  computeReport, computeDeltaE2000, computeColorfulnessGap, type MetricReport, type ReportOptions,
} from './report.js';
