/**
 * Resampling of interleaved float images with any number of channels.
 * Bilinear with half-pixel centers (the convention of ONNX Resize "half_pixel", PIL, sharp);
 * when shrinking by more than 2x, an area (box) prefilter avoids aliasing.
 */

/**
 * Bilinear resize of an interleaved float image.
 *
 * @example
 * const ab512 = resizeBilinear(ab256, 256, 256, 2, 512, 512); // upsample chroma
 */
export function resizeBilinear(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  if (outWidth === width && outHeight === height) return src.slice();
  // Shrinking by more than 2x: box-average first to an integer factor, then bilinear.
  const fx = Math.floor(width / outWidth), fy = Math.floor(height / outHeight);
  if (fx >= 2 || fy >= 2) {
    const boxed = boxDownsample(src, width, height, channels, Math.max(1, fx), Math.max(1, fy));
    return resizeBilinear(boxed.data, boxed.width, boxed.height, channels, outWidth, outHeight);
  }
  const out = new Float32Array(outWidth * outHeight * channels);
  const sx = width / outWidth, sy = height / outHeight;
  const x0s = new Int32Array(outWidth), x1s = new Int32Array(outWidth), wxs = new Float32Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    let fxp = (x + 0.5) * sx - 0.5;
    if (fxp < 0) fxp = 0;
    const x0 = Math.min(Math.floor(fxp), width - 1);
    x0s[x] = x0;
    x1s[x] = Math.min(x0 + 1, width - 1);
    wxs[x] = fxp - x0;
  }
  for (let y = 0; y < outHeight; y++) {
    let fyp = (y + 0.5) * sy - 0.5;
    if (fyp < 0) fyp = 0;
    const y0 = Math.min(Math.floor(fyp), height - 1);
    const y1 = Math.min(y0 + 1, height - 1);
    const wy = fyp - y0;
    const r0 = y0 * width * channels, r1 = y1 * width * channels;
    let o = y * outWidth * channels;
    for (let x = 0; x < outWidth; x++) {
      const a = x0s[x] * channels, b = x1s[x] * channels, wx = wxs[x];
      for (let c = 0; c < channels; c++) {
        const top = src[r0 + a + c] + (src[r0 + b + c] - src[r0 + a + c]) * wx;
        const bot = src[r1 + a + c] + (src[r1 + b + c] - src[r1 + a + c]) * wx;
        out[o++] = top + (bot - top) * wy;
      }
    }
  }
  return out;
}

/** Averages fx x fy blocks (edge blocks are partial). */
export function boxDownsample(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  fx: number,
  fy: number,
): { data: Float32Array; width: number; height: number } {
  const ow = Math.ceil(width / fx), oh = Math.ceil(height / fy);
  const out = new Float32Array(ow * oh * channels);
  const cnt = new Float32Array(ow * oh);
  for (let y = 0; y < height; y++) {
    const oy = Math.floor(y / fy);
    for (let x = 0; x < width; x++) {
      const oi = oy * ow + Math.floor(x / fx);
      cnt[oi]++;
      const si = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) out[oi * channels + c] += src[si + c];
    }
  }
  for (let i = 0; i < cnt.length; i++) for (let c = 0; c < channels; c++) out[i * channels + c] /= cnt[i];
  return { data: out, width: ow, height: oh };
}
