/**
 * Sparse linear algebra for scribble colorization (Levin, Lischinski and Weiss, "Colorization
 * using Optimization", SIGGRAPH 2004): the affinity graph of an image's 3x3 neighborhoods, and a
 * conjugate gradient solver for its constrained (Dirichlet) Laplacian system, preconditioned by an
 * aggregation multigrid (2x2 blocks, Galerkin coarse operators, Gauss-Seidel smoothing) run as a
 * K-cycle (default), a V-cycle, or plain Jacobi. Browser-safe (no Node built-ins).
 *
 * Measured on 512x512 real images (blood smear, colonoscopy, natural photographs) with 1..100
 * simulated strokes, to a relative residual of 1e-3: K-cycle 6-10 iterations, V-cycle 16-40,
 * about 1.75x less CPU in total with the K-cycle.
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
export interface GridOperator extends Omit<GridAffinity, 'degree'> {
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

/** A multigrid hierarchy for one operator, with work vectors for two interleaved channels. */
export interface Multigrid {
  levels: GridOperator[];
  work: { x: Float64Array; b: Float64Array; r: Float64Array }[];
  /** Extra vectors of the K-cycle's inner Krylov steps, per level (allocated on first use). */
  krylov: ({ rhs: Float64Array; c: Float64Array; v: Float64Array; d: Float64Array; w: Float64Array } | undefined)[];
  /** K-cycle (true) or V-cycle. */
  kcycle: boolean;
}

/** Builds the hierarchy down to a level whose larger side is <= `coarsest` (default 8). */
export function buildMultigrid(op: GridOperator, coarsest = 8): Multigrid {
  const levels = [op];
  while (Math.max(levels[levels.length - 1].width, levels[levels.length - 1].height) > coarsest) {
    levels.push(coarsenOperator(levels[levels.length - 1]));
  }
  const work = levels.map((l) => {
    const n = 2 * l.width * l.height;
    return { x: new Float64Array(n), b: new Float64Array(n), r: new Float64Array(n) };
  });
  return { levels, work, krylov: levels.map(() => undefined), kcycle: false };
}

// Two-channel kernels: vectors interleave the two right-hand sides (a*, b*), so each weight is
// loaded once for both and the two Gauss-Seidel recurrences run side by side.

/** out = A v for two interleaved channels (0 on inactive pixels); interior rows unchecked. */
function applyOperator2(op: GridOperator, v: Float64Array, out: Float64Array): void {
  const { width: W, height: H, east: e, south: s, southEast: se, southWest: sw, diag: d } = op;
  const n = W * H;
  const lo = Math.min(n, W + 1), hi = Math.max(lo, n - W - 1);
  const W2 = 2 * W;
  const acc = new Float64Array(2);
  const edge = (r: number): void => {
    const dr = d[r];
    if (dr === 0) { out[2 * r] = 0; out[2 * r + 1] = 0; return; }
    neighborSums2(op, v, r, n, acc);
    out[2 * r] = dr * v[2 * r] - acc[0]; out[2 * r + 1] = dr * v[2 * r + 1] - acc[1];
  };
  for (let r = 0; r < lo; r++) edge(r);
  for (let r = lo; r < hi; r++) {
    const dr = d[r], j = 2 * r;
    if (dr === 0) { out[j] = 0; out[j + 1] = 0; continue; }
    const ke = e[r], kw = e[r - 1], ks = s[r], kn = s[r - W], kse = se[r], knw = se[r - W - 1], ksw = sw[r], kne = sw[r - W + 1];
    out[j] = dr * v[j] - (ke * v[j + 2] + kw * v[j - 2] + ks * v[j + W2] + kn * v[j - W2] +
      kse * v[j + W2 + 2] + knw * v[j - W2 - 2] + ksw * v[j + W2 - 2] + kne * v[j - W2 + 2]);
    out[j + 1] = dr * v[j + 1] - (ke * v[j + 3] + kw * v[j - 1] + ks * v[j + W2 + 1] + kn * v[j - W2 + 1] +
      kse * v[j + W2 + 3] + knw * v[j - W2 - 1] + ksw * v[j + W2 - 1] + kne * v[j - W2 + 3]);
  }
  for (let r = hi; r < n; r++) edge(r);
}

