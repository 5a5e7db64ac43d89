/**
 * Builds the one-graph training step: forward, loss, gradients, optimizer update.
 *
 * Graph inputs: the batch tensors, `lr` and `step` (float scalars), every parameter of the
 * model (by its name), the optimizer state (`opt.<slot>/<param>`) and the non-trainable
 * state (BN running statistics). Outputs: `loss`, `grad_norm`, `new/<param>`,
 * `new/opt.<slot>/<param>`, `new/<state>` and any extra outputs the model returns.
 */
import { gradients } from './autodiff.js';
import { Graph } from './graph.js';
import type { Tensor } from './ir.js';
import { emitOptimizerUpdate, optimizerSlots, type OptimizerConfig } from './optim.js';
import { BuildContext, type ParamStore } from './params.js';

export interface ModelOutputs {
  loss: Tensor;
  /** Extra tensors to return from the step (e.g. predictions, loss parts). */
  extras?: Record<string, Tensor>;
}

export type ModelFn = (ctx: BuildContext, inputs: Record<string, Tensor>) => ModelOutputs;

export interface TrainGraphSpec {
  name?: string;
  store: ParamStore;
  inputs: Record<string, readonly number[]>;
  build: ModelFn;
  optimizer: OptimizerConfig;
  /** Which trainable parameters this graph updates (default: all it uses). Others are inputs only. */
  update?: (name: string) => boolean;
}

export interface TrainGraph {
  graph: Graph;
  /** Parameters updated by this graph. */
  updated: string[];
  /** Parameters used as inputs only (frozen here, e.g. the generator in a discriminator step). */
  frozen: string[];
  /** Non-trainable state used (and, in train mode, updated) by this graph. */
  state: string[];
  slots: string[];
}

export const optName = (slot: string, param: string) => `opt.${slot}/${param}`;
export const newName = (name: string) => `new/${name}`;

/**
 * Builds the training-step graph of a model.
 *
 * @example
 * const tg = buildTrainGraph({ store, inputs: { L: [16,1,64,64], ab: [16,2,64,64] }, build: unetLoss, optimizer: { type: 'adam' } });
 */
export function buildTrainGraph(spec: TrainGraphSpec): TrainGraph {
  const g = new Graph(spec.name ?? 'train_step');
  const ins: Record<string, Tensor> = {};
  for (const [k, shape] of Object.entries(spec.inputs)) ins[k] = g.input(k, shape);
  const lr = g.input('lr', []);
  const step = g.input('step', []);
  const ctx = new BuildContext(g, 'train', spec.store);
  const { loss, extras } = spec.build(ctx, ins);
  const bound = ctx.boundParams();
  const updated: string[] = [], frozen: string[] = [], state: string[] = [];
  for (const name of bound.keys()) {
    const s = spec.store.specs.get(name)!;
    if (!s.trainable) state.push(name);
    else if (!spec.update || spec.update(name)) updated.push(name);
    else frozen.push(name);
  }
  const grads = gradients(g, loss, updated.map((n) => bound.get(n)!));
  const slots = optimizerSlots(spec.optimizer);
  const items = updated.map((name, i) => ({
    name,
    param: bound.get(name)!,
    grad: grads[i],
    state: slots.map((slot) => g.input(optName(slot, name), bound.get(name)!.shape)),
  }));
  const firstOptimizerNode = g.nodes.length;
  const { updates, gradNorm } = emitOptimizerUpdate(g, spec.optimizer, items, lr, step);
  for (let j = firstOptimizerNode; j < g.nodes.length; j++) g.nodes[j].origin = 'optimizer';
  g.output(loss, 'loss');
  g.output(gradNorm, 'grad_norm');
  for (const u of updates) {
    g.output(u.param, newName(u.name));
    u.state.forEach((t, k) => g.output(t, newName(optName(slots[k], u.name))));
  }
  for (const name of state) {
    const t = ctx.stateUpdates.get(name);
    if (t) g.output(t, newName(name));
  }
  for (const [k, t] of Object.entries(extras ?? {})) g.output(t, k);
  return { graph: g, updated, frozen, state: state.filter((n) => ctx.stateUpdates.has(n)), slots };
}

/**
 * Builds a forward graph in 'eval' mode (parameters and state as inputs), returning the named
 * outputs, e.g. for validation with the same parameters as training.
 */
export function buildEvalGraph(store: ParamStore, inputs: Record<string, readonly number[]>, build: (ctx: BuildContext, ins: Record<string, Tensor>) => Record<string, Tensor>, name = 'eval'): { graph: Graph; params: string[] } {
  const g = new Graph(name);
  const ins: Record<string, Tensor> = {};
  for (const [k, shape] of Object.entries(inputs)) ins[k] = g.input(k, shape);
  const ctx = new BuildContext(g, 'eval', store);
  const outs = build(ctx, ins);
  for (const [k, t] of Object.entries(outs)) g.output(t, k);
  return { graph: g, params: [...ctx.boundParams().keys()] };
}
