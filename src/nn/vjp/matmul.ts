/** VJP rules of MatMul (batched, broadcasting) and Gemm. */
import { registerVjp } from '../autodiff.js';
import type { Graph } from '../graph.js';
import { getNumberAttr } from '../ir.js';
import type { Tensor } from '../ir.js';
import { mulScalar, sumToShape, transpose } from '../ops.js';

function swapLast(g: Graph, t: Tensor): Tensor {
  const r = t.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return transpose(g, t, perm);
}
registerVjp('MatMul', ({ g, inputs: [a, b], dOut: [dy], needs }) => [
  needs[0] ? sumToShape(g, g.op1('MatMul', [dy!, swapLast(g, b!)]), a!.shape) : undefined,
  needs[1] ? sumToShape(g, g.op1('MatMul', [swapLast(g, a!), dy!]), b!.shape) : undefined,
]);
registerVjp('Gemm', ({ g, node, inputs: [a, b, c], dOut: [dy], needs }) => {
  const alpha = getNumberAttr(node.attrs.alpha, 1);
  const beta = getNumberAttr(node.attrs.beta, 1);
  const tA = getNumberAttr(node.attrs.transA, 0);
  const tB = getNumberAttr(node.attrs.transB, 0);
  const out: (Tensor | undefined)[] = [undefined, undefined, undefined];
  // Y = alpha * A' B' + beta * C, with A' = tA ? A^T : A, B' = tB ? B^T : B.
  if (needs[0]) {
    // dA' = dY B'^T ; dA = tA ? (dA')^T = B' dY^T : dA'
    const ga = tA ? g.op1('Gemm', [b!, dy!], { transA: tB, transB: 1 }) : g.op1('Gemm', [dy!, b!], { transA: 0, transB: tB ? 0 : 1 });
    out[0] = mulScalar(g, ga, alpha);
  }
  if (needs[1]) {
    // dB' = A'^T dY ; dB = tB ? dY^T A' : dB'
    const gb = tB ? g.op1('Gemm', [dy!, a!], { transA: 1, transB: tA }) : g.op1('Gemm', [a!, dy!], { transA: tA ? 0 : 1, transB: 0 });
    out[1] = mulScalar(g, gb, alpha);
  }
  if (c && needs[2]) out[2] = sumToShape(g, mulScalar(g, dy!, beta), c.shape);
  return out;
});
