/**
 * Sparse linear algebra for scribble colorization (Levin, Lischinski and Weiss, "Colorization
 * using Optimization", SIGGRAPH 2004): the affinity graph of an image's 3x3 neighborhoods, and a
 * conjugate gradient solver for its constrained (Dirichlet) Laplacian system, preconditioned by an
 * aggregation multigrid V-cycle (or Jacobi). Browser-safe (no Node built-ins).
 *
 * The paper asks each free pixel's chroma to be the weighted average of its 8 neighbors',
 * U(r) = sum_s w_rs U(s), with w_rs = K_rs / sum_s K_rs, while stroke pixels keep their color.
 * Multiplying each free row by its degree D_r = sum_s K_rs gives D_r U(r) - sum_s K_rs U(s) = 0:
 * with a symmetric K this is the graph Laplacian restricted to the free pixels, which is
 * symmetric positive definite whenever every connected region touches a stroke, so conjugate
 * gradients apply. The paper's K_rs = exp(-(Y_r - Y_s)^2 / (2 sigma_r^2)) uses the window
 * variance at r only and is not symmetric; we use the mean of the two pixels' variances,
 * K_rs = exp(-(Y_r - Y_s)^2 / ((c_r + c_s) / 2)), c_r = 2 sigma_r^2 chosen as in the authors'
 * published code (c_r = 0.6 * variance of the 3x3 window of Y in 0..1, raised so that the most
 * similar neighbor keeps a weight >= 0.01, and at least 2e-6).
 */

/** The 3x3-neighborhood affinity graph of a grid image (each edge stored once). */
export interface GridAffinity {
  width: number;
  height: number;
  /** Weight between (x, y) and (x+1, y); 0 at the right border. */
  east: Float32Array;
  /** Weight between (x, y) and (x, y+1); 0 at the bottom border. */
  south: Float32Array;
  /** Weight between (x, y) and (x+1, y+1). */
  southEast: Float32Array;
  /** Weight between (x, y) and (x-1, y+1). */
  southWest: Float32Array;
  /** Row sums D_r of all 8 weights. */
  degree: Float32Array;
}

/** Options of buildGridAffinity. */
export interface AffinityOptions {
  /** Multiplies the local variance that sets the kernel width (0.6 in Levin's code). Default 0.6. */
  varianceScale?: number;
  /** Lower bound of the kernel width c. Default 2e-6. */
  minWidth?: number;
}

/**
 * Builds the affinity graph from intensities Y in 0..1 (L* / 100).
 *
 * @example
 * const g = buildGridAffinity(Y, 512, 512);
 */
export function buildGridAffinity(Y: Float32Array, width: number, height: number, options: AffinityOptions = {}): GridAffinity {
  const n = width * height;
  const vs = options.varianceScale ?? 0.6;
  const minW = options.minWidth ?? 2e-6;
  const c = new Float32Array(n);
  const LOG100 = Math.log(100); // -log(0.01)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = y * width + x, yr = Y[r];
      let s = 0, s2 = 0, cnt = 0, mgv = Infinity;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const v = Y[yy * width + xx];
          s += v; s2 += v * v; cnt++;
          if (dx !== 0 || dy !== 0) { const d = (v - yr) * (v - yr); if (d < mgv) mgv = d; }
        }
      }
      const m = s / cnt;
      let cs = vs * Math.max(0, s2 / cnt - m * m);
      if (mgv !== Infinity && cs < mgv / LOG100) cs = mgv / LOG100;
      if (cs < minW) cs = minW;
      c[r] = cs;
    }
  }
  const east = new Float32Array(n), south = new Float32Array(n), southEast = new Float32Array(n), southWest = new Float32Array(n);
  const degree = new Float32Array(n);
  const w = (r: number, s: number): number => {
    const d = Y[r] - Y[s];
    return Math.exp((-2 * d * d) / (c[r] + c[s]));
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = y * width + x;
      if (x + 1 < width) { const k = w(r, r + 1); east[r] = k; degree[r] += k; degree[r + 1] += k; }
      if (y + 1 < height) {
        const k = w(r, r + width); south[r] = k; degree[r] += k; degree[r + width] += k;
        if (x + 1 < width) { const k2 = w(r, r + width + 1); southEast[r] = k2; degree[r] += k2; degree[r + width + 1] += k2; }
        if (x > 0) { const k3 = w(r, r + width - 1); southWest[r] = k3; degree[r] += k3; degree[r + width - 1] += k3; }
      }
    }
  }
  return { width, height, east, south, southEast, southWest, degree };
}

