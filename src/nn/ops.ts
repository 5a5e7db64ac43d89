/**
 * Small helpers that emit common ONNX patterns into a Graph; used by layers, losses and VJP rules.
 */
import type { Graph } from './graph.js';
import type { Tensor } from './ir.js';

export const add = (g: Graph, a: Tensor, b: Tensor) => g.op1('Add', [a, b]);
export const sub = (g: Graph, a: Tensor, b: Tensor) => g.op1('Sub', [a, b]);
export const mul = (g: Graph, a: Tensor, b: Tensor) => g.op1('Mul', [a, b]);
export const div = (g: Graph, a: Tensor, b: Tensor) => g.op1('Div', [a, b]);
export const neg = (g: Graph, a: Tensor) => g.op1('Neg', [a]);
export const mulScalar = (g: Graph, a: Tensor, s: number) => (s === 1 ? a : g.op1('Mul', [a, g.scalar(s)]));
export const reshape = (g: Graph, a: Tensor, shape: readonly number[]) =>
  sameShape(a.shape, shape) ? a : g.op1('Reshape', [a, g.ints(shape)]);
export const transpose = (g: Graph, a: Tensor, perm: number[]) => g.op1('Transpose', [a], { perm });

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A float32 constant (an initializer) with the given shape and data. */
export function floatConstant(g: Graph, shape: number[], data: Float32Array, stem = 'const'): Tensor {
  return g.constant({ dtype: 'float32', shape, data }, stem);
}

/** A float32 tensor of zeros with the given shape. */
export function zeros(g: Graph, shape: readonly number[]): Tensor {
  return g.op1('ConstantOfShape', [g.ints(shape)], { value: { tensor: { dtype: 'float32', shape: [1], data: Float32Array.of(0) } } }, 'zeros');
}

/** Sums `t` over `axes`; keepdims as given. */
export function reduceSum(g: Graph, t: Tensor, axes: number[], keepdims = true): Tensor {
  if (axes.length === 0) return t;
  return g.op1('ReduceSum', [t, g.ints(axes)], { keepdims: keepdims ? 1 : 0 });
}

/** ReduceMean over axes (opset 17: axes attribute). */
export function reduceMean(g: Graph, t: Tensor, axes: number[], keepdims = true): Tensor {
  return g.op1('ReduceMean', [t], { axes, keepdims: keepdims ? 1 : 0 });
}

/**
 * Reduces a broadcast gradient back to the shape of the operand it belongs to
 * (sums over broadcast axes, then reshapes).
 */
export function sumToShape(g: Graph, t: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const r = t.shape.length;
  const lead = r - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < r; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && t.shape[i] !== 1) axes.push(i);
  }
  const s = reduceSum(g, t, axes, true);
  return reshape(g, s, shape);
}

/** Broadcasts t to a shape (Expand). */
export function expandTo(g: Graph, t: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(t.shape, shape)) return t;
  return g.op1('Expand', [t, g.ints(shape)]);
}

/** Slice along given axes with steps 1. */
export function slice(g: Graph, t: Tensor, starts: number[], ends: number[], axes: number[], steps?: number[]): Tensor {
  const inputs = [t, g.ints(starts), g.ints(ends), g.ints(axes)];
  if (steps) inputs.push(g.ints(steps));
  return g.op1('Slice', inputs);
}
