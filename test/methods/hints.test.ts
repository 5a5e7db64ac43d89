import { describe, expect, it } from 'vitest';
import { srgb8ToLab } from '../../src/color/lab.js';
import { isMedcolorError } from '../../src/errors.js';
import { drawGeometric, rasterizeHints, simulateHints } from '../../src/methods/hints.js';
import { createRng } from '../../src/random.js';

/** A chroma image: a* = x, b* = -y (interleaved), so a patch's mean is its center. */
function ramp(w: number, h: number): Float32Array {
  const ab = new Float32Array(2 * w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { ab[2 * (y * w + x)] = x; ab[2 * (y * w + x) + 1] = -y; }
  return ab;
}

describe('simulated hints (Zhang et al. 2017 recipe)', () => {
  it('draws the count from a geometric distribution on 1, 2, ... with p = 1/8 (mean 8)', () => {
    const rand = createRng(5);
    const n = 20000;
    let sum = 0, ones = 0, min = Infinity;
    for (let i = 0; i < n; i++) { const k = drawGeometric(rand, 1 / 8); sum += k; if (k === 1) ones++; min = Math.min(min, k); }
    expect(min).toBe(1);
    expect(sum / n).toBeGreaterThan(7.7);
    expect(sum / n).toBeLessThan(8.3);
    expect(ones / n).toBeGreaterThan(0.115); // P(1) = p = 0.125
    expect(ones / n).toBeLessThan(0.135);
  });

  it('places Gaussian centers (sigma = size/4) with sides 1..9 and the mean true a*b* of the square', () => {
    const W = 200, H = 120;
    const truth = ramp(W, H);
    const hints = simulateHints(truth, W, H, { count: 4000, seed: 9 });
    expect(hints).toHaveLength(4000);
    const xs = hints.map((h) => h.points[0][0]), ys = hints.map((h) => h.points[0][1]);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const sd = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
    expect(Math.abs(mean(xs) - W / 2)).toBeLessThan(2);
    expect(Math.abs(mean(ys) - H / 2)).toBeLessThan(2);
    // Clamping to the image trims the tails a little: sigma just under size/4.
    expect(sd(xs)).toBeGreaterThan(0.23 * W);
    expect(sd(xs)).toBeLessThan(0.255 * W);
    const sides = new Set(hints.map((h) => h.width));
    expect([...sides].sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const h of hints.slice(0, 200)) {
      const [cx, cy] = h.points[0];
      const s = h.width!;
      const lo = -Math.floor((s - 1) / 2), hi = Math.ceil((s - 1) / 2);
      const x0 = Math.max(0, cx + lo), x1 = Math.min(W - 1, cx + hi), y0 = Math.max(0, cy + lo), y1 = Math.min(H - 1, cy + hi);
      const c = h.color as { a: number; b: number };
      expect(c.a).toBeCloseTo((x0 + x1) / 2, 5);
      expect(c.b).toBeCloseTo(-(y0 + y1) / 2, 5);
      expect(h.shape).toBe('square');
    }
  });

  it('is seeded: the same seed gives the same hints, another seed others', () => {
    const truth = ramp(64, 64);
    expect(simulateHints(truth, 64, 64, { seed: 3 })).toEqual(simulateHints(truth, 64, 64, { seed: 3 }));
    expect(simulateHints(truth, 64, 64, { count: 5, seed: 3 })).not.toEqual(simulateHints(truth, 64, 64, { count: 5, seed: 4 }));
  });

  it('rasterizes to exactly the pixels of the square and its color', () => {
    const truth = ramp(32, 32);
    const [h] = simulateHints(truth, 32, 32, { count: 1, seed: 2, minSide: 4, maxSide: 4 });
    const p = rasterizeHints({ strokes: [h] }, 32, 32);
    const [cx, cy] = h.points[0];
    let on = 0;
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
      const inside = x >= cx - 1 && x <= cx + 2 && y >= cy - 1 && y <= cy + 2;
      expect(p.mask[y * 32 + x]).toBe(inside ? 1 : 0);
      if (inside) { on++; expect(p.ab[y * 32 + x]).toBeCloseTo((h.color as { a: number }).a, 4); }
    }
    expect(on).toBe(16);
  });
});

describe('user hints mapped to the working size', () => {
  it('maps full-size pixel coordinates and widths to the working size', () => {
    // A 6 px square dot at (600, 300) of a 1024x512 image lands at (150, 75) of 256x128, 1.5 px wide.
    const p = rasterizeHints({ strokes: [{ points: [[601.5, 301.5]], width: 8, shape: 'square', color: { a: 30, b: -20 } }], width: 1024, height: 512 }, 256, 128);
    const hit: number[] = [];
    for (let i = 0; i < p.mask.length; i++) if (p.mask[i]) hit.push(i);
    expect(hit.length).toBeGreaterThan(0);
    for (const i of hit) {
      expect(Math.abs((i % 256) - 150)).toBeLessThanOrEqual(1);
      expect(Math.abs(Math.floor(i / 256) - 75)).toBeLessThanOrEqual(1);
      expect(p.ab[i]).toBeCloseTo(30, 5);
      expect(p.ab[256 * 128 + i]).toBeCloseTo(-20, 5);
    }
  });

  it('reduces a hint image by the mean chroma of the marks each working pixel covers', () => {
    const W = 40, H = 20;
    const img = new Uint8Array(W * H * 3).fill(128);
    for (let y = 4; y < 8; y++) for (let x = 8; x < 12; x++) img.set([200, 40, 40], 3 * (y * W + x));
    const p = rasterizeHints({ strokes: { width: W, height: H, data: img } }, 10, 5);
    const lab = srgb8ToLab(new Uint8Array([200, 40, 40]));
    expect(p.mask[1 * 10 + 2]).toBe(1);
    expect(p.ab[1 * 10 + 2]).toBeCloseTo(lab[1], 3);
    expect(p.ab[50 + 1 * 10 + 2]).toBeCloseTo(lab[2], 3);
    expect(p.mask.reduce((s, v) => s + v, 0)).toBe(1);
  });

  it('refuses hints outside the image, invalid colors and a hint image of the wrong size, naming the file', () => {
    const bad = (f: () => unknown, re: RegExp) => {
      try { f(); } catch (e) {
        expect(isMedcolorError(e, 'ERR_BAD_STROKES')).toBe(true);
        expect((e as Error).message).toMatch(re);
        return;
      }
      throw new Error('expected a MedcolorError');
    };
    bad(() => rasterizeHints({ strokes: [{ points: [[1024, 10]], color: '#ff0000' }], width: 1024, height: 512, file: 'h.json' }, 256, 128), /h\.json: hint 0: point \[1024, 10\] lies outside the 1024x512 image/);
    bad(() => rasterizeHints({ strokes: '[{"points": [[3, 3]], "color": "#ff00"}]', width: 64, height: 64, file: 'h.json' }, 64, 64), /h\.json.*stroke 0: color '#ff00' is not '#rrggbb'/);
    bad(() => rasterizeHints({ strokes: [{ points: [[3, 3]], color: [300, 0, 0] }], width: 64, height: 64 }, 64, 64), /color must be \[r, g, b\] \(0\.\.255\)/);
    bad(() => rasterizeHints({ strokes: { width: 10, height: 10, data: new Uint8Array(300) }, width: 64, height: 64 }, 64, 64), /the hint image is 10x10; expected the input's size 64x64/);
  });
});
