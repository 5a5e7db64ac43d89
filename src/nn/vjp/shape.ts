/**
 * VJP rules of the ops that move elements without changing them: Reshape and its kin, Transpose,
 * Concat, Split, Expand, Slice, Pad, Tile.
 */
import { registerVjp } from '../autodiff.js';
import type { Graph } from '../graph.js';
import { getIntsAttr, getNumberAttr, getStringAttr, normalizeAxis } from '../ir.js';
import type { Tensor } from '../ir.js';
import { reduceSum, reshape, slice, sub, sumToShape, transpose, zeros } from '../ops.js';

const reshapeBack = ({ g, inputs: [x], dOut: [dy] }: { g: Graph; inputs: (Tensor | undefined)[]; dOut: (Tensor | undefined)[] }) => [
  reshape(g, dy!, x!.shape),
];
for (const op of ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']) registerVjp(op, reshapeBack);
registerVjp('Transpose', ({ g, node, inputs: [x], dOut: [dy] }) => {
  const r = x!.shape.length;
  const perm = getIntsAttr(node.attrs.perm, [...Array(r).keys()].reverse());
  const inv = new Array<number>(r);
  perm.forEach((p, i) => (inv[p] = i));
  return [transpose(g, dy!, inv)];
});
registerVjp('Concat', ({ g, node, inputs, dOut: [dy], needs }) => {
  const r = dy!.shape.length;
  const axis = normalizeAxis(getNumberAttr(node.attrs.axis, 0), r);
  const sizes = inputs.map((t) => t!.shape[axis]);
  const parts = g.op('Split', [dy!, g.ints(sizes)], { axis }, sizes.length);
  return parts.map((p, i) => (needs[i] ? p : undefined));
});
registerVjp('Split', ({ g, node, inputs: [x], outputs, dOut }) => {
  const r = x!.shape.length;
  const axis = normalizeAxis(getNumberAttr(node.attrs.axis, 0), r);
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
  const mode = getStringAttr(node.attrs.mode, 'constant');
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

/** Tile: the output is reps_i copies (rep-major) along each axis; sum the copies back. */
registerVjp('Tile', ({ g, inputs: [x, repsT], dOut: [dy] }) => {
  if (!dy) return [undefined, undefined];
  const reps = g.constValues(repsT!);
  if (!reps) throw new Error('Tile VJP: repeats must be a constant');
  const xs = x!.shape;
  if (reps.every((v) => v === 1)) return [dy, undefined];
  const split: number[] = [];
  const axes: number[] = [];
  xs.forEach((d, i) => {
    axes.push(split.length);
    split.push(reps[i], d);
  });
  const summed = reduceSum(g, reshape(g, dy, split), axes.filter((_, i) => reps[i] !== 1), false);
  return [reshape(g, summed, xs), undefined];
});
