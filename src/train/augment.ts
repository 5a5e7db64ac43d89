/**
 * Data augmentation for training batches: a seeded random generator, random square crops and
 * horizontal/vertical flips of planar images. Only geometric changes: they leave the L -> a*b*
 * relation of every pixel intact.
 */

export { createRng } from '../random.js';

/** Where and how one sample is cut out of its full-size record. */
export interface CropPlan {
  /** Left column and top row of the crop in the source. */
  x: number;
  y: number;
  /** Side of the (square) crop. */
  size: number;
  flipH: boolean;
  flipV: boolean;
}

/** Options of {@link planCrop}. */
export interface PlanCropOptions {
  /** Side of the square crop; default: the full size (no crop). */
  crop?: number;
  /** Flip horizontally and vertically, each with probability 1/2. Default false. */
  flip?: boolean;
  /** Random source; default Math.random. */
  rng?: () => number;
}

/**
 * Draws a random crop position (uniform over valid positions) and random flips.
 * Without `crop` and `flip` it returns the identity plan without drawing numbers.
 *
 * @example
 * planCrop(256, { crop: 224, flip: true, rng: createRng(1) }); // { x: 13, y: 30, size: 224, flipH: true, ... }
 */
export function planCrop(size: number, options: PlanCropOptions = {}): CropPlan {
  const rng = options.rng ?? Math.random;
  const c = options.crop ?? size;
  if (!Number.isInteger(c) || c < 1 || c > size) {
    throw new RangeError(`crop must be an integer in 1..${size}; found ${c}`);
  }
  const x = c < size ? Math.floor(rng() * (size - c + 1)) : 0;
  const y = c < size ? Math.floor(rng() * (size - c + 1)) : 0;
  const flipH = options.flip ? rng() < 0.5 : false;
  const flipV = options.flip ? rng() < 0.5 : false;
  return { x, y, size: c, flipH, flipV };
}

type NumArray = Float32Array | Uint16Array | Int16Array | Uint8Array;

/**
 * Copies the crop `plan` out of a square planar `src` (side `srcSize`) into `dst` at `dstOffset`,
 * applying flips and the affine map v * scale + offset on the way.
 *
 * @example
 * // uint16 L (L* * 655.35) to normalized L/50 - 1:
 * transformPlane(Lu16, 256, plan, out, 0, 1 / (655.35 * 50), -1);
 */
export function transformPlane(
  src: NumArray,
  srcSize: number,
  plan: CropPlan,
  dst: Float32Array,
  dstOffset: number,
  scale = 1,
  offset = 0,
): void {
  const c = plan.size;
  for (let oy = 0; oy < c; oy++) {
    const sy = plan.y + (plan.flipV ? c - 1 - oy : oy);
    const row = sy * srcSize + plan.x;
    let o = dstOffset + oy * c;
    if (plan.flipH) {
      for (let ox = c - 1; ox >= 0; ox--) dst[o++] = src[row + ox] * scale + offset;
    } else {
      for (let ox = 0; ox < c; ox++) dst[o++] = src[row + ox] * scale + offset;
    }
  }
}
