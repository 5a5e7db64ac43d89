/** VJP rules of Softmax and LogSoftmax along one axis (opset 13+). */
import { registerVjp } from '../autodiff.js';
import { getNumberAttr, normalizeAxis } from '../ir.js';
import { mul, reduceSum, sub } from '../ops.js';

/** Softmax along one axis (opset 13+): dX = y * (dY - sum(dY * y)). */
registerVjp('Softmax', ({ g, node, outputs: [y], dOut: [dy] }) => {
  if (!dy) return [undefined];
  const axis = normalizeAxis(getNumberAttr(node.attrs.axis, -1), y.shape.length);
  const s = reduceSum(g, mul(g, dy, y), [axis], true);
  return [mul(g, y, sub(g, dy, s))];
});
/** LogSoftmax: dX = dY - exp(y) * sum(dY). */
registerVjp('LogSoftmax', ({ g, node, outputs: [y], dOut: [dy] }) => {
  if (!dy) return [undefined];
  const axis = normalizeAxis(getNumberAttr(node.attrs.axis, -1), y.shape.length);
  const s = reduceSum(g, dy, [axis], true);
  return [sub(g, dy, mul(g, g.op1('Exp', [y]), s))];
});
