/**
 * Loss functions as graph builders. Each returns a scalar tensor (mean over all elements).
 */
import type { Graph } from './graph.js';
import type { Tensor } from './ir.js';
import { mul, sub } from './ops.js';

/** Mean squared error. */
export function mseLoss(g: Graph, pred: Tensor, target: Tensor): Tensor {
  const d = sub(g, pred, target);
  return g.op1('ReduceMean', [mul(g, d, d)], { keepdims: 0 }, 'mse');
}

/** Mean absolute error. */
export function l1Loss(g: Graph, pred: Tensor, target: Tensor): Tensor {
  return g.op1('ReduceMean', [g.op1('Abs', [sub(g, pred, target)])], { keepdims: 0 }, 'l1');
}

/**
 * Huber (smooth L1) loss with threshold delta: 0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta).
 * Written as 0.5 c^2 + delta (|d| - c) with c = min(|d|, delta), which is differentiable op by op.
 */
export function huberLoss(g: Graph, pred: Tensor, target: Tensor, delta = 0.1): Tensor {
  const a = g.op1('Abs', [sub(g, pred, target)]);
  const c = g.op1('Min', [a, g.scalar(delta)]);
  const quad = mul(g, mul(g, c, c), g.scalar(0.5));
  const lin = mul(g, sub(g, a, c), g.scalar(delta));
  return g.op1('ReduceMean', [g.op1('Add', [quad, lin])], { keepdims: 0 }, 'huber');
}

/**
 * Cross-entropy with soft targets along `axis` (default 1, the channels of NCHW):
 * -sum(target * logsoftmax(logits)) divided by the number of distributions (elements / size of
 * the axis). Targets need not sum to 1 (a per-distribution weight may be folded into them).
 */
export function softCrossEntropyLoss(g: Graph, logits: Tensor, target: Tensor, axis = 1): Tensor {
  const logp = g.op1('LogSoftmax', [logits], { axis });
  const ax = axis < 0 ? axis + logits.shape.length : axis;
  const count = logits.shape.reduce((a, b) => a * b, 1) / logits.shape[ax];
  const total = g.op1('ReduceSum', [mul(g, target, logp), g.ints(logits.shape.map((_, i) => i))], { keepdims: 0 });
  return g.op1('Mul', [total, g.scalar(-1 / count)], {}, 'soft_ce');
}
