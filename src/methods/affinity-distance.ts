/**
 * Geodesic distance to the nearest seed pixel (a scribble's stroke pixels) in the affinity
 * metric of sparse.ts: a step to a neighbour costs `step` (times sqrt 2 diagonally) plus
 * -ln(w) / ln(100), w being the two pixels' affinity, so that crossing an edge as strong as the
 * solver's weakest kept link (w = 0.01) costs 1, as much as walking `1 / step` pixels of a flat
 * region. Dijkstra over the 8-neighbour grid with a binary heap. Browser-safe.
 */
import type { GridAffinity } from './sparse.js';

const EDGE_UNIT = Math.log(100);

/**
 * Distance of every pixel to the nearest pixel with `seeds[i] = 1` (Infinity when none is reachable).
 *
 * @example
 * const d = computeAffinityDistance(buildGridAffinity(Y, w, h), fixed, 1 / (0.1 * Math.max(w, h)));
 */
export function computeAffinityDistance(g: GridAffinity, seeds: Uint8Array, step: number): Float32Array {
  const { width, height } = g;
  const n = width * height;
  const dist = new Float32Array(n).fill(Infinity);
  const done = new Uint8Array(n);
  // Binary min-heap of pixel indices keyed by dist (entries may repeat; stale ones are skipped).
  let heap = new Uint32Array(Math.max(16, n));
  let keys = new Float32Array(heap.length);
  let size = 0;
  const push = (i: number, d: number) => {
    if (size === heap.length) {
      const h2 = new Uint32Array(heap.length * 2), k2 = new Float32Array(heap.length * 2);
      h2.set(heap);
      k2.set(keys);
      heap = h2;
      keys = k2;
    }
    let p = size++;
    while (p > 0) {
      const q = (p - 1) >> 1;
      if (keys[q] <= d) break;
      heap[p] = heap[q];
      keys[p] = keys[q];
      p = q;
    }
    heap[p] = i;
    keys[p] = d;
  };
  const pop = (): number => {
    const top = heap[0];
    const li = heap[--size], lk = keys[size];
    let p = 0;
    for (;;) {
      let c = 2 * p + 1;
      if (c >= size) break;
      if (c + 1 < size && keys[c + 1] < keys[c]) c++;
      if (keys[c] >= lk) break;
      heap[p] = heap[c];
      keys[p] = keys[c];
      p = c;
    }
    heap[p] = li;
    keys[p] = lk;
    return top;
  };
  for (let i = 0; i < n; i++) {
    if (seeds[i]) {
      dist[i] = 0;
      push(i, 0);
    }
  }
  const diag = step * Math.SQRT2;
  const relax = (from: number, to: number, w: number, base: number) => {
    if (done[to]) return;
    const d = dist[from] + base + -Math.log(Math.max(w, 1e-30)) / EDGE_UNIT;
    if (d < dist[to]) {
      dist[to] = d;
      push(to, d);
    }
  };
  while (size > 0) {
    const r = pop();
    if (done[r]) continue;
    done[r] = 1;
    const x = r % width, y = (r - x) / width;
    // Each edge is stored once, at its upper/left end (sparse.ts).
    if (x + 1 < width) relax(r, r + 1, g.east[r], step);
    if (x > 0) relax(r, r - 1, g.east[r - 1], step);
    if (y + 1 < height) {
      relax(r, r + width, g.south[r], step);
      if (x + 1 < width) relax(r, r + width + 1, g.southEast[r], diag);
      if (x > 0) relax(r, r + width - 1, g.southWest[r], diag);
    }
    if (y > 0) {
      relax(r, r - width, g.south[r - width], step);
      if (x > 0) relax(r, r - width - 1, g.southEast[r - width - 1], diag);
      if (x + 1 < width) relax(r, r - width + 1, g.southWest[r - width + 1], diag);
    }
  }
  return dist;
}