/**
 * Weighted sums of the 8 neighbours of pixel r for two interleaved channels, with bounds checks
 * (border rows); written to acc[0], acc[1].
 */
function neighborSums2(op: GridOperator, x: Float64Array, r: number, n: number, acc: Float64Array): void {
  const { width: W, east: e, south: s, southEast: se, southWest: sw } = op;
  let a0 = 0, a1 = 0;
  if (r + 1 < n) { const k = e[r]; a0 += k * x[2 * r + 2]; a1 += k * x[2 * r + 3]; }
  if (r >= 1) { const k = e[r - 1]; a0 += k * x[2 * r - 2]; a1 += k * x[2 * r - 1]; }
  if (r + W < n) {
    let k = s[r]; let j = 2 * (r + W); a0 += k * x[j]; a1 += k * x[j + 1];
    k = sw[r]; j -= 2; a0 += k * x[j]; a1 += k * x[j + 1];
    if (r + W + 1 < n) { k = se[r]; j += 4; a0 += k * x[j]; a1 += k * x[j + 1]; }
  }
  if (r >= W) {
    let k = s[r - W]; let j = 2 * (r - W); a0 += k * x[j]; a1 += k * x[j + 1];
    k = sw[r - W + 1]; j += 2; a0 += k * x[j]; a1 += k * x[j + 1];
    if (r >= W + 1) { k = se[r - W - 1]; j -= 4; a0 += k * x[j]; a1 += k * x[j + 1]; }
  }
  acc[0] = a0; acc[1] = a1;
}

const relaxAcc = new Float64Array(2);

/** One Gauss-Seidel update of pixel r for two interleaved channels, with bounds checks (border rows). */
function relax2(op: GridOperator, x: Float64Array, b: Float64Array, r: number, n: number): void {
  const dr = op.diag[r];
  if (dr === 0) return;
  neighborSums2(op, x, r, n, relaxAcc);
  x[2 * r] = (b[2 * r] + relaxAcc[0]) / dr; x[2 * r + 1] = (b[2 * r + 1] + relaxAcc[1]) / dr;
}

/** Gauss-Seidel update of interior pixels r0 <= r < r1 (step +1 or -1), no bounds checks. */
function relaxInterior(op: GridOperator, x: Float64Array, b: Float64Array, from: number, to: number, step: number): void {
  const W = op.width, e = op.east, s = op.south, se = op.southEast, sw = op.southWest, d = op.diag;
  const W2 = 2 * W;
  for (let r = from; r !== to; r += step) {
    const dr = d[r];
    if (dr === 0) continue;
    const j = 2 * r;
    const ke = e[r], kw = e[r - 1], ks = s[r], kn = s[r - W], kse = se[r], knw = se[r - W - 1], ksw = sw[r], kne = sw[r - W + 1];
    const jn = j - W2, js = j + W2;
    x[j] = (b[j] + ke * x[j + 2] + kw * x[j - 2] + ks * x[js] + kn * x[jn] +
      kse * x[js + 2] + knw * x[jn - 2] + ksw * x[js - 2] + kne * x[jn + 2]) / dr;
    x[j + 1] = (b[j + 1] + ke * x[j + 3] + kw * x[j - 1] + ks * x[js + 1] + kn * x[jn + 1] +
      kse * x[js + 3] + knw * x[jn - 1] + ksw * x[js - 1] + kne * x[jn + 3]) / dr;
  }
}

/** Gauss-Seidel sweep (raster order or reverse) for two interleaved channels; interior rows unchecked. */
function sweep2(op: GridOperator, x: Float64Array, b: Float64Array, forward: boolean): void {
  const n = op.width * op.height;
  const lo = Math.min(n, op.width + 1), hi = Math.max(lo, n - op.width - 1);
  if (forward) {
    for (let r = 0; r < lo; r++) relax2(op, x, b, r, n);
    relaxInterior(op, x, b, lo, hi, 1);
    for (let r = hi; r < n; r++) relax2(op, x, b, r, n);
  } else {
    for (let r = n - 1; r >= hi; r--) relax2(op, x, b, r, n);
    relaxInterior(op, x, b, hi - 1, lo - 1, -1);
    for (let r = lo - 1; r >= 0; r--) relax2(op, x, b, r, n);
  }
}

