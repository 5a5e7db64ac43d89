/**
 * Optimizers written into the training graph (so one session.run is one whole step), gradient
 * clipping by global norm, and learning-rate schedules (computed per step in JS and fed in).
 */
import type { Graph } from './graph.js';
import type { Tensor } from './ir.js';
import { add, mul, mulScalar, sub } from './ops.js';

/** Optimizer settings. Defaults follow PyTorch. */
export interface OptimizerConfig {
  type: 'adam' | 'adamw' | 'sgd';
  /** Adam beta1 (default 0.9). */
  beta1?: number;
  /** Adam beta2 (default 0.999). */
  beta2?: number;
  /** Adam epsilon (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (adam, sgd) or decoupled decay (adamw, default 0.01 there, else 0). */
  weightDecay?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** Clip gradients to this global L2 norm (default: no clipping). */
  clipNorm?: number;
}

/** Names of the optimizer state slots kept per parameter. */
export function optimizerSlots(cfg: OptimizerConfig): string[] {
  if (cfg.type === 'sgd') return (cfg.momentum ?? 0.9) > 0 ? ['momentum'] : [];
  return ['m', 'v'];
}

export interface ParamUpdate {
  name: string;
  param: Tensor;
  grad: Tensor;
  /** Current optimizer state, one tensor per slot. */
  state: Tensor[];
}

export interface UpdateResult {
  name: string;
  param: Tensor;
  state: Tensor[];
}

/**
 * Emits the optimizer update for every parameter. `lr` and `step` are scalar graph inputs
 * (step counts from 1). Returns the new parameter and state tensors, plus the global grad norm.
 */
export function emitOptimizerUpdate(g: Graph, cfg: OptimizerConfig, items: ParamUpdate[], lr: Tensor, step: Tensor): { updates: UpdateResult[]; gradNorm: Tensor } {
  // Global norm of all gradients, always reported; used for clipping when asked.
  const squares = items.map((it) => g.op1('ReduceSumSquare', [it.grad], { keepdims: 0 }));
  const gradNorm = g.op1('Sqrt', [squares.length === 1 ? squares[0] : g.op1('Sum', squares)], {}, 'gradnorm');
  let clipScale: Tensor | undefined;
  if (cfg.clipNorm !== undefined) {
    // scale = min(1, clip / (norm + 1e-6))
    clipScale = g.op1('Min', [g.scalar(1), g.op1('Div', [g.scalar(cfg.clipNorm), add(g, gradNorm, g.scalar(1e-6))])]);
  }
  const updates: UpdateResult[] = [];
  if (cfg.type === 'sgd') {
    const mom = cfg.momentum ?? 0.9;
    const wd = cfg.weightDecay ?? 0;
    for (const it of items) {
      let gr = clipScale ? mul(g, it.grad, clipScale) : it.grad;
      if (wd) gr = add(g, gr, mulScalar(g, it.param, wd));
      let dir = gr;
      const state: Tensor[] = [];
      if (mom > 0) {
        dir = add(g, mulScalar(g, it.state[0], mom), gr);
        state.push(dir);
      }
      updates.push({ name: it.name, param: sub(g, it.param, mul(g, dir, lr)), state });
    }
    return { updates, gradNorm };
  }
  const b1 = cfg.beta1 ?? 0.9, b2 = cfg.beta2 ?? 0.999, eps = cfg.eps ?? 1e-8;
  const decoupled = cfg.type === 'adamw';
  const wd = cfg.weightDecay ?? (decoupled ? 0.01 : 0);
  // Bias corrections: step size = lr / (1 - b1^t); denominator sqrt(v / (1 - b2^t)) + eps.
  const bc1 = sub(g, g.scalar(1), g.op1('Pow', [g.scalar(b1), step]));
  const bc2 = sub(g, g.scalar(1), g.op1('Pow', [g.scalar(b2), step]));
  const stepSize = g.op1('Div', [lr, bc1]);
  const invSqrtBc2 = g.op1('Reciprocal', [g.op1('Sqrt', [bc2])]);
  for (const it of items) {
    let gr = clipScale ? mul(g, it.grad, clipScale) : it.grad;
    if (wd && !decoupled) gr = add(g, gr, mulScalar(g, it.param, wd));
    const m = add(g, mulScalar(g, it.state[0], b1), mulScalar(g, gr, 1 - b1));
    const v = add(g, mulScalar(g, it.state[1], b2), mulScalar(g, mul(g, gr, gr), 1 - b2));
    const denom = add(g, mul(g, g.op1('Sqrt', [v]), invSqrtBc2), g.scalar(eps));
    let p = it.param;
    if (wd && decoupled) p = sub(g, p, mul(g, mulScalar(g, p, wd), lr));
    p = sub(g, p, mul(g, stepSize, g.op1('Div', [m, denom])));
    updates.push({ name: it.name, param: p, state: [m, v] });
  }
  return { updates, gradNorm };
}

/** A learning-rate schedule, evaluated in JS for each step (0-based). */
export type LrSchedule =
  | { type: 'constant'; lr: number; warmup?: number }
  | { type: 'step'; lr: number; stepSize: number; gamma: number; warmup?: number }
  | { type: 'cosine'; lr: number; total: number; minLr?: number; warmup?: number };

/**
 * The learning rate at a step: linear warm-up over `warmup` steps, then the schedule.
 *
 * @example
 * lrAt({ type: 'cosine', lr: 1e-3, total: 1000, warmup: 50 }, 10); // 2.2e-4
 */
export function lrAt(s: LrSchedule, step: number): number {
  const warm = s.warmup ?? 0;
  if (warm > 0 && step < warm) return (s.lr * (step + 1)) / warm;
  const t = step - warm;
  switch (s.type) {
    case 'constant':
      return s.lr;
    case 'step':
      return s.lr * Math.pow(s.gamma, Math.floor(t / s.stepSize));
    case 'cosine': {
      const total = Math.max(1, s.total - warm);
      const min = s.minLr ?? 0;
      const c = Math.min(1, t / total);
      return min + (s.lr - min) * 0.5 * (1 + Math.cos(Math.PI * c));
    }
  }
}
