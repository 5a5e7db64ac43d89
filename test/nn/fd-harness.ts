/**
 * Finite-difference gradient checker for the training engine's VJP rules.
 *
 * A case builds f(inputs) with the Graph builder; the harness forms the scalar loss
 * L = sum_k sum(out_k * W_k) with fixed random weights W_k, asks `gradients` for dL/dinput,
 * runs the graph once in a real ONNX Runtime session for the analytic gradient, then re-runs
 * the same session with one coordinate moved by +-h for the central difference
 * (L(x + h e_i) - L(x - h e_i)) / 2h. The loss of the perturbed runs is summed in float64 in
 * JavaScript from the float32 outputs, so the difference is not drowned in float32 rounding
 * of a long in-graph sum.
 *
 * Kinks (Relu, Max, MaxPool, ...) are handled honestly: a case may expose "guard" tensors
 * whose discrete pattern (signs of floats, values of ints/bools) must be the same at x, x+h
 * and x-h; a coordinate whose perturbation flips a guard is skipped and another is drawn.
 */
import { gradients } from '../../src/nn/autodiff.js';
import { Graph } from '../../src/nn/graph.js';
import type { DType, Tensor } from '../../src/nn/ir.js';
import { mul, reduceSum } from '../../src/nn/ops.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { createRng } from '../../src/random.js';

/** Deterministic PRNG (mulberry32). */
export const makeRng = (seed: number): (() => number) => createRng(seed);

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** How an input's values are drawn. */
export type InputKind =
  | 'uniform' // U(-1, 1)
  | 'positive' // U(0.5, 1.5)
  | 'spaced' // distinct magnitudes in (0.2, 1.2), 1/n apart, with random signs (away from 0 and from each other)
  | 'bool' // random booleans
  | { data: Float32Array | Uint8Array | BigInt64Array };

export interface FdInput {
  name: string;
  shape: number[];
  kind?: InputKind;
  dtype?: DType;
  /** Differentiate with respect to this input (default: float32 inputs). */
  wrt?: boolean;
}

export interface FdBuild {
  /** Outputs that enter the loss. */
  outs: Tensor[];
  /** Tensors whose discrete pattern must not change under a perturbation. */
  guards?: Tensor[];
}

export interface FdCase {
  name: string;
  inputs: FdInput[];
  build: (g: Graph, x: Record<string, Tensor>) => Tensor | Tensor[] | FdBuild;
  /** Step (default 1e-2; 1e-3 is used for piecewise-linear cases by the cases themselves). */
  h?: number;
  /** Relative tolerance per coordinate (default 3e-3). */
  rtol?: number;
  /** Absolute tolerance as a fraction of the largest |gradient| of that input (default 1e-3). */
  atol?: number;
  /** Coordinates checked per input (default 8; all when the input is smaller). */
  samples?: number;
  /** Replaces the analytic gradients (for negative checks that the harness catches errors). */
  corrupt?: (g: Graph, grads: Tensor[], wrt: Tensor[]) => Tensor[];
  /** Input values to use instead of drawn ones. */
  values?: Record<string, Float32Array>;
}

export interface FdReport {
  name: string;
  /** Forward ops that lie on a path from a differentiated input (what this case covers). */
  ops: string[];
  checked: number;
  skipped: number;
  /** Largest |analytic - fd| / (atol + rtol * |fd|) seen; <= 1 passes. */
  worst: number;
  failures: string[];
  ok: boolean;
}

function draw(kind: InputKind, shape: number[], dtype: DType, rng: () => number): Float32Array | Uint8Array | BigInt64Array {
  const n = Graph.size(shape);
  if (typeof kind === 'object') return kind.data;
  if (kind === 'bool' || dtype === 'bool') return Uint8Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0));
  const out = new Float32Array(n);
  if (kind === 'spaced') {
    const order = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const phase = 0.25 + 0.5 * rng(); // so that two spaced tensors do not share a grid
    for (let i = 0; i < n; i++) out[order[i]] = (rng() < 0.5 ? -1 : 1) * (0.2 + (i + phase) / n);
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = kind === 'positive' ? 0.5 + rng() : 2 * rng() - 1;
  return out;
}

function toTensor(dtype: DType, data: Float32Array | Uint8Array | BigInt64Array, shape: number[]): ort.Tensor {
  if (dtype === 'bool') return new ort.Tensor('bool', data as Uint8Array, shape);
  if (dtype === 'int64') return new ort.Tensor('int64', data as BigInt64Array, shape);
  return new ort.Tensor('float32', data as Float32Array, shape);
}

/** Discrete pattern of a guard output: signs for floats, exact values otherwise. */
function pattern(t: ort.Tensor): string {
  const d = t.data as ArrayLike<number | bigint | boolean>;
  let s = '';
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    s += typeof v === 'number' && t.type === 'float32' ? (v > 0 ? '+' : v < 0 ? '-' : '0') : `${String(v)},`;
  }
  return s;
}

