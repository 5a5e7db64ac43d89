/**
 * VJP rules of the reductions: ReduceSum, ReduceMean, ReduceSumSquare, ReduceL2, and
 * ReduceMax/ReduceMin (the gradient goes to the elements that attain the extreme).
 */
import { registerVjp } from '../autodiff.js';
import type { Graph } from '../graph.js';
import { getIntsAttr, normalizeAxis } from '../ir.js';
import type { Node, Tensor } from '../ir.js';
import { div, expandTo, mul, mulScalar, reduceSum, reshape } from '../ops.js';

/**
 * The axes a reduce node reduces over, non-negative: ReduceSum takes them as its second input
 * (opset 13), the others as the `axes` attribute (opset 17); none means all axes.
 */
function reducedAxes(g: Graph, node: Node, inputs: (Tensor | undefined)[]): number[] {
  const r = inputs[0]!.shape.length;
  const axes = node.op === 'ReduceSum' ? (inputs[1] ? g.constValues(inputs[1])! : []) : getIntsAttr(node.attrs.axes, []);
  if (axes.length === 0) return [...Array(r).keys()];
  return axes.map((a) => normalizeAxis(a, r));
}
/** The shape with the reduced axes kept as 1 (keepdims = 1). */
function keptShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}
registerVjp('ReduceSum', ({ g, node, inputs, dOut: [dy] }) => {
  const axes = reducedAxes(g, node, inputs);
  const x = inputs[0]!;
  return [expandTo(g, reshape(g, dy!, keptShape(x.shape, axes)), x.shape), undefined];
});
registerVjp('ReduceMean', ({ g, node, inputs, dOut: [dy] }) => {
  const axes = reducedAxes(g, node, inputs);
  const x = inputs[0]!;
  const count = axes.reduce((c, a) => c * x.shape[a], 1);
  return [expandTo(g, mulScalar(g, reshape(g, dy!, keptShape(x.shape, axes)), 1 / count), x.shape)];
});
registerVjp('ReduceSumSquare', ({ g, node, inputs, dOut: [dy] }) => {
  const axes = reducedAxes(g, node, inputs);
  const x = inputs[0]!;
  return [mul(g, mulScalar(g, reshape(g, dy!, keptShape(x.shape, axes)), 2), x)];
});
for (const op of ['ReduceMax', 'ReduceMin']) {
  registerVjp(op, ({ g, node, inputs: [x], outputs: [y], dOut: [dy] }) => {
    if (!dy) return [undefined];
    const axes = reducedAxes(g, node, [x]);
    const ks = keptShape(x!.shape, axes);
    return [maxMaskGrad(g, x!, reshape(g, y, ks), reshape(g, dy, ks), axes)];
  });
}
/** ReduceL2: y = sqrt(sum x^2), dX = dY * x / y. */
registerVjp('ReduceL2', ({ g, node, inputs: [x], outputs: [y], dOut: [dy] }) => {
  if (!dy) return [undefined];
  const axes = reducedAxes(g, node, [x]);
  const ks = keptShape(x!.shape, axes);
  return [mul(g, x!, div(g, reshape(g, dy, ks), reshape(g, y, ks)))];
});

/** dX for max/min reductions: dY spread evenly over the elements that attain the extreme (shared among ties). */
export function maxMaskGrad(g: Graph, x: Tensor, yKeep: Tensor, dyKeep: Tensor, axes: number[]): Tensor {
  const mask = g.op1('Cast', [g.op1('Equal', [x, yKeep])], { to: 1 });
  const count = reduceSum(g, mask, axes, true);
  return mul(g, mask, div(g, dyKeep, count));
}
