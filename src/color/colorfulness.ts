/**
 * Colorfulness of Hasler and Suesstrunk ("Measuring colourfulness in natural images",
 * SPIE 5007, 2003), the M metric computed on gamma-encoded 8-bit sRGB (0..255):
 *
 *   rg = R - G,  yb = (R + G) / 2 - B                 (signed, as in the paper)
 *   M  = sqrt(var(rg) + var(yb)) + 0.3 * sqrt(mean(rg)^2 + mean(yb)^2)
 *
 * with population (1/N) variances. M is 0 for any gray image; the paper's perceptual scale puts
 * "not colourful" at 0, "moderately" around 33, "extremely colourful" at 109 and above.
 * Browser-safe.
 */
import type { RgbImage } from '../image/types.js';
import { MedcolorError } from '../errors.js';

/**
 * Hasler-Suesstrunk colorfulness M of an 8-bit sRGB image (opponent channels on 0..255 values).
 *
 * @example
 * computeColorfulness({ width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]) }) // 272.62 (red + blue)
 */
export function computeColorfulness(rgb: RgbImage): number {
  return computeColorfulnessOfPixels(rgb.data, rgb.width * rgb.height);
}

/**
 * The same measure on a bare interleaved RGB buffer of `count` pixels (e.g. a region).
 *
 * @example
 * computeColorfulnessOfPixels(canvasRgb, canvasRgb.length / 3)
 */
export function computeColorfulnessOfPixels(data: ArrayLike<number>, count = data.length / 3): number {
  if (!Number.isInteger(count) || count < 0 || data.length < 3 * count) {
    throw new MedcolorError(
      'ERR_IMAGE_SIZE',
      `colorfulness: expected ${3 * count} interleaved RGB values for ${count} pixels; found ${data.length}`,
    );
  }
  if (count === 0) return 0;
  // Sums in doubles are exact for 8-bit data up to ~10^9 pixels; var = E[x^2] - E[x]^2 is
  // therefore safe here (rg^2 <= 65025).
  let srg = 0, syb = 0, srg2 = 0, syb2 = 0;
  for (let i = 0, n = 3 * count; i < n; i += 3) {
    const r = data[i], g = data[i + 1], b = data[i + 2];
    const rg = r - g;
    const yb = 0.5 * (r + g) - b;
    srg += rg; syb += yb; srg2 += rg * rg; syb2 += yb * yb;
  }
  const mrg = srg / count, myb = syb / count;
  const vrg = Math.max(0, srg2 / count - mrg * mrg);
  const vyb = Math.max(0, syb2 / count - myb * myb);
  return Math.sqrt(vrg + vyb) + 0.3 * Math.sqrt(mrg * mrg + myb * myb);
}