/**
 * The free-pixel block of the constrained system, A = D - K restricted to active pixels:
 * `diag` is D_r (all 8 weights, including those to fixed pixels), the edge arrays hold K only
 * between two active pixels. Inactive (fixed) pixels have diag 0 and take no part.
 */
export interface GridOperator {
  width: number;
  height: number;
  east: Float32Array;
  south: Float32Array;
  southEast: Float32Array;
  southWest: Float32Array;
  diag: Float32Array;
}

/** The operator of the free pixels of `g` given the constraint mask. */
export function restrictToFree(g: GridAffinity, fixed: Uint8Array): GridOperator {
  const { width: W, height: H } = g;
  const n = W * H;
  const east = g.east.slice(), south = g.south.slice(), southEast = g.southEast.slice(), southWest = g.southWest.slice();
  const diag = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    if (fixed[r]) {
      east[r] = south[r] = southEast[r] = southWest[r] = 0;
      if (r >= 1) east[r - 1] = 0;
      if (r >= W) south[r - W] = 0;
      if (r >= W + 1) southEast[r - W - 1] = 0;
      if (r >= W - 1) southWest[r - W + 1] = 0;
    } else diag[r] = g.degree[r];
  }
  return { width: W, height: H, east, south, southEast, southWest, diag };
}

/** Sum over the 8 neighbors s of K_rs v_s (weights to missing neighbors are 0). */
function neighborSum(op: GridOperator, v: Float32Array, r: number, n: number): number {
  const W = op.width;
  let acc = 0;
  if (r + 1 < n) acc += op.east[r] * v[r + 1];
  if (r >= 1) acc += op.east[r - 1] * v[r - 1];
  if (r + W < n) {
    acc += op.south[r] * v[r + W] + op.southWest[r] * v[r + W - 1];
    if (r + W + 1 < n) acc += op.southEast[r] * v[r + W + 1];
  }
  if (r >= W) {
    acc += op.south[r - W] * v[r - W] + op.southWest[r - W + 1] * v[r - W + 1];
    if (r >= W + 1) acc += op.southEast[r - W - 1] * v[r - W - 1];
  }
  return acc;
}

/** out = A v (0 on inactive pixels). Interior rows skip the bounds checks. */
export function applyOperator(op: GridOperator, v: Float32Array, out: Float32Array): void {
  const { width: W, height: H, east: e, south: s, southEast: se, southWest: sw, diag: d } = op;
  const n = W * H;
  const lo = Math.min(n, W + 1), hi = Math.max(lo, n - W - 1);
  for (let r = 0; r < lo; r++) out[r] = d[r] === 0 ? 0 : d[r] * v[r] - neighborSum(op, v, r, n);
  for (let r = lo; r < hi; r++) {
    if (d[r] === 0) { out[r] = 0; continue; }
    out[r] = d[r] * v[r] - (e[r] * v[r + 1] + e[r - 1] * v[r - 1] + s[r] * v[r + W] + s[r - W] * v[r - W] +
      se[r] * v[r + W + 1] + se[r - W - 1] * v[r - W - 1] + sw[r] * v[r + W - 1] + sw[r - W + 1] * v[r - W + 1]);
  }
  for (let r = hi; r < n; r++) out[r] = d[r] === 0 ? 0 : d[r] * v[r] - neighborSum(op, v, r, n);
}

/** One Gauss-Seidel sweep for A x = b, forward (raster order) or backward. */
function sweepGaussSeidel(op: GridOperator, x: Float32Array, b: Float32Array, forward: boolean): void {
  const { width: W, height: H, east: e, south: s, southEast: se, southWest: sw, diag: d } = op;
  const n = W * H;
  const lo = Math.min(n, W + 1), hi = Math.max(lo, n - W - 1);
  const step = (r: number): void => {
    if (d[r] !== 0) x[r] = (b[r] + neighborSum(op, x, r, n)) / d[r];
  };
  if (forward) {
    for (let r = 0; r < lo; r++) step(r);
    for (let r = lo; r < hi; r++) {
      if (d[r] === 0) continue;
      x[r] = (b[r] + e[r] * x[r + 1] + e[r - 1] * x[r - 1] + s[r] * x[r + W] + s[r - W] * x[r - W] +
        se[r] * x[r + W + 1] + se[r - W - 1] * x[r - W - 1] + sw[r] * x[r + W - 1] + sw[r - W + 1] * x[r - W + 1]) / d[r];
    }
    for (let r = hi; r < n; r++) step(r);
  } else {
    for (let r = n - 1; r >= hi; r--) step(r);
    for (let r = hi - 1; r >= lo; r--) {
      if (d[r] === 0) continue;
      x[r] = (b[r] + e[r] * x[r + 1] + e[r - 1] * x[r - 1] + s[r] * x[r + W] + s[r - W] * x[r - W] +
        se[r] * x[r + W + 1] + se[r - W - 1] * x[r - W - 1] + sw[r] * x[r + W - 1] + sw[r - W + 1] * x[r - W + 1]) / d[r];
    }
    for (let r = lo - 1; r >= 0; r--) step(r);
  }
}