/**
 * One symmetric V(1,1)-cycle from x = 0 (z = M^-1 r): forward Gauss-Seidel pre-smoothing,
 * restriction of the residual by summing each 2x2 block, recursive coarse solve, piecewise-
 * constant prolongation scaled by `overCorrect`, backward Gauss-Seidel post-smoothing. Symmetric,
 * so it is a valid preconditioner for conjugate gradients. The coarsest level gets 16 symmetric
 * Gauss-Seidel sweeps.
 */
function vcycle(mg: Multigrid, level: number, overCorrect: number): void {
  const op = mg.levels[level];
  const { x, b, r } = mg.work[level];
  x.fill(0);
  if (level === mg.levels.length - 1) {
    for (let k = 0; k < 16; k++) { sweep2(op, x, b, true); sweep2(op, x, b, false); }
    return;
  }
  sweep2(op, x, b, true);
  applyOperator2(op, x, r);
  const W = op.width, H = op.height;
  const coarse = mg.work[level + 1], cw = mg.levels[level + 1].width;
  const cb = coarse.b;
  cb.fill(0);
  for (let y = 0; y < H; y++) {
    const crow = (y >> 1) * cw;
    for (let xx = 0; xx < W; xx++) {
      const i = y * W + xx;
      if (op.diag[i] === 0) continue;
      const o = 2 * (crow + (xx >> 1));
      cb[o] += b[2 * i] - r[2 * i];
      cb[o + 1] += b[2 * i + 1] - r[2 * i + 1];
    }
  }
  if (mg.kcycle && level + 2 < mg.levels.length) krylovCoarse(mg, level + 1, overCorrect);
  else vcycle(mg, level + 1, overCorrect);
  const cx = coarse.x;
  for (let y = 0; y < H; y++) {
    const crow = (y >> 1) * cw;
    for (let xx = 0; xx < W; xx++) {
      const i = y * W + xx;
      if (op.diag[i] === 0) continue;
      const o = 2 * (crow + (xx >> 1));
      x[2 * i] += overCorrect * cx[o];
      x[2 * i + 1] += overCorrect * cx[o + 1];
    }
  }
  sweep2(op, x, b, false);
}

/**
 * K-cycle coarse solve (Notay and Vassilevski 2008): the coarse system A_c x = b_c is solved by
 * two steps of flexible conjugate gradients preconditioned by the next cycle, per channel, instead
 * of one plain cycle. This corrects the piecewise-constant prolongation's scaling adaptively and
 * keeps the iteration count nearly independent of the image size.
 */
function krylovCoarse(mg: Multigrid, level: number, overCorrect: number): void {
  const op = mg.levels[level];
  const wk = mg.work[level];
  const m = wk.b.length;
  let kv = mg.krylov[level];
  if (!kv) {
    kv = { rhs: new Float64Array(m), c: new Float64Array(m), v: new Float64Array(m), d: new Float64Array(m), w: new Float64Array(m) };
    mg.krylov[level] = kv;
  }
  const { rhs, c, v, d, w } = kv;
  rhs.set(wk.b);
  vcycle(mg, level, overCorrect);
  c.set(wk.x);
  applyOperator2(op, c, v);
  const rho1 = [0, 0], alpha1 = [0, 0];
  for (let i = 0; i < m; i += 2) {
    rho1[0] += c[i] * v[i]; rho1[1] += c[i + 1] * v[i + 1];
    alpha1[0] += c[i] * rhs[i]; alpha1[1] += c[i + 1] * rhs[i + 1];
  }
  const s1 = [rho1[0] > 0 ? alpha1[0] / rho1[0] : 0, rho1[1] > 0 ? alpha1[1] / rho1[1] : 0];
  // Second step on the remaining residual.
  const b = wk.b;
  for (let i = 0; i < m; i += 2) { b[i] = rhs[i] - s1[0] * v[i]; b[i + 1] = rhs[i + 1] - s1[1] * v[i + 1]; }
  vcycle(mg, level, overCorrect);
  d.set(wk.x);
  applyOperator2(op, d, w);
  const gamma = [0, 0], beta = [0, 0], alpha2 = [0, 0];
  for (let i = 0; i < m; i += 2) {
    gamma[0] += d[i] * v[i]; gamma[1] += d[i + 1] * v[i + 1];
    beta[0] += d[i] * w[i]; beta[1] += d[i + 1] * w[i + 1];
    alpha2[0] += d[i] * b[i]; alpha2[1] += d[i + 1] * b[i + 1];
  }
  const cc = [0, 0], cd = [0, 0];
  for (let ch = 0; ch < 2; ch++) {
    const rho2 = rho1[ch] > 0 ? beta[ch] - (gamma[ch] * gamma[ch]) / rho1[ch] : 0;
    if (rho2 > 1e-30 * Math.max(beta[ch], 1e-300)) {
      cd[ch] = alpha2[ch] / rho2;
      cc[ch] = s1[ch] - (gamma[ch] * cd[ch]) / rho1[ch];
    } else cc[ch] = s1[ch];
  }
  const x = wk.x;
  for (let i = 0; i < m; i += 2) {
    x[i] = cc[0] * c[i] + cd[0] * d[i];
    x[i + 1] = cc[1] * c[i + 1] + cd[1] * d[i + 1];
  }
  b.set(rhs);
}