/** Runs one case; see the module comment. */
export async function checkGradients(c: FdCase): Promise<FdReport> {
  const rng = makeRng(hashString(c.name));
  const g = new Graph(c.name.replace(/[^A-Za-z0-9_]/g, '_'));
  const tensors: Record<string, Tensor> = {};
  const values: Record<string, Float32Array | Uint8Array | BigInt64Array> = {};
  for (const inp of c.inputs) {
    const dtype = inp.dtype ?? (inp.kind === 'bool' ? 'bool' : 'float32');
    tensors[inp.name] = g.input(inp.name, inp.shape, dtype);
    values[inp.name] = c.values?.[inp.name] ?? draw(inp.kind ?? 'uniform', inp.shape, dtype, rng);
  }
  const wrtInputs = c.inputs.filter((i) => (i.wrt ?? true) && tensors[i.name].dtype === 'float32');
  const wrt = wrtInputs.map((i) => tensors[i.name]);
  const forwardStart = g.nodes.length;
  const built = c.build(g, tensors);
  const spec: FdBuild = Array.isArray(built) ? { outs: built } : 'outs' in built ? built : { outs: [built] };
  const forwardEnd = g.nodes.length;

  // Ops on a path from a differentiated input.
  const dep = new Set(wrt.map((t) => t.name));
  const ops = new Set<string>();
  for (let i = forwardStart; i < forwardEnd; i++) {
    const n = g.nodes[i];
    if (n.inputs.some((x) => dep.has(x) && g.get(x).dtype === 'float32')) {
      ops.add(n.op);
      for (const o of n.outputs) dep.add(o);
    }
  }

  // Loss = sum_k sum(out_k * W_k).
  const weights = spec.outs.map((o) => Float32Array.from({ length: Graph.size(o.shape) }, () => 2 * rng() - 1));
  const terms = spec.outs.map((o, k) => {
    const w = g.constant({ dtype: 'float32', shape: [...o.shape], data: weights[k] }, 'lossw');
    return reduceSum(g, mul(g, o, w), [...Array(o.shape.length).keys()], false);
  });
  const loss = terms.length === 1 ? terms[0] : g.op1('Sum', terms);
  let grads = gradients(g, loss, wrt);
  if (c.corrupt) grads = c.corrupt(g, grads, wrt);
  const outNames = spec.outs.map((o, k) => g.output(o, `fd_y${k}`).name);
  const guardNames = (spec.guards ?? []).map((t, k) => g.output(t, `fd_q${k}`).name);
  const gradNames = grads.map((t, k) => g.output(t, `fd_g${k}`).name);

  const session = await createSession(g, { threads: 1 });
  try {
    const feeds = (): Record<string, ort.Tensor> => {
      const f: Record<string, ort.Tensor> = {};
      for (const inp of c.inputs) f[inp.name] = toTensor(tensors[inp.name].dtype, values[inp.name], inp.shape);
      return f;
    };
    const base = await session.run(feeds());
    const basePatterns = guardNames.map((n) => pattern(base[n]));
    const lossAt = async (): Promise<{ loss: number; stable: boolean }> => {
      const r = await session.run(feeds(), [...outNames, ...guardNames]);
      let l = 0;
      outNames.forEach((n, k) => {
        const y = r[n].data as Float32Array;
        const w = weights[k];
        for (let i = 0; i < y.length; i++) l += y[i] * w[i];
      });
      const stable = guardNames.every((n, k) => pattern(r[n]) === basePatterns[k]);
      return { loss: l, stable };
    };

    const h = c.h ?? 1e-2;
    const rtol = c.rtol ?? 3e-3;
    const atolFrac = c.atol ?? 1e-3;
    const failures: string[] = [];
    let checked = 0, skipped = 0, worst = 0;
    for (let k = 0; k < wrtInputs.length; k++) {
      const inp = wrtInputs[k];
      const x = values[inp.name] as Float32Array;
      const analytic = base[gradNames[k]].data as Float32Array;
      const n = x.length;
      const want = Math.min(c.samples ?? 8, n);
      // Candidate coordinates: all when small, else a random order.
      const order = [...Array(n).keys()];
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const pairs: { i: number; fd: number }[] = [];
      for (const i of order) {
        if (pairs.length >= want) break;
        const orig = x[i];
        x[i] = orig + h;
        const plus = await lossAt();
        x[i] = orig - h;
        const minus = await lossAt();
        x[i] = orig;
        if (!plus.stable || !minus.stable) {
          skipped++;
          continue;
        }
        pairs.push({ i, fd: (plus.loss - minus.loss) / (2 * h) });
      }
      if (pairs.length < Math.min(want, 2)) failures.push(`${inp.name}: only ${pairs.length} coordinates away from kinks`);
      // Scale of this input's gradient: the largest magnitude seen either way, so that a wrong
      // rule cannot widen its own tolerance without also exceeding it.
      let scale = 1e-6;
      for (const p of pairs) scale = Math.max(scale, Math.abs(p.fd));
      for (let i = 0; i < analytic.length; i++) scale = Math.max(scale, Math.abs(analytic[i]));
      for (const { i, fd } of pairs) {
        checked++;
        const a = analytic[i];
        const tol = atolFrac * scale + rtol * Math.abs(fd);
        const ratio = Math.abs(a - fd) / tol;
        worst = Math.max(worst, ratio);
        if (!(ratio <= 1)) failures.push(`${inp.name}[${i}]: analytic ${a.toPrecision(6)} vs finite difference ${fd.toPrecision(6)}`);
      }
    }
    return { name: c.name, ops: [...ops].sort(), checked, skipped, worst, failures, ok: failures.length === 0 };
  } finally {
    await session.release();
  }
}
