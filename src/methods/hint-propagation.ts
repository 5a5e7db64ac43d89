/**
 * Hint propagation for hint-taking models: after the network has colorized with the hints, the
 * difference between each hint's color and the network's color there is spread over the image by
 * Levin et al.'s affinity propagation (the solver `scribble` uses, sparse.ts) and added to the
 * network's a*b*. Browser-safe.
 *
 *   r   = hint_ab - pred_ab    at hinted pixels (what the network left of each hint)
 *   R   = Levin propagation of r: r fixed at hinted pixels; every other pixel the affinity-weighted
 *         mean of its 3x3 neighbors (neighbors of similar L* count more)
 *   out = pred_ab + R
 *
 * So the output has the hint's color at the hint, the correction follows regions of similar
 * intensity and stops at edges as scribble's colors do, and where no hint says otherwise the
 * network's own colorization stays (scribble starts from gray instead). Without hints the output
 * is the network's, exactly. Measured on the val splits (docs/hints.md, the model cards): it adds
 * about 1 dB at 10 hints to what the network alone makes of them; a fade with the distance to
 * the nearest hint and a first global correction by L* were tried and did no better.
 */
import { buildGridAffinity, solveDirichlet } from './sparse.js';
import type { HintPlanes } from './hints.js';

/**
 * Adds the propagated hint residual to a network's interleaved a*b* `ab` (width x height, in
 * place), for L* `L` (0..100) and the hint planes `hints` at the same size. Returns `ab`.
 *
 * @example
 * const [ab] = await runColorizationModel(model, [{ width, height, L, hints }]);
 * propagateHintResidual(L, width, height, ab, hints);
 */
export function propagateHintResidual(L: Float32Array, width: number, height: number, ab: Float32Array, hints: HintPlanes, tol = 1e-3): Float32Array {
  const n = width * height;
  const ra = new Float32Array(n), rb = new Float32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!hints.mask[i]) continue;
    count++;
    ra[i] = hints.ab[i] - ab[2 * i];
    rb[i] = hints.ab[n + i] - ab[2 * i + 1];
  }
  if (count === 0) return ab;
  const Y = new Float32Array(n);
  for (let i = 0; i < n; i++) Y[i] = L[i] / 100;
  solveDirichlet(buildGridAffinity(Y, width, height), hints.mask, [ra, rb], { tol, maxIter: 500 });
  for (let i = 0; i < n; i++) { ab[2 * i] += ra[i]; ab[2 * i + 1] += rb[i]; }
  return ab;
}
