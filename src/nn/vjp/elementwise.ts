/**
 * VJP rules of the elementwise ops: binary ones with numpy broadcasting (the gradient is summed
 * back to each operand's shape), n-ary Sum and Mean, Where, and the unary ones (activations,
 * Clip, Cast, Dropout).
 */
import { registerVjp } from '../autodiff.js';
import type { Graph } from '../graph.js';
import { getNumberAttr } from '../ir.js';
import type { Tensor } from '../ir.js';
import { div, expandTo, mul, mulScalar, neg, reduceSum, reshape, sub, sumToShape } from '../ops.js';

const one = (g: Graph) => g.scalar(1);

function whereZero(g: Graph, cond: Tensor, t: Tensor, zeroWhenTrue = false): Tensor {
  const z = g.scalar(0);
  return zeroWhenTrue ? g.op1('Where', [cond, z, t]) : g.op1('Where', [cond, t, z]);
}

// ---- binary, with broadcasting -------------------------------------------------------------
registerVjp('Add', ({ g, inputs: [a, b], dOut: [dy], needs }) => [
  needs[0] ? sumToShape(g, dy!, a!.shape) : undefined,
  needs[1] ? sumToShape(g, dy!, b!.shape) : undefined,
]);
registerVjp('Sub', ({ g, inputs: [a, b], dOut: [dy], needs }) => [
  needs[0] ? sumToShape(g, dy!, a!.shape) : undefined,
  needs[1] ? sumToShape(g, neg(g, dy!), b!.shape) : undefined,
]);
registerVjp('Mul', ({ g, inputs: [a, b], dOut: [dy], needs }) => [
  needs[0] ? sumToShape(g, mul(g, dy!, b!), a!.shape) : undefined,
  needs[1] ? sumToShape(g, mul(g, dy!, a!), b!.shape) : undefined,
]);
registerVjp('Div', ({ g, inputs: [a, b], outputs: [y], dOut: [dy], needs }) => {
  const dyb = div(g, dy!, b!);
  return [
    needs[0] ? sumToShape(g, dyb, a!.shape) : undefined,
    needs[1] ? sumToShape(g, neg(g, mul(g, dyb, y)), b!.shape) : undefined,
  ];
});
registerVjp('Pow', ({ g, inputs: [a, b], outputs: [y], dOut: [dy], needs }) => {
  const out: (Tensor | undefined)[] = [undefined, undefined];
  if (needs[0]) {
    // d/da a^b = b * a^(b-1)
    const am1 = g.op1('Pow', [a!, sub(g, b!, one(g))]);
    out[0] = sumToShape(g, mul(g, dy!, mul(g, b!, am1)), a!.shape);
  }
  if (needs[1]) {
    // d/db a^b = a^b * ln a (defined for a > 0; 0 elsewhere)
    const pos = g.op1('Greater', [a!, g.scalar(0)]);
    const safe = g.op1('Where', [pos, a!, one(g)]);
    out[1] = sumToShape(g, whereZero(g, pos, mul(g, dy!, mul(g, y, g.op1('Log', [safe])))), b!.shape);
  }
  return out;
});
registerVjp('Sum', ({ g, inputs, dOut: [dy], needs }) => inputs.map((t, i) => (needs[i] ? sumToShape(g, dy!, t!.shape) : undefined)));
registerVjp('Max', ({ g, inputs: [a, b], outputs: [y], dOut: [dy], needs }) => {
  const aWins = g.op1('GreaterOrEqual', [a!, b!]);
  const e = expandTo(g, dy!, y.shape);
  return [
    needs[0] ? sumToShape(g, whereZero(g, aWins, e), a!.shape) : undefined,
    needs[1] ? sumToShape(g, whereZero(g, aWins, e, true), b!.shape) : undefined,
  ];
});
registerVjp('Min', ({ g, inputs: [a, b], outputs: [y], dOut: [dy], needs }) => {
  const aWins = g.op1('LessOrEqual', [a!, b!]);
  const e = expandTo(g, dy!, y.shape);
  return [
    needs[0] ? sumToShape(g, whereZero(g, aWins, e), a!.shape) : undefined,
    needs[1] ? sumToShape(g, whereZero(g, aWins, e, true), b!.shape) : undefined,
  ];
});
registerVjp('Where', ({ g, inputs: [c, a, b], outputs: [y], dOut: [dy], needs }) => {
  const e = expandTo(g, dy!, y.shape);
  return [
    undefined,
    needs[1] ? sumToShape(g, whereZero(g, c!, e), a!.shape) : undefined,
    needs[2] ? sumToShape(g, whereZero(g, c!, e, true), b!.shape) : undefined,
  ];
});

/** Mean of n inputs (broadcasting): each gets dY / n, summed to its shape. */
registerVjp('Mean', ({ g, inputs, dOut: [dy], needs }) => {
  const scaled = mulScalar(g, dy!, 1 / inputs.length);
  return inputs.map((t, i) => (needs[i] ? sumToShape(g, scaled, t!.shape) : undefined));
});

