/**
 * VJP rules of the elementwise, shape and reduction ops, written with standard ONNX ops.
 */
import { registerVjp } from '../autodiff.js';
import type { Graph, Tensor } from '../graph.js';
import { add, div, expandTo, mul, mulScalar, neg, reduceSum, reshape, sameShape, slice, sub, sumToShape, transpose, zeros } from '../ops.js';

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

// ---- unary ---------------------------------------------------------------------------------
registerVjp('Identity', ({ dOut: [dy] }) => [dy]);
registerVjp('Neg', ({ g, dOut: [dy] }) => [neg(g, dy!)]);
registerVjp('Relu', ({ g, outputs: [y], dOut: [dy] }) => [whereZero(g, g.op1('Greater', [y, g.scalar(0)]), dy!)]);
registerVjp('LeakyRelu', ({ g, node, inputs: [x], dOut: [dy] }) => {
  const alpha = (node.attrs.alpha as number | undefined) ?? 0.01;
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

// ---- shape ---------------------------------------------------------------------------------
const reshapeBack = ({ g, inputs: [x], dOut: [dy] }: { g: Graph; inputs: (Tensor | undefined)[]; dOut: (Tensor | undefined)[] }) => [
  reshape(g, dy!, x!.shape),
];
for (const op of ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']) registerVjp(op, reshapeBack);
registerVjp('Transpose', ({ g, node, inputs: [x], dOut: [dy] }) => {
  const r = x!.shape.length;
  const perm = (node.attrs.perm as number[] | undefined) ?? [...Array(r).keys()].reverse();
  const inv = new Array<number>(r);
  perm.forEach((p, i) => (inv[p] = i));
  return [transpose(g, dy!, inv)];
});
registerVjp('Concat', ({ g, node, inputs, dOut: [dy], needs }) => {
  const r = dy!.shape.length;
  const axis = (((node.attrs.axis as number) ?? 0) + r) % r;
  const sizes = inputs.map((t) => t!.shape[axis]);
  const parts = g.op('Split', [dy!, g.ints(sizes)], { axis }, sizes.length);
  return parts.map((p, i) => (needs[i] ? p : undefined));
});
registerVjp('Split', ({ g, node, inputs: [x], outputs, dOut }) => {
  const r = x!.shape.length;
  const axis = (((node.attrs.axis as number) ?? 0) + r) % r;
  const parts = outputs.map((o, i) => dOut[i] ?? zeros(g, o.shape));
  return [parts.length === 1 ? parts[0] : g.op1('Concat', parts, { axis })];
});
registerVjp('Expand', ({ g, inputs: [x], dOut: [dy] }) => [sumToShape(g, dy!, x!.shape), undefined]);
/**
 * Slice with any steps (negative too): along each sliced axis, the gradient is reversed for
 * negative steps, interleaved with |step|-1 zeros (Unsqueeze + Pad + Reshape), then padded to
 * the input's extent; one Pad for all axes at the end.
 */
registerVjp('Slice', ({ g, inputs, dOut: [dy] }) => {
  const [x, s, , ax, st] = inputs;
  const none = [undefined, undefined, undefined, undefined];
  if (!dy) return [undefined, ...none];
  const shape = x!.shape;
  const r = shape.length;
  const starts = g.constValues(s!)!;
  const axes = ax ? g.constValues(ax)! : starts.map((_, i) => i);
  const steps = st ? g.constValues(st)! : starts.map(() => 1);
  if (dy.shape.some((d) => d === 0)) return [zeros(g, shape), ...none];
  const pads = new Array<number>(2 * r).fill(0);
  let t = dy;
  axes.forEach((a0, i) => {
    const a = a0 < 0 ? a0 + r : a0;
    const d = shape[a];
    const n = dy.shape[a];
    const step = steps[i];
    let b = starts[i] < 0 ? starts[i] + d : starts[i];
    let first: number;
    if (step > 0) {
      first = Math.max(0, Math.min(b, d));
    } else {
      b = Math.max(-1, Math.min(b, d - 1));
      first = b + (n - 1) * step; // the lowest selected index
      // Reverse along a so that the gradient runs in increasing input order.
      t = slice(g, t, [-1], [Number.MIN_SAFE_INTEGER], [a], [-1]);
    }
    const k = Math.abs(step);
    let span = n;
    if (k > 1) {
      const ts = t.shape;
      const u = g.op1('Unsqueeze', [t, g.ints([a + 1])]);
      const ipads = new Array<number>(2 * (r + 1)).fill(0);
      ipads[a + 1 + r + 1] = k - 1;
      const spread = g.op1('Pad', [u, g.ints(ipads)]);
      const merged = reshape(g, spread, ts.map((v, j) => (j === a ? v * k : v)));
      // Keep the trailing zeros of the last element unless they run past the input's end.
      span = first + n * k > d ? (n - 1) * k + 1 : n * k;
      t = span === n * k ? merged : slice(g, merged, [0], [span], [a]);
    }
    pads[a] = first;
    pads[a + r] = d - first - span;
  });
  return [pads.some((p) => p !== 0) ? g.op1('Pad', [t, g.ints(pads)]) : t, ...none];
});
/**
 * Pad. constant: dX is the inner part of dY (negative pads, i.e. crops, give zeros back), and
 * the constant_value input gets the sum of dY over the padding. reflect and edge: along each
 * padded axis the border gradients are folded back onto the rows they copied (reversed slices
 * for reflect, sums into the first/last row for edge), one axis at a time.
 */
registerVjp('Pad', ({ g, node, inputs, dOut: [dy], needs }) => {
  const [x, p, cv, ax] = inputs;
  const none = [undefined, undefined, undefined, undefined];
  if (!dy) return none;
  const mode = (node.attrs.mode as string | undefined) ?? 'constant';
  const pads = g.constValues(p!)!;
  const r = x!.shape.length;
  const axes = ax ? g.constValues(ax)!.map((a) => (a < 0 ? a + r : a)) : [...Array(r).keys()];
  const n = axes.length;
  if (mode === 'constant') {
    const starts: number[] = [], ends: number[] = [];
    const back = new Array<number>(2 * r).fill(0);
    axes.forEach((a, i) => {
      const b = pads[i], e = pads[i + n];
      const keep = x!.shape[a] + Math.min(b, 0) + Math.min(e, 0);
      starts.push(Math.max(b, 0));
      ends.push(Math.max(b, 0) + keep);
      back[a] = Math.max(-b, 0);
      back[a + r] = Math.max(-e, 0);
    });
    const inner = slice(g, dy, starts, ends, axes);
    const dx = back.some((v) => v > 0) ? g.op1('Pad', [inner, g.ints(back)]) : inner;
    let dValue: Tensor | undefined;
    if (cv && needs[2]) {
      const all = [...Array(r).keys()];
      const total = sub(g, reduceSum(g, dy, all, false), reduceSum(g, inner, all, false));
      dValue = reshape(g, total, cv.shape);
    }
    return [needs[0] ? dx : undefined, undefined, dValue, undefined];
  }
  if (mode !== 'reflect' && mode !== 'edge') throw new Error(`Pad VJP: mode '${mode}' is not supported; supported: constant, reflect, edge`);
  let t = dy;
  axes.forEach((a, i) => {
    const b = pads[i], e = pads[i + n];
    if (b === 0 && e === 0) return;
    if (b < 0 || e < 0) throw new Error(`Pad VJP: negative pads are not supported in mode '${mode}'`);
    const L = x!.shape[a];
    const padAxis = (u: Tensor, before: number, after: number) => {
      const q = new Array<number>(2 * r).fill(0);
      q[a] = before;
      q[a + r] = after;
      return g.op1('Pad', [u, g.ints(q)]);
    };
    const parts = [slice(g, t, [b], [b + L], [a])];
    if (mode === 'reflect') {
      // Output row o < b copies input row b - o; o >= b + L copies 2(L-1) - (o - b).
      if (b > 0) parts.push(padAxis(slice(g, t, [b - 1], [Number.MIN_SAFE_INTEGER], [a], [-1]), 1, L - 1 - b));
      if (e > 0) parts.push(padAxis(slice(g, t, [b + L + e - 1], [b + L - 1], [a], [-1]), L - 1 - e, 1));
    } else {
      if (b > 0) parts.push(padAxis(reduceSum(g, slice(g, t, [0], [b], [a]), [a], true), 0, L - 1));
      if (e > 0) parts.push(padAxis(reduceSum(g, slice(g, t, [b + L], [b + L + e], [a]), [a], true), L - 1, 0));
    }
    t = parts.length === 1 ? parts[0] : g.op1('Sum', parts);
  });
  return [t, undefined, undefined, undefined];
});

// ---- reductions ----------------------------------------------------------------------------
function reducedAxes(g: Graph, node: { op: string; attrs: Record<string, unknown> }, inputs: (Tensor | undefined)[]): number[] {
  const r = inputs[0]!.shape.length;
  let axes: number[] | undefined;
  if (node.op === 'ReduceSum') axes = inputs[1] ? g.constValues(inputs[1])! : undefined;
  else axes = node.attrs.axes as number[] | undefined;
  if (!axes || axes.length === 0) return [...Array(r).keys()];
  return axes.map((a) => (a < 0 ? a + r : a));
}
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

// ---- linear algebra ------------------------------------------------------------------------
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
  const alpha = (node.attrs.alpha as number | undefined) ?? 1;
  const beta = (node.attrs.beta as number | undefined) ?? 1;
  const tA = (node.attrs.transA as number | undefined) ?? 0;
  const tB = (node.attrs.transB as number | undefined) ?? 0;
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

export { sameShape, add };
