/**
 * The quantized a*b* space of a classification colorizer (Zhang et al., ECCV 2016): square cells
 * of side `grid` (default 10) centered on multiples of the grid; a cell is one class ("bin") when
 * some color of the cell is inside sRGB at some L* in 0..100. The paper's grid of 10 gives 313
 * bins from its own gamut estimate; this sRGB (D65) gamut gives 262 (see {@link computeAbBins}).
 * Also the nearest-bin lookups every other step (soft encoding, the prior) uses. Browser-safe.
 */
import { computeGamutScale } from './gamut.js';

/** Grid size of the quantized a*b* space (the paper's). */
export const AB_GRID = 10;

/** Bin centers and a lookup by grid cell. */
export interface AbBins {
  /** Grid size (distance between neighboring centers). */
  grid: number;
  /** Interleaved a*, b* of each bin center (2 values per bin). */
  centers: Float32Array;
  /** Number of bins. */
  count: number;
  /** Bin of each grid cell (-1: none), row j (b*) by column i (a*); cell (i, j) is centered on ((i - origin) * grid, (j - origin) * grid). */
  cellIndex: Int32Array;
  /** Cells per side of `cellIndex` and the cell index of a* = b* = 0. */
  side: number;
  origin: number;
}

/**
 * Derives the in-gamut bins: every cell of the grid (centers k * grid, |a*|, |b*| <= 130) whose
 * center, corners or edge midpoints (9 points) or a point a quarter cell from the center are in
 * sRGB at some L* in 0.5, 1, ..., 99.5. Deterministic; about 1 s. Ordered by b* then a*.
 *
 * @example
 * const bins = computeAbBins(); // bins.count === 262
 */
export function computeAbBins(grid = AB_GRID): AbBins {
  const half = grid / 2, q = grid / 4;
  const offsets = [[0, 0], [-half, -half], [half, -half], [-half, half], [half, half], [0, -half], [0, half], [-half, 0], [half, 0],
    [-q, -q], [q, -q], [-q, q], [q, q]];
  const kMax = Math.ceil(130 / grid);
  const centers: number[] = [];
  for (let j = -kMax; j <= kMax; j++) {
    for (let i = -kMax; i <= kMax; i++) {
      const a = i * grid, b = j * grid;
      let inside = false;
      for (let L = 0.5; L < 100 && !inside; L += 0.5) {
        for (const [da, db] of offsets) {
          if (computeGamutScale(L, a + da, b + db) === 1) { inside = true; break; }
        }
      }
      if (inside) centers.push(a, b);
    }
  }
  return indexAbBins(Float32Array.from(centers), grid);
}

/**
 * Builds the cell lookup of a set of bin centers (multiples of `grid`), e.g. the centers a model
 * carries in its metadata (`medcolor.ab_bins`).
 */
export function indexAbBins(centers: Float32Array, grid = AB_GRID): AbBins {
  let kMax = 0;
  for (const c of centers) kMax = Math.max(kMax, Math.round(Math.abs(c) / grid));
  const side = 2 * kMax + 1, origin = kMax;
  const cellIndex = new Int32Array(side * side).fill(-1);
  const count = centers.length / 2;
  for (let k = 0; k < count; k++) {
    const i = Math.round(centers[2 * k] / grid) + origin, j = Math.round(centers[2 * k + 1] / grid) + origin;
    cellIndex[j * side + i] = k;
  }
  return { grid, centers, count, cellIndex, side, origin };
}

/** The bin whose center is nearest to (a*, b*). */
export function findNearestAbBin(bins: AbBins, a: number, b: number): number {
  const i = Math.round(a / bins.grid) + bins.origin, j = Math.round(b / bins.grid) + bins.origin;
  if (i >= 0 && j >= 0 && i < bins.side && j < bins.side) {
    const k = bins.cellIndex[j * bins.side + i];
    if (k >= 0) return k;
  }
  let best = 0, bestD = Infinity;
  const c = bins.centers;
  for (let k = 0; k < bins.count; k++) {
    const da = c[2 * k] - a, db = c[2 * k + 1] - b, d = da * da + db * db;
    if (d < bestD) { bestD = d; best = k; }
  }
  return best;
}

/**
 * The `k` bins nearest to (a*, b*): their indices into `outIndex` and squared distances into
 * `outDist2` (nearest first). Looks in the 5x5 cells around the point, and through all bins when
 * fewer than `k` are there (a color outside the bins).
 */
export function findNearestAbBins(bins: AbBins, a: number, b: number, k: number, outIndex: Int32Array, outDist2: Float32Array): void {
  outDist2.fill(Infinity, 0, k);
  outIndex.fill(-1, 0, k);
  const c = bins.centers;
  const consider = (q: number) => {
    const da = c[2 * q] - a, db = c[2 * q + 1] - b, d = da * da + db * db;
    if (d >= outDist2[k - 1]) return;
    let p = k - 1;
    while (p > 0 && outDist2[p - 1] > d) { outDist2[p] = outDist2[p - 1]; outIndex[p] = outIndex[p - 1]; p--; }
    outDist2[p] = d;
    outIndex[p] = q;
  };
  const ci = Math.round(a / bins.grid) + bins.origin, cj = Math.round(b / bins.grid) + bins.origin;
  let found = 0;
  for (let j = cj - 2; j <= cj + 2; j++) {
    if (j < 0 || j >= bins.side) continue;
    for (let i = ci - 2; i <= ci + 2; i++) {
      if (i < 0 || i >= bins.side) continue;
      const q = bins.cellIndex[j * bins.side + i];
      if (q >= 0) { consider(q); found++; }
    }
  }
  // Within the 5x5 cells every point closer than 1.5 cells is seen; a farther k-th neighbor
  // (or too few bins around) means searching all of them.
  if (found < k || outDist2[k - 1] > (1.5 * bins.grid) ** 2) {
    outDist2.fill(Infinity, 0, k);
    outIndex.fill(-1, 0, k);
    for (let q = 0; q < bins.count; q++) consider(q);
  }
}
