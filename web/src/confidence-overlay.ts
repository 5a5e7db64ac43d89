/**
 * The confidence overlay of the output view: the colorized image tinted red where the method is
 * unsure, alpha = 0.7 * (1 - confidence), so sure pixels (255) are shown as they are and a
 * guess (0) is mostly red. The confidence comes from the library (8-bit, 255 = sure).
 */

/** Overlay color (sRGB). */
export const OVERLAY_RGB = [230, 20, 60] as const;
/** Alpha of the overlay where the confidence is 0. */
export const OVERLAY_MAX_ALPHA = 0.7;

/**
 * The RGBA image with the overlay blended in (a new array).
 *
 * @example
 * const shown = overlayConfidence(rgba, new Uint8Array(reply.confidence));
 */
export function overlayConfidence(rgba: Uint8ClampedArray<ArrayBuffer>, confidence: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(rgba.length);
  for (let i = 0; i < confidence.length; i++) {
    const a = OVERLAY_MAX_ALPHA * (1 - confidence[i] / 255);
    for (let c = 0; c < 3; c++) out[4 * i + c] = Math.round(rgba[4 * i + c] * (1 - a) + OVERLAY_RGB[c] * a);
    out[4 * i + 3] = rgba[4 * i + 3];
  }
  return out;
}
