/**
 * Color pixels to RGB: YBR_FULL / YBR_ICT / YBR_RCT and YBR_PARTIAL_* to RGB, PALETTE COLOR
 * indices through the palette, and the samples scaled to 0..1 gamma-encoded sRGB.
 * Browser-safe: no Node built-ins.
 */
import type { DataSet } from './dataset.js';
import type { FrameSamples } from './frame-samples.js';
import { readPalette, type Palette } from './palette.js';
import type { PixelSpec } from './pixel-spec.js';

/** YCbCr (full range, JPEG/JFIF, PS3.3 C.7.6.3.1.2) to RGB on 0..max samples, in place. */
function ybrFullToRgb(values: Float64Array, max: number): void {
  const mid = (max + 1) / 2;
  for (let i = 0; i < values.length; i += 3) {
    const y = values[i], cb = values[i + 1] - mid, cr = values[i + 2] - mid;
    values[i] = Math.min(max, Math.max(0, y + 1.402 * cr));
    values[i + 1] = Math.min(max, Math.max(0, y - 0.344136 * cb - 0.714136 * cr));
    values[i + 2] = Math.min(max, Math.max(0, y + 1.772 * cb));
  }
}

/** YCbCr partial range (ITU-R BT.601 studio swing) to RGB, 8-bit, in place. */
function ybrPartialToRgb(values: Float64Array): void {
  for (let i = 0; i < values.length; i += 3) {
    const y = 1.1644 * (values[i] - 16), cb = values[i + 1] - 128, cr = values[i + 2] - 128;
    values[i] = Math.min(255, Math.max(0, y + 1.596 * cr));
    values[i + 1] = Math.min(255, Math.max(0, y - 0.3918 * cb - 0.813 * cr));
    values[i + 2] = Math.min(255, Math.max(0, y + 2.0172 * cb));
  }
}

/** Turns a frame's samples into RGB in 0..1 (gamma-encoded sRGB), interleaved. */
export function samplesToRgb01(ds: DataSet, spec: PixelSpec, fs: FrameSamples, file?: string, palette?: Palette): Float32Array {
  const pixels = spec.rows * spec.columns;
  const out = new Float32Array(pixels * 3);
  if (spec.photometric === 'PALETTE COLOR') {
    const p = palette ?? readPalette(ds, file);
    const [r, g, b] = p.tables;
    const last = r.length - 1;
    for (let i = 0; i < pixels; i++) {
      const k = Math.min(last, Math.max(0, fs.values[i] - p.firstMapped));
      out[3 * i] = r[k] / p.max;
      out[3 * i + 1] = g[k] / p.max;
      out[3 * i + 2] = b[k] / p.max;
    }
    return out;
  }
  const v = fs.values;
  const max = fs.maxValue;
  if (fs.photometric === 'YBR_FULL' || fs.photometric === 'YBR_ICT' || fs.photometric === 'YBR_RCT') ybrFullToRgb(v, max);
  else if (fs.photometric === 'YBR_PARTIAL_422' || fs.photometric === 'YBR_PARTIAL_420') ybrPartialToRgb(v);
  for (let i = 0; i < out.length; i++) out[i] = v[i] / max;
  return out;
}
