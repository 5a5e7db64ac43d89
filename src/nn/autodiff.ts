/**
 * Reverse-mode automatic differentiation over a Graph. Each op has a vector-Jacobian rule that
 * emits standard ONNX ops into the same graph, so the gradient is itself an ONNX graph that
 * ONNX Runtime executes (one `session.run` computes loss and gradients, and with an optimizer
 * in the graph, the whole training step).
 *
 * @example
 * const loss = mse(g, pred, target);
 * const grads = gradients(g, loss, params); // Tensor per param, same shape
 */
import type { Graph } from './graph.js';
import type { Node, Tensor } from './ir.js';

/** What a rule receives. */
export interface VjpContext {
  g: Graph;
  node: Node;
  inputs: (Tensor | undefined)[];
  outputs: Tensor[];
  /** Gradients of the loss with respect to each output (undefined: no gradient flows there). */
  dOut: (Tensor | undefined)[];
  /** Which inputs need a gradient. */
  needs: boolean[];
}

/** A vector-Jacobian rule: returns one gradient (or undefined) per input. */
export type VjpRule = (ctx: VjpContext) => (Tensor | undefined)[];

const RULES = new Map<string, VjpRule>();

/** Registers the VJP rule of an op (later registration replaces earlier). */
export function registerVjp(op: string, rule: VjpRule): void {
  RULES.set(op, rule);
}

/** Whether an op can be differentiated. */
export function hasVjp(op: string): boolean {
  return RULES.has(op);
}

/** The ops that have a VJP rule. */
export function differentiableOps(): string[] {
  return [...RULES.keys()].sort();
}

/** Ops whose outputs never carry gradient (integer/boolean results). */
const NON_DIFF = new Set(['Shape', 'Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual', 'ArgMax', 'ArgMin', 'Not', 'And', 'Or', 'ConstantOfShape', 'Sign', 'Floor', 'Ceil', 'Round']);

export interface GradientOptions {
  /** Gradient of the loss to start from (default: ones of the loss's shape, i.e. a scalar 1). */
  seed?: Tensor;
  /** Tensors through which no gradient flows (treated as constants). */
  stop?: Tensor[];
}

/**
 * Gradients of `loss` with respect to each tensor of `wrt`. Tensors that do not influence the
 * loss get a zero gradient of their shape.
 */
export function gradients(g: Graph, loss: Tensor, wrt: Tensor[], options: GradientOptions = {}): Tensor[] {
  const nodeCount = g.nodes.length;
  const stop = new Set((options.stop ?? []).map((t) => t.name));
  const wrtNames = new Set(wrt.map((t) => t.name));

  // Forward reachability from wrt: which tensors depend on a parameter.
  const depends = new Set<string>(wrtNames);
  for (let i = 0; i < nodeCount; i++) {
    const n = g.nodes[i];
    if (NON_DIFF.has(n.op)) continue;
    if (n.inputs.some((x) => x && depends.has(x) && !stop.has(x))) for (const o of n.outputs) depends.add(o);
  }
  if (!depends.has(loss.name)) return wrt.map((t) => zerosLike(g, t));

  const grads = new Map<string, Tensor[]>();
  const add = (name: string, t: Tensor | undefined) => {
    if (!t) return;
    const list = grads.get(name);
    if (list) list.push(t);
    else grads.set(name, [t]);
  };
  const total = (name: string): Tensor | undefined => {
    const list = grads.get(name);
    if (!list || list.length === 0) return undefined;
    if (list.length === 1) return list[0];
    // Sum all contributions (Sum op is n-ary).
    const s = g.op1('Sum', list, {}, 'gsum');
    g.nodes[g.nodes.length - 1].origin = 'gradient sum';
    grads.set(name, [s]);
    return s;
  };

  add(loss.name, options.seed ?? g.op1('ConstantOfShape', [g.ints(loss.shape as number[])], { value: { tensor: { dtype: 'float32', shape: [1], data: Float32Array.of(1) } } }, 'seed'));

  for (let i = nodeCount - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.outputs.some((o) => grads.has(o))) continue;
    const needs = n.inputs.map((x) => !!x && depends.has(x) && !stop.has(x) && g.get(x).dtype === 'float32');
    if (!needs.some(Boolean)) continue;
    const rule = RULES.get(n.op);
    if (!rule) throw new Error(`autodiff: op '${n.op}' (node ${n.name}) has no VJP rule; differentiable ops: ${differentiableOps().join(', ')}`);
    const dOut = n.outputs.map((o) => total(o));
    const inputs = n.inputs.map((x) => (x ? g.get(x) : undefined));
    const outputs = n.outputs.map((o) => g.get(o));
    const first = g.nodes.length;
    const dIn = rule({ g, node: n, inputs, outputs, dOut, needs });
    for (let j = first; j < g.nodes.length; j++) g.nodes[j].origin ??= n.op;
    n.inputs.forEach((x, k) => {
      if (x && needs[k] && dIn[k]) {
        const gi = dIn[k]!;
        const want = g.get(x).shape;
        if (gi.shape.length !== want.length || gi.shape.some((d, j) => d !== want[j])) {
          throw new Error(`autodiff: rule for ${n.op} returned gradient of shape [${gi.shape}] for input [${want}]`);
        }
        add(x, gi);
      }
    });
  }
  return wrt.map((t) => total(t.name) ?? zerosLike(g, t));
}

function zerosLike(g: Graph, t: Tensor): Tensor {
  return g.op1('ConstantOfShape', [g.ints(t.shape as number[])], { value: { tensor: { dtype: 'float32', shape: [1], data: Float32Array.of(0) } } }, 'zeros');
}
