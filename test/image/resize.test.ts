import { describe, expect, it } from 'vitest';
import { boxDownsample, resizeBilinear } from '../../src/image/resize.js';
import { readDicom } from '../../src/io/dicom/index.js';
import { daikonFile } from '../fixtures.js';

/** The definition: every source pixel, in scan order, added (in float32) to its block; then / count. */
function boxByScan(src: Float32Array, width: number, height: number, channels: number, fx: number, fy: number): Float32Array {
  const ow = Math.ceil(width / fx), oh = Math.ceil(height / fy);
  const out = new Float32Array(ow * oh * channels), cnt = new Float32Array(ow * oh);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const oi = Math.floor(y / fy) * ow + Math.floor(x / fx);
      cnt[oi]++;
      for (let c = 0; c < channels; c++) out[oi * channels + c] += src[(y * width + x) * channels + c];
    }
  }
  for (let i = 0; i < cnt.length; i++) for (let c = 0; c < channels; c++) out[i * channels + c] /= cnt[i];
  return out;
}

describe('boxDownsample', () => {
  it('equals the pixel-by-pixel scan exactly on a real CT (HU), with partial edge blocks and 1-3 channels', async () => {
    const [ct] = await readDicom(daikonFile('jpeg_lossless_sel1.dcm')); // 512x400, HU
    for (const [fx, fy] of [[2, 2], [3, 7], [8, 8], [5, 1]]) {
      expect(Array.from(boxDownsample(ct.data, ct.width, ct.height, 1, fx, fy).data)).toEqual(Array.from(boxByScan(ct.data, ct.width, ct.height, 1, fx, fy)));
    }
    const w = 250, h = 120, two = new Float32Array(w * h * 2), three = new Float32Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      two[2 * i] = ct.data[i]; two[2 * i + 1] = -ct.data[i + 7] / 3;
      three.set([ct.data[i], ct.data[i + 1] * 0.1, ct.data[i + 2] + 0.3], 3 * i);
    }
    expect(Array.from(boxDownsample(two, w, h, 2, 3, 4).data)).toEqual(Array.from(boxByScan(two, w, h, 2, 3, 4)));
    expect(Array.from(boxDownsample(three, w, h, 3, 7, 3).data)).toEqual(Array.from(boxByScan(three, w, h, 3, 7, 3)));
  });

  it('is what resizeBilinear uses to shrink by more than 2x (a constant stays constant)', () => {
    const src = new Float32Array(64 * 64).fill(42.5);
    expect(resizeBilinear(src, 64, 64, 1, 10, 10).every((v) => v === 42.5)).toBe(true);
  });
});