/** Options of solveDirichlet. */
export interface SolveOptions {
  /** Stop when ||residual|| <= tol * ||right-hand side|| (per channel). Default 1e-4. */
  tol?: number;
  /** Iteration cap. Default 500. */
  maxIter?: number;
  /**
   * 'kcycle' (default): one multigrid K-cycle per iteration (flexible CG); 'multigrid': one
   * V-cycle; 'jacobi': divide by the diagonal.
   */
  preconditioner?: 'kcycle' | 'multigrid' | 'jacobi';
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
 * or Jacobi). `x` holds one or two channels planar (`x[c]`, each width*height): the constrained
 * values in place and the warm start elsewhere; it is overwritten with the solution. Two
 * channels are solved together (shared sweeps, separate CG scalars and stopping).
 *
 * @example
 * const st = solveDirichlet(buildGridAffinity(Y, w, h), fixed, [a, b], { tol: 1e-5 });
 */
export function solveDirichlet(g: GridAffinity, fixed: Uint8Array, x: Float32Array[], options: SolveOptions = {}): SolveStats {
  if (x.length > 2) {
    const a = solveDirichlet(g, fixed, x.slice(0, 2), options);
    const b = solveDirichlet(g, fixed, x.slice(2), options);
    return { iterations: [...a.iterations, ...b.iterations], relResidual: [...a.relResidual, ...b.relResidual] };
  }
  const nc = x.length;
  const tol = options.tol ?? 1e-4;
  const maxIter = options.maxIter ?? 500;
  const om = options.overCorrect ?? 1;
  const n = g.width * g.height;
  const op = restrictToFree(g, fixed);
  const pc = options.preconditioner ?? 'kcycle';
  const mg = pc === 'jacobi' ? undefined : buildMultigrid(op);
  if (mg) mg.kcycle = pc === 'kcycle';
  // The K-cycle is not a fixed linear operator: flexible CG (Polak-Ribiere beta) needs r_old.
  const rOld = mg?.kcycle ? new Float64Array(2 * n) : undefined;
  const D = op.diag;
  const full: GridOperator = { ...op, east: g.east, south: g.south, southEast: g.southEast, southWest: g.southWest, diag: g.degree };
  // Interleaved copies (a missing second channel is all zero and converges at once).
  const xv = new Float64Array(2 * n), r = new Float64Array(2 * n), z = new Float64Array(2 * n);
  const p = new Float64Array(2 * n), q = new Float64Array(2 * n), xc = new Float64Array(2 * n);
  if (mg) { mg.work[0].b = r; mg.work[0].x = z; }
  for (let c = 0; c < nc; c++) for (let i = 0; i < n; i++) { xv[2 * i + c] = x[c][i]; if (fixed[i]) xc[2 * i + c] = x[c][i]; }
  // b = K_fc x_c; (D - K) x_c = -b on free pixels. r = b - A x0 = -(full operator on x) on free pixels.
  applyOperator2(full, xc, q);
  const bn = [0, 0];
  for (let i = 0; i < n; i++) if (!fixed[i]) { bn[0] += q[2 * i] ** 2; bn[1] += q[2 * i + 1] ** 2; }
  bn[0] = Math.sqrt(bn[0]); bn[1] = Math.sqrt(bn[1]);
  applyOperator2(full, xv, q);
  const rn = [0, 0];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      const v = fixed[i] ? 0 : -q[2 * i + c];
      r[2 * i + c] = v; rn[c] += v * v;
    }
  }
  const target = [tol * (bn[0] > 0 ? bn[0] : 1), tol * (bn[1] > 0 ? bn[1] : 1)];
  const res = [Math.sqrt(rn[0]), Math.sqrt(rn[1])];
  const done = [res[0] <= target[0], res[1] <= target[1]];
  const its = [0, 0];
  const rz = [0, 0];
  const precondition = (out: number[]): void => {
    if (mg) vcycle(mg, 0, om); // reads r, writes z (aliased as the finest level's b and x)
    else for (let i = 0; i < n; i++) { const d = D[i]; z[2 * i] = d ? r[2 * i] / d : 0; z[2 * i + 1] = d ? r[2 * i + 1] / d : 0; }
    out[0] = 0; out[1] = 0;
    for (let i = 0; i < 2 * n; i += 2) { out[0] += r[i] * z[i]; out[1] += r[i + 1] * z[i + 1]; }
  };
  if (!(done[0] && done[1])) {
    precondition(rz);
    p.set(z);
    const pq = [0, 0], alpha = [0, 0], rzNew = [0, 0];
    for (let it = 0; it < maxIter && !(done[0] && done[1]); it++) {
      applyOperator2(op, p, q);
      pq[0] = 0; pq[1] = 0;
      for (let i = 0; i < 2 * n; i += 2) { pq[0] += p[i] * q[i]; pq[1] += p[i + 1] * q[i + 1]; }
      for (let c = 0; c < 2; c++) {
        alpha[c] = done[c] || !(pq[c] > 0) ? 0 : rz[c] / pq[c];
        if (!done[c] && !(pq[c] > 0)) done[c] = true; // breakdown: nothing left to reduce
      }
      if (rOld) rOld.set(r);
      rn[0] = 0; rn[1] = 0;
      for (let i = 0; i < n; i++) {
        if (D[i] === 0) continue;
        const j = 2 * i;
        xv[j] += alpha[0] * p[j]; xv[j + 1] += alpha[1] * p[j + 1];
        r[j] -= alpha[0] * q[j]; r[j + 1] -= alpha[1] * q[j + 1];
        rn[0] += r[j] * r[j]; rn[1] += r[j + 1] * r[j + 1];
      }
      for (let c = 0; c < 2; c++) {
        if (done[c]) continue;
        its[c]++;
        res[c] = Math.sqrt(rn[c]);
        if (res[c] <= target[c]) done[c] = true;
      }
      if (done[0] && done[1]) break;
      precondition(rzNew);
      // Flexible CG: beta = z_new . (r_new - r_old) / (z_old . r_old).
      const zOld = [0, 0];
      if (rOld) for (let i = 0; i < 2 * n; i += 2) { zOld[0] += z[i] * rOld[i]; zOld[1] += z[i + 1] * rOld[i + 1]; }
      const beta = [done[0] ? 0 : (rzNew[0] - zOld[0]) / rz[0], done[1] ? 0 : (rzNew[1] - zOld[1]) / rz[1]];
      rz[0] = rzNew[0]; rz[1] = rzNew[1];
      for (let i = 0; i < 2 * n; i += 2) {
        p[i] = done[0] ? 0 : z[i] + beta[0] * p[i];
        p[i + 1] = done[1] ? 0 : z[i + 1] + beta[1] * p[i + 1];
      }
    }
  }
  for (let c = 0; c < nc; c++) for (let i = 0; i < n; i++) if (!fixed[i]) x[c][i] = xv[2 * i + c];
  return {
    iterations: its.slice(0, nc),
    relResidual: res.slice(0, nc).map((v, c) => (bn[c] > 0 ? v / bn[c] : v)),
  };
}
