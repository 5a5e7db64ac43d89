/**
 * The one seeded pseudo-random generator of medcolor (mulberry32): the same seed gives the same
 * sequence on every platform. `Rng` exposes its state (saved in training checkpoints so that
 * resuming continues the same stream); `createRng` is the plain-function form.
 */

/** Seeded PRNG with uniform, integer and normal samplers. */
export class Rng {
  state: number;
  constructor(seed = 1) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * A seeded generator of uniform numbers in [0, 1).
 *
 * @example
 * const rand = createRng(42); rand(); // 0.6011037519201636
 */
export function createRng(seed = 1): () => number {
  const r = new Rng(seed);
  return () => r.next();
}