/**
 * Galerkin coarsening by 2x2 aggregation: A_c = P^T A P with P the piecewise-constant
 * prolongation. The coarse matrix is again an 8-neighbor grid operator: coarse weights are sums
 * of the fine weights between the two blocks; the coarse diagonal is the sum of the block's
 * entries of A (its diagonals minus twice its internal weights).
 */
export function coarsenOperator(op: GridOperator): GridOperator {
  const { width: W, height: H } = op;
  const w2 = Math.ceil(W / 2), h2 = Math.ceil(H / 2);
  const m = w2 * h2;
  const east = new Float32Array(m), south = new Float32Array(m), southEast = new Float32Array(m), southWest = new Float32Array(m);
  const diag = new Float32Array(m);
  const add = (bI: number, bxI: number, byI: number, x2: number, y2: number, k: number): void => {
    const bx = x2 >> 1, by = y2 >> 1;
    const dx = bx - bxI, dy = by - byI;
    if (dx === 0 && dy === 0) { diag[bI] -= 2 * k; return; }
    if (dy === 0) {
      // East neighbor block, or (a south-west edge whose lower end lies in the block to the left) west.
      if (dx === 1) east[bI] += k;
      else east[bI - 1] += k;
    } else if (dx === 0) south[bI] += k;
    else if (dx === 1) southEast[bI] += k;
    else southWest[bI] += k;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const r = y * W + x;
      const bxI = x >> 1, byI = y >> 1, bI = byI * w2 + bxI;
      diag[bI] += op.diag[r];
      if (op.east[r]) add(bI, bxI, byI, x + 1, y, op.east[r]);
      if (op.south[r]) add(bI, bxI, byI, x, y + 1, op.south[r]);
      if (op.southEast[r]) add(bI, bxI, byI, x + 1, y + 1, op.southEast[r]);
      if (op.southWest[r]) add(bI, bxI, byI, x - 1, y + 1, op.southWest[r]);
    }
  }
  // Rounding can leave a tiny positive diagonal on an all-fixed block: clear such blocks.
  for (let i = 0; i < m; i++) if (diag[i] <= 1e-12) diag[i] = 0;
  return { width: w2, height: h2, east, south, southEast, southWest, diag };
}

/** A multigrid hierarchy for one operator. */
export interface Multigrid {
  levels: GridOperator[];
  /** Work vectors per level. */
  work: { x: Float32Array; b: Float32Array; r: Float32Array }[];
}

/** Builds the hierarchy down to a level whose larger side is <= `coarsest` (default 8). */
export function buildMultigrid(op: GridOperator, coarsest = 8): Multigrid {
  const levels = [op];
  while (Math.max(levels[levels.length - 1].width, levels[levels.length - 1].height) > coarsest) {
    levels.push(coarsenOperator(levels[levels.length - 1]));
  }
  const work = levels.map((l) => {
    const n = l.width * l.height;
    return { x: new Float32Array(n), b: new Float32Array(n), r: new Float32Array(n) };
  });
  return { levels, work };
}

/**
 * One symmetric V(1,1)-cycle from x = 0: z = M^-1 r, with a forward Gauss-Seidel pre-smoothing,
 * a backward post-smoothing and the coarse correction scaled by `overCorrect` (piecewise-constant
 * prolongation underestimates smooth errors; about 2 in 2D). Symmetric, so usable in CG.
 */
function vcycle(mg: Multigrid, level: number, overCorrect: number): void {
  const op = mg.levels[level];
  const { x, b, r } = mg.work[level];
  x.fill(0);
  if (level === mg.levels.length - 1) {
    for (let k = 0; k < 16; k++) { sweepGaussSeidel(op, x, b, true); sweepGaussSeidel(op, x, b, false); }
    return;
  }
  sweepGaussSeidel(op, x, b, true);
  applyOperator(op, x, r);
  const W = op.width, H = op.height;
  const coarse = mg.work[level + 1], cw = mg.levels[level + 1].width;
  coarse.b.fill(0);
  for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
    const i = y * W + xx;
    if (op.diag[i] !== 0) coarse.b[(y >> 1) * cw + (xx >> 1)] += b[i] - r[i];
  }
  vcycle(mg, level + 1, overCorrect);
  for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
    const i = y * W + xx;
    if (op.diag[i] !== 0) x[i] += overCorrect * coarse.x[(y >> 1) * cw + (xx >> 1)];
  }
  sweepGaussSeidel(op, x, b, false);
}

