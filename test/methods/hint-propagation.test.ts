/**
 * The propagation of hint residuals (src/methods/hint-propagation.ts): hinted pixels take their
 * hint's color, the correction follows each hint's region of similar L* and stops at an edge,
 * and without hints the prediction is returned untouched.
 */
import { describe, expect, it } from 'vitest';
import { propagateHintResidual } from '../../src/methods/hint-propagation.js';
import { rasterizeHints } from '../../src/methods/hints.js';

const W = 40, H = 30;
/** Left half dark, right half light (a sharp edge at x = 20). */
const L = Float32Array.from({ length: W * H }, (_, i) => (i % W < W / 2 ? 30 : 70));
/** A smooth prediction, as a network's: a*b* drifting slowly across the image. */
function prediction(): Float32Array {
  const ab = new Float32Array(2 * W * H);
  for (let i = 0; i < W * H; i++) { ab[2 * i] = 5 + 0.1 * (i % W); ab[2 * i + 1] = -3 + 0.1 * Math.floor(i / W); }
  return ab;
}
const red = { a: 35, b: 20 }, green = { a: -30, b: 25 };
const at = (ab: Float32Array, x: number, y: number) => [ab[2 * (y * W + x)], ab[2 * (y * W + x) + 1]];

describe('propagateHintResidual', () => {
  it('gives hinted pixels their color and carries each correction over its own region, not across the edge', () => {
    const hints = rasterizeHints({ strokes: [
      { points: [[5, 5]], width: 3, shape: 'square', color: red },
      { points: [[33, 24]], width: 3, shape: 'square', color: green },
    ] }, W, H);
    const pred = prediction();
    const out = propagateHintResidual(L, W, H, prediction(), hints, 1e-6);
    const dist = (p: number[], c: { a: number; b: number }) => Math.hypot(p[0] - c.a, p[1] - c.b);
    expect(dist(at(out, 5, 5), red)).toBeLessThan(0.01);
    expect(dist(at(out, 33, 24), green)).toBeLessThan(0.01);
    // Far corners of each half: the prediction there plus (nearly) its own hint's residual, i.e. near the hint's color,
    // while the prediction alone is far from it.
    expect(dist(at(pred, 2, 27), red)).toBeGreaterThan(25);
    expect(dist(at(out, 2, 27), red)).toBeLessThan(4);
    expect(dist(at(pred, 37, 2), green)).toBeGreaterThan(25);
    expect(dist(at(out, 37, 2), green)).toBeLessThan(4);
  });

  it('returns the prediction untouched without hints', () => {
    const none = rasterizeHints({ strokes: [] }, W, H);
    expect(Array.from(propagateHintResidual(L, W, H, prediction(), none))).toEqual(Array.from(prediction()));
  });
});
