import { describe, expect, it } from 'vitest';
import { labToSrgb8, srgb8ToLab } from '../../src/color/lab.js';
import { isMedcolorError } from '../../src/errors.js';
import { simulateHints } from '../../src/methods/hints.js';
import { parseStrokes, rasterizeStrokes, scribbleMethod, type Stroke } from '../../src/methods/scribble.js';
import {
  applyOperator, buildGridAffinity, coarsenOperator, restrictToFree, solveDirichlet, type GridOperator,
} from '../../src/methods/sparse.js';
import { makeL, noise, roundTripL } from './helpers.js';

/** Dense matrix of a grid operator (free pixels only have rows). */
function dense(op: GridOperator): number[][] {
  const n = op.width * op.height;
  const A = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const e = new Float32Array(n);
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0); e[j] = 1;
    applyOperator(op, e, out);
    for (let i = 0; i < n; i++) A[i][j] = out[i];
  }
  return A;
}

/** Gaussian elimination with partial pivoting. */
function solveDense(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

describe('sparse solver', () => {
  const w = 9, h = 7, n = w * h;
  const rnd = noise(4);
  const Y = makeL(w, h, (x, y) => 0.5 + 0.3 * rnd() + (x > 4 ? 0.3 : 0) + 0.01 * y);
  const fixed = new Uint8Array(n);
  const vals = new Float32Array(n);
  for (const [p, v] of [[0, 20], [10, 15], [n - 1, -30], [40, 5]]) { fixed[p] = 1; vals[p] = v; }

  it('PCG (K-cycle, V-cycle and Jacobi) solves the constrained system like a dense solver', () => {
    const g = buildGridAffinity(Y, w, h);
    // Dense reference: free rows of (D - K) x = 0 with the fixed values moved right.
    const free = [...Array(n).keys()].filter((i) => !fixed[i]);
    const full = dense({ ...g, diag: g.degree });
    const A = free.map((i) => free.map((j) => full[i][j]));
    const b = free.map((i) => -[...Array(n).keys()].reduce((s, j) => s + (fixed[j] ? full[i][j] * vals[j] : 0), 0));
    const xd = solveDense(A, b);
    for (const preconditioner of ['kcycle', 'multigrid', 'jacobi'] as const) {
      const x = [vals.slice()];
      const st = solveDirichlet(g, fixed, x, { tol: 1e-7, preconditioner });
      expect(st.relResidual[0]).toBeLessThan(1e-6);
      free.forEach((i, k) => expect(x[0][i], `${preconditioner} pixel ${i}`).toBeCloseTo(xd[k], 3));
      [0, 10, n - 1, 40].forEach((p) => expect(x[0][p]).toBe(vals[p]));
    }
    // Every free value is a weighted average of its neighbors: inside the constraints' range.
    expect(Math.max(...xd)).toBeLessThanOrEqual(20);
    expect(Math.min(...xd)).toBeGreaterThanOrEqual(-30);
  });

  it('the K-cycle preconditioner needs few iterations, fewer than the V-cycle and far fewer than Jacobi', () => {
    const S = 128;
    const rn = noise(17);
    const Ys = makeL(S, S, (x, y) => 0.5 + 0.2 * Math.sin(x / 17) * Math.cos(y / 23) + 0.01 * rn());
    const truth = new Float32Array(2 * S * S).map((_, i) => (i % 2 ? 20 : -10) + ((i >> 1) % S) / 8);
    const { fixed, a, b } = rasterizeStrokes(simulateHints(truth, S, S, { count: 10, seed: 2 }), S, S);
    const g = buildGridAffinity(Ys, S, S);
    const its: Record<string, number> = {};
    for (const preconditioner of ['kcycle', 'multigrid', 'jacobi'] as const) {
      const st = solveDirichlet(g, fixed, [a.slice(), b.slice()], { tol: 1e-4, preconditioner, maxIter: 3000 });
      expect(st.relResidual.every((v) => v <= 1e-4)).toBe(true);
      its[preconditioner] = Math.max(...st.iterations);
    }
    expect(its.kcycle).toBeLessThanOrEqual(15);
    expect(its.kcycle).toBeLessThan(its.multigrid);
    expect(its.multigrid * 4).toBeLessThan(its.jacobi);
  });

  it('the coarse operator is the Galerkin product P^T A P of 2x2 aggregation', () => {
    const op = restrictToFree(buildGridAffinity(Y, w, h), fixed);
    const c = coarsenOperator(op);
    const A = dense(op), Ac = dense(c);
    const w2 = Math.ceil(w / 2);
    const agg = (i: number): number => (Math.floor(Math.floor(i / w) / 2)) * w2 + (Math.floor((i % w) / 2));
    const m = c.width * c.height;
    const G = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[agg(i)][agg(j)] += A[i][j];
    for (let I = 0; I < m; I++) for (let J = 0; J < m; J++) expect(Ac[I][J], `${I},${J}`).toBeCloseTo(G[I][J], 5);
  });
});

describe('scribble (Levin, Lischinski, Weiss 2004)', () => {
  const W = 72, H = 64;
  const rn = noise(9);
  const inside = (x: number, y: number): boolean => (x - 36) ** 2 + (y - 32) ** 2 < 20 ** 2;
  // A bright disk on a darker background: a strong edge between two smooth, noisy regions.
  // Smooth shading inside each region plus a little pixel noise.
  const L = makeL(W, H, (x, y) => (inside(x, y) ? 70 : 35) + 4 * Math.sin(x / 9) * Math.cos(y / 11) + 0.5 * rn());
  // Both colors are displayable over their whole region, so gamut scaling does not alter them.
  const red = { a: 30, b: 15 }, blue = { a: 0, b: -28 };
  const strokes: Stroke[] = [
    { points: [[30, 30], [42, 34]], width: 3, color: red },
    { points: [[5, 5], [5, 50]], width: 2, color: blue },
  ];

  function checkRegions(ab: Float32Array): void {
    let leakIn = 0, leakOut = 0, nIn = 0, nOut = 0, errIn = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const i = y * W + x, a = ab[2 * i], b = ab[2 * i + 1];
      const dRed = Math.hypot(a - red.a, b - red.b), dBlue = Math.hypot(a - blue.a, b - blue.b);
      if (inside(x, y)) { nIn++; errIn += dRed; if (dBlue < dRed) leakIn++; } else { nOut++; if (dRed < dBlue) leakOut++; }
    }
    // Nothing leaks across the edge, and the disk is nearly uniformly the stroke's red.
    expect(leakIn).toBe(0);
    expect(leakOut / nOut).toBeLessThan(0.005);
    expect(errIn / nIn).toBeLessThan(3);
  }

  it('keeps stroke colors inside their intensity region, stopped by the edge', async () => {
    let stats: { iterations: number[]; relResidual: number[] } | undefined;
    const r = await scribbleMethod.colorize({ width: W, height: H, L }, { strokes, tol: 1e-5, onStats: (s: { iterations: number[]; relResidual: number[] }) => { stats = s; } });
    checkRegions(r.ab);
    expect(stats!.relResidual.every((v) => v <= 1e-5)).toBe(true);
    const back = roundTripL(L, r.ab);
    for (let i = 0; i < L.length; i++) expect(Math.abs(back[i] - L[i])).toBeLessThan(0.6);
  });

  it('a flat image without edges blends the two colors instead', async () => {
    const flat = new Float32Array(W * H).fill(50);
    const r = await scribbleMethod.colorize({ width: W, height: H, L: flat }, { strokes });
    const edgeOfDisk = 32 * W + 60; // between the strokes, outside the disk
    expect(r.ab[2 * edgeOfDisk]).toBeGreaterThan(blue.a + 5);
    expect(r.ab[2 * edgeOfDisk]).toBeLessThan(red.a - 5);
  });

  it('reads strokes from a stroke image and from JSON the same way', async () => {
    const lab = new Float32Array(W * H * 3);
    for (let i = 0; i < W * H; i++) lab[3 * i] = L[i];
    const { fixed, a, b } = rasterizeStrokes(strokes, W, H);
    // Paint the stroke pixels with a color of that chroma at the pixel's own lightness.
    for (let i = 0; i < W * H; i++) if (fixed[i]) { lab[3 * i + 1] = a[i]; lab[3 * i + 2] = b[i]; }
    const img = { width: W, height: H, data: labToSrgb8(lab) };
    const fromImage = await scribbleMethod.colorize({ width: W, height: H, L }, { strokes: img });
    checkRegions(fromImage.ab);
    const json = JSON.stringify([{ points: [[30, 30], [42, 34]], width: 3, color: '#d8967e' }, { polyline: [[5, 5], [5, 50]], width: 2, color: [40, 90, 200] }]);
    const parsed = parseStrokes(json);
    expect(parsed[1].points).toEqual([[5, 5], [5, 50]]);
    const fromJson = await scribbleMethod.colorize({ width: W, height: H, L }, { strokes: json });
    const hex = srgb8ToLab(new Uint8Array([0xd8, 0x96, 0x7e]));
    const c = 32 * W + 36;
    expect(fromJson.ab[2 * c]).toBeCloseTo(hex[1], 0);
    expect(fromJson.ab[2 * c + 1]).toBeCloseTo(hex[2], 0);
  });

  it('rejects missing or malformed strokes', async () => {
    try {
      await scribbleMethod.colorize({ width: W, height: H, L });
      expect.unreachable();
    } catch (e) {
      expect(isMedcolorError(e, 'ERR_STROKES_REQUIRED')).toBe(true);
    }
    expect(() => parseStrokes('[{"points": [[1, 2]], "color": "red"}]')).toThrow(/#rrggbb/);
    expect(() => parseStrokes('[{"color": "#ff0000"}]')).toThrow(/points/);
  });

  it('takes simulated hints (methods/hints.ts, tested there) as strokes: each fixes exactly its square', () => {
    const truth = new Float32Array(2 * W * H);
    for (let i = 0; i < W * H; i++) { truth[2 * i] = i % W; truth[2 * i + 1] = Math.floor(i / W); }
    const s = simulateHints(truth, W, H, { count: 50, seed: 7 });
    expect(s).toHaveLength(50);
    expect(simulateHints(truth, W, H, { count: 50, seed: 7 })).toEqual(s);
    for (const st of s) {
      const { fixed } = rasterizeStrokes([st], W, H);
      const [cx, cy] = st.points[0];
      const lo = -Math.floor((st.width! - 1) / 2), hi = Math.ceil((st.width! - 1) / 2);
      const nx = Math.min(W - 1, cx + hi) - Math.max(0, cx + lo) + 1, ny = Math.min(H - 1, cy + hi) - Math.max(0, cy + lo) + 1;
      expect(fixed.reduce((p, q) => p + q, 0)).toBe(nx * ny);
    }
  });
});

describe('scribble confidence', () => {
  it('is exp(-geodesic distance to the strokes): 1 on the stroke, less far away, much less behind an edge', async () => {
    const w = 60, h = 20;
    // Two flat halves (L* 30 | 70) with a sharp edge at x = 30; a dot stroke at (5, 10).
    const L = new Float32Array(w * h).map((_, i) => (i % w < 30 ? 30 : 70));
    const strokes: Stroke[] = [{ points: [[5, 10]], width: 1, color: '#c03030' }];
    const plain = await scribbleMethod.colorize({ width: w, height: h, L }, { strokes });
    expect(plain.confidence).toBeUndefined();
    const { confidence } = await scribbleMethod.colorize({ width: w, height: h, L }, { strokes, confidence: true });
    const at = (x: number, y: number) => confidence![y * w + x];
    expect(at(5, 10)).toBe(1);
    // Flat region: a step costs 1 / (0.1 * 60) = 1/6, so 20 px to the right is exp(-20/6).
    expect(at(25, 10)).toBeCloseTo(Math.exp(-20 / 6), 3);
    expect(at(15, 10)).toBeGreaterThan(at(25, 10));
    // Just across the edge: as far as x = 29 plus one step plus the edge (weight ~0, capped cost >= 1).
    expect(at(30, 10)).toBeLessThan(at(29, 10) * Math.exp(-1));
  });
});
