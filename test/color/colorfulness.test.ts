import { describe, expect, it } from 'vitest';
import { computeColorfulness, computeColorfulnessOfPixels } from '../../src/color/colorfulness.js';
import type { RgbImage } from '../../src/image/types.js';
import { isMedcolorError } from '../../src/errors.js';

function image(width: number, height: number, fill: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(fill(x, y), 3 * (y * width + x));
  return { width, height, data };
}

describe('computeColorfulness (Hasler & Suesstrunk 2003)', () => {
  it('is exactly 0 for any gray image', () => {
    expect(computeColorfulness(image(17, 9, (x, y) => { const v = (x * 31 + y * 7) % 256; return [v, v, v]; }))).toBe(0);
    expect(computeColorfulness(image(4, 4, () => [0, 0, 0]))).toBe(0);
  });

  it('half red, half blue: M = sqrt(52832.8125) + 0.3 sqrt(20320.3125) = 272.6187 (by hand)', () => {
    // Red: rg = 255, yb = 127.5. Blue: rg = 0, yb = -255.
    // mean rg = 127.5, var rg = 127.5^2 = 16256.25; mean yb = -63.75, var yb = 191.25^2 = 36576.5625.
    // sigma = sqrt(16256.25 + 36576.5625); mu = sqrt(127.5^2 + 63.75^2) = sqrt(20320.3125).
    const img = image(6, 4, (x) => (x < 3 ? [255, 0, 0] : [0, 0, 255]));
    expect(computeColorfulness(img)).toBeCloseTo(272.61869388, 7);
  });

  it('a uniform color has no spread: M = 0.3 * |(rg, yb)| (200,100,50 -> 0.3*sqrt(100^2+100^2))', () => {
    expect(computeColorfulness(image(5, 3, () => [200, 100, 50]))).toBeCloseTo(0.3 * Math.sqrt(20000), 10);
  });

  it('a pure spread with zero mean: (+d, -d) opponent values', () => {
    // Pixels (150,100,125) and (100,150,125): rg = +-50, yb = 0 in both. sigma = 50, mu = 0.
    const img = image(2, 2, (x, y) => ((x + y) % 2 === 0 ? [150, 100, 125] : [100, 150, 125]));
    expect(computeColorfulness(img)).toBeCloseTo(50, 12);
  });

  it('grows with saturation, and matches the numpy formula on a seeded pattern', () => {
    // numpy: r,g,b = img[...,0].astype(float), ...; rg = r-g; yb = 0.5*(r+g)-b
    //        M = np.sqrt(rg.std()**2 + yb.std()**2) + 0.3*np.sqrt(rg.mean()**2 + yb.mean()**2)
    // on the image below (x, y < 8): r = (x*37+y*11)%256, g = (x*13+y*59)%256, b = (x*71+y*29)%256 -> 128.73193038
    const img = image(8, 8, (x, y) => [(x * 37 + y * 11) % 256, (x * 13 + y * 59) % 256, (x * 71 + y * 29) % 256]);
    expect(computeColorfulness(img)).toBeCloseTo(128.73193038, 6);
    const pale = image(8, 8, () => [140, 120, 110]);
    const vivid = image(8, 8, () => [220, 60, 20]);
    expect(computeColorfulness(vivid)).toBeGreaterThan(computeColorfulness(pale));
  });

  it('works on bare buffers and rejects a buffer shorter than the pixel count', () => {
    expect(computeColorfulnessOfPixels(new Uint8Array([255, 0, 0, 0, 0, 255]))).toBeCloseTo(272.61869388, 7);
    expect(computeColorfulnessOfPixels(new Uint8Array(0))).toBe(0);
    let err: unknown;
    try { computeColorfulnessOfPixels(new Uint8Array(5), 2); } catch (e) { err = e; }
    expect(isMedcolorError(err, 'ERR_IMAGE_SIZE')).toBe(true);
  });
});