// ---- unary ---------------------------------------------------------------------------------
registerVjp('Identity', ({ dOut: [dy] }) => [dy]);
registerVjp('Neg', ({ g, dOut: [dy] }) => [neg(g, dy!)]);
registerVjp('Relu', ({ g, outputs: [y], dOut: [dy] }) => [whereZero(g, g.op1('Greater', [y, g.scalar(0)]), dy!)]);
registerVjp('LeakyRelu', ({ g, node, inputs: [x], dOut: [dy] }) => {
  const alpha = getNumberAttr(node.attrs.alpha, 0.01);
  return [g.op1('Where', [g.op1('Greater', [x!, g.scalar(0)]), dy!, mulScalar(g, dy!, alpha)])];
});
registerVjp('Sigmoid', ({ g, outputs: [y], dOut: [dy] }) => [mul(g, dy!, mul(g, y, sub(g, one(g), y)))]);
registerVjp('Tanh', ({ g, outputs: [y], dOut: [dy] }) => [mul(g, dy!, sub(g, one(g), mul(g, y, y)))]);
registerVjp('Exp', ({ g, outputs: [y], dOut: [dy] }) => [mul(g, dy!, y)]);
registerVjp('Log', ({ g, inputs: [x], dOut: [dy] }) => [div(g, dy!, x!)]);
registerVjp('Sqrt', ({ g, outputs: [y], dOut: [dy] }) => [div(g, mulScalar(g, dy!, 0.5), y)]);
registerVjp('Abs', ({ g, inputs: [x], dOut: [dy] }) => [mul(g, dy!, g.op1('Sign', [x!]))]);
registerVjp('Reciprocal', ({ g, outputs: [y], dOut: [dy] }) => [neg(g, mul(g, dy!, mul(g, y, y)))]);
registerVjp('Softplus', ({ g, inputs: [x], dOut: [dy] }) => [mul(g, dy!, g.op1('Sigmoid', [x!]))]);
/**
 * Clip: dY passes where lo <= x <= hi; the bounds (scalars) receive the sum of dY over the
 * elements they clipped.
 */
registerVjp('Clip', ({ g, inputs: [x, lo, hi], dOut: [dy], needs }) => {
  let mask: Tensor | undefined;
  if (lo) mask = g.op1('GreaterOrEqual', [x!, lo]);
  if (hi) {
    const m2 = g.op1('LessOrEqual', [x!, hi]);
    mask = mask ? g.op1('And', [mask, m2]) : m2;
  }
  const all = [...Array(x!.shape.length).keys()];
  const bound = (t: Tensor, cmp: 'Less' | 'Greater') =>
    reshape(g, reduceSum(g, whereZero(g, g.op1(cmp, [x!, t]), dy!), all, false), t.shape);
  return [
    needs[0] ? (mask ? whereZero(g, mask, dy!) : dy) : undefined,
    lo && needs[1] ? bound(lo, 'Less') : undefined,
    hi && needs[2] ? bound(hi, 'Greater') : undefined,
  ];
});
/** Elu: dY where x > 0, else dY * (y + alpha). */
registerVjp('Elu', ({ g, node, inputs: [x], outputs: [y], dOut: [dy] }) => {
  const alpha = getNumberAttr(node.attrs.alpha, 1);
  const neg = mul(g, dy!, g.op1('Add', [y, g.scalar(alpha)]));
  return [g.op1('Where', [g.op1('Greater', [x!, g.scalar(0)]), dy!, neg])];
});
/** HardSigmoid y = max(0, min(1, alpha x + beta)): slope alpha strictly inside (0, 1). */
registerVjp('HardSigmoid', ({ g, node, inputs: [x], dOut: [dy] }) => {
  const alpha = getNumberAttr(node.attrs.alpha, 0.2);
  const beta = getNumberAttr(node.attrs.beta, 0.5);
  const z = g.op1('Add', [mulScalar(g, x!, alpha), g.scalar(beta)]);
  const inside = g.op1('And', [g.op1('Greater', [z, g.scalar(0)]), g.op1('Less', [z, g.scalar(1)])]);
  return [g.op1('Where', [inside, mulScalar(g, dy!, alpha), g.scalar(0)])];
});
/** Erf: d/dx erf(x) = 2/sqrt(pi) exp(-x^2). */
registerVjp('Erf', ({ g, inputs: [x], dOut: [dy] }) => {
  const e = g.op1('Exp', [g.op1('Neg', [mul(g, x!, x!)])]);
  return [mul(g, dy!, mulScalar(g, e, 2 / Math.sqrt(Math.PI)))];
});
/** PRelu y = x > 0 ? x : slope * x (slope broadcast to x). */
registerVjp('PRelu', ({ g, inputs: [x, slope], dOut: [dy], needs }) => {
  const pos = g.op1('Greater', [x!, g.scalar(0)]);
  return [
    needs[0] ? g.op1('Where', [pos, dy!, sumToShape(g, mul(g, dy!, slope!), x!.shape)]) : undefined,
    needs[1] ? sumToShape(g, g.op1('Where', [pos, g.scalar(0), mul(g, dy!, x!)]), slope!.shape) : undefined,
  ];
});

/**
 * Dropout: identity in inference mode (no training_mode input, or a constant false). In
 * training mode the gradient is masked and scaled like the output, which needs the node's
 * mask output (the mask is random, so it cannot be recomputed).
 */
registerVjp('Dropout', ({ g, node, inputs: [, ratio, training], outputs, dOut: [dy] }) => {
  if (!dy) return [undefined, undefined, undefined];
  const flag = training ? g.constValues(training) : [0];
  if (flag && flag[0] === 0) return [dy, undefined, undefined];
  const mask = outputs[1];
  if (!mask) {
    throw new Error(`Dropout VJP: node ${node.name} runs in training mode; add its mask output (nOut = 2) so the gradient can reuse it`);
  }
  const r = ratio ? ratio : g.scalar(0.5);
  let scale: Tensor = g.op1('Reciprocal', [sub(g, g.scalar(1), r)]);
  if (!flag) scale = g.op1('Where', [training!, scale, g.scalar(1)]);
  return [g.op1('Where', [mask, mul(g, dy, scale), g.scalar(0)]), undefined, undefined];
});

/** Cast: gradient passes through float -> float casts; none through casts to other types. */
registerVjp('Cast', ({ inputs: [x], outputs: [y], dOut: [dy] }) => [
  x!.dtype === 'float32' && y.dtype === 'float32' ? dy : undefined,
]);