/** Options of solveDirichlet. */
export interface SolveOptions {
  /** Stop when ||residual|| <= tol * ||right-hand side|| (per channel). Default 1e-4. */
  tol?: number;
  /** Iteration cap. Default 500. */
  maxIter?: number;
  /** 'multigrid' (default): one V-cycle per iteration; 'jacobi': divide by the diagonal. */
  preconditioner?: 'multigrid' | 'jacobi';
  /** Scale of the coarse-grid correction in the V-cycle. Default 1 (fewest iterations measured). */
  overCorrect?: number;
}

/** What a solve did. */
export interface SolveStats {
  iterations: number[];
  /** Final relative residual per channel. */
  relResidual: number[];
}

/**
 * Solves, for each channel, D_r x_r - sum_s K_rs x_s = 0 at free pixels with x fixed at the
 * constrained pixels (`fixed[r]` = 1), by preconditioned conjugate gradients (multigrid V-cycle
 * or Jacobi). `x` holds the channels planar (`x[c]`, each width*height): the constrained values
 * in place and the warm start elsewhere; it is overwritten with the solution.
 *
 * @example
 * const st = solveDirichlet(buildGridAffinity(Y, w, h), fixed, [a, b], { tol: 1e-5 });
 */
export function solveDirichlet(g: GridAffinity, fixed: Uint8Array, x: Float32Array[], options: SolveOptions = {}): SolveStats {
  const tol = options.tol ?? 1e-4;
  const maxIter = options.maxIter ?? 500;
  const om = options.overCorrect ?? 1;
  const n = g.width * g.height;
  const op = restrictToFree(g, fixed);
  const mg = (options.preconditioner ?? 'multigrid') === 'multigrid' ? buildMultigrid(op) : undefined;
  const D = op.diag;
  const stats: SolveStats = { iterations: [], relResidual: [] };
  const r = new Float32Array(n), z = new Float32Array(n), p = new Float32Array(n), q = new Float32Array(n);
  const full: GridOperator = { ...op, east: g.east, south: g.south, southEast: g.southEast, southWest: g.southWest, diag: g.degree };
  const xc = new Float32Array(n), kc = new Float32Array(n);
  const precondition = (): number => {
    if (mg) {
      mg.work[0].b.set(r);
      vcycle(mg, 0, om);
      z.set(mg.work[0].x);
    } else for (let i = 0; i < n; i++) z[i] = D[i] ? r[i] / D[i] : 0;
    let rz = 0;
    for (let i = 0; i < n; i++) rz += r[i] * z[i];
    return rz;
  };
  for (const xv of x) {
    // Right side b = K_fc x_c: the constraints' pull on free pixels. (D - K) x_c = -K x_c on free pixels.
    for (let i = 0; i < n; i++) xc[i] = fixed[i] ? xv[i] : 0;
    applyOperator(full, xc, kc);
    // Residual r = b - A x0 with x0 the free part of xv: b - A x0 = -(full operator on xv) on free pixels.
    let bn = 0;
    for (let i = 0; i < n; i++) if (!fixed[i]) bn += kc[i] * kc[i];
    bn = Math.sqrt(bn);
    applyOperator(full, xv, q);
    let rn = 0;
    for (let i = 0; i < n; i++) { r[i] = fixed[i] ? 0 : -q[i]; rn += r[i] * r[i]; }
    const target = tol * (bn > 0 ? bn : 1);
    let res = Math.sqrt(rn);
    let it = 0;
    if (res > target) {
      let rz = precondition();
      p.set(z);
      while (it < maxIter && res > target) {
        applyOperator(op, p, q);
        let pq = 0;
        for (let i = 0; i < n; i++) pq += p[i] * q[i];
        if (!(pq > 0)) break;
        const alpha = rz / pq;
        rn = 0;
        for (let i = 0; i < n; i++) {
          if (D[i] === 0) continue;
          xv[i] += alpha * p[i];
          r[i] -= alpha * q[i];
          rn += r[i] * r[i];
        }
        res = Math.sqrt(rn);
        it++;
        if (res <= target) break;
        const rzNew = precondition();
        const beta = rzNew / rz;
        rz = rzNew;
        for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
      }
    }
    stats.iterations.push(it);
    stats.relResidual.push(bn > 0 ? res / bn : res);
  }
  return stats;
}
