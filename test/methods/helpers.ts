/** Shared constructed images for the method tests. */
import { labToSrgb8, lAbToSrgb8, srgb8ToL } from '../../src/color/lab.js';
import type { RgbImage } from '../../src/image/types.js';
import { createRng } from '../../src/random.js';

/** Deterministic uniform noise in [-0.5, 0.5) (mulberry32). */
export function noise(seed: number): () => number {
  const r = createRng(seed);
  return () => r() - 0.5;
}

/** An RgbImage from a per-pixel Lab function. */
export function makeRgb(width: number, height: number, f: (x: number, y: number) => [number, number, number]): RgbImage {
  const lab = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) lab.set(f(x, y), 3 * (y * width + x));
  return { width, height, data: labToSrgb8(lab) };
}

/** A planar L* image from a function. */
export function makeL(width: number, height: number, f: (x: number, y: number) => number): Float32Array {
  const L = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) L[y * width + x] = f(x, y);
  return L;
}

/** L* after recombining (L, ab) into 8-bit sRGB and converting back: what a viewer shows. */
export function roundTripL(L: Float32Array, ab: Float32Array): Float32Array {
  return srgb8ToL(lAbToSrgb8(L, ab));
}

/** Mean and standard deviation of every `stride`-th value from `off`. */
export function meanStd(v: Float32Array, stride = 1, off = 0): [number, number] {
  let s = 0, s2 = 0, n = 0;
  for (let i = off; i < v.length; i += stride) { s += v[i]; s2 += v[i] * v[i]; n++; }
  const m = s / n;
  return [m, Math.sqrt(Math.max(0, s2 / n - m * m))];
}

/** Hue angle of (a, b) in degrees, 0..360. */
export function hue(a: number, b: number): number {
  const h = (Math.atan2(b, a) * 180) / Math.PI;
  return h < 0 ? h + 360 : h;
}

/** Smallest angle between two hues. */
export function hueDiff(h1: number, h2: number): number {
  const d = Math.abs(h1 - h2) % 360;
  return d > 180 ? 360 - d : d;
}
