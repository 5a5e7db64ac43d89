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
  const sy = height / outHeight;
  const { x0s, x1s, wxs } = bilinearTaps(width, outWidth);
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

/**
 * The taps of a bilinear resampling from `size` to `outSize` samples along one axis (half-pixel
 * centers, edges clamped): output sample i is src[i0] + (src[i1] - src[i0]) * w, with float32 w.
 */
export function bilinearTaps(size: number, outSize: number): { x0s: Int32Array; x1s: Int32Array; wxs: Float32Array } {
  const x0s = new Int32Array(outSize), x1s = new Int32Array(outSize), wxs = new Float32Array(outSize);
  const scale = size / outSize;
  for (let x = 0; x < outSize; x++) {
    let f = (x + 0.5) * scale - 0.5;
    if (f < 0) f = 0;
    const x0 = Math.min(Math.floor(f), size - 1);
    x0s[x] = x0;
    x1s[x] = Math.min(x0 + 1, size - 1);
    wxs[x] = f - x0;
  }
  return { x0s, x1s, wxs };
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
  // Each block's sum is accumulated in float32, source rows in order and left to right within a
  // row (so the sums are those of a pixel-by-pixel scan), one block run at a time.
  const acc = new Float64Array(channels);
  for (let y = 0; y < height; y++) {
    const orow = Math.floor(y / fy) * ow;
    for (let ox = 0; ox < ow; ox++) {
      const x0 = ox * fx, x1 = Math.min(x0 + fx, width);
      const o = (orow + ox) * channels;
      if (channels === 1) {
        let s = out[o];
        for (let si = y * width + x0, end = y * width + x1; si < end; si++) s = Math.fround(s + src[si]);
        out[o] = s;
        continue;
      }
      for (let c = 0; c < channels; c++) acc[c] = out[o + c];
      for (let x = x0; x < x1; x++) {
        const si = (y * width + x) * channels;
        for (let c = 0; c < channels; c++) acc[c] = Math.fround(acc[c] + src[si + c]);
      }
      for (let c = 0; c < channels; c++) out[o + c] = acc[c];
    }
  }
  for (let oy = 0; oy < oh; oy++) {
    const rows = Math.min(fy, height - oy * fy);
    for (let ox = 0; ox < ow; ox++) {
      const cnt = rows * (Math.min((ox + 1) * fx, width) - ox * fx);
      const o = (oy * ow + ox) * channels;
      for (let c = 0; c < channels; c++) out[o + c] /= cnt;
    }
  }
  return { data: out, width: ow, height: oh };
}
