/**
 * Running training and evaluation graphs on ONNX Runtime (Node). A TrainSession owns the
 * optimizer state of the parameters it updates; parameter values live in the shared
 * ParamStore, so several sessions (generator and discriminator steps, train and eval graphs)
 * see each other's updates.
 */
import type { ParamStore } from './params.js';
import type { CheckpointData } from './checkpoint.js';
import { createSession, ort, type SessionOptions } from './runtime.js';
import { buildEvalGraph, buildTrainGraph, newName, optName, type TrainGraph, type TrainGraphSpec } from './train-graph.js';
import type { BuildContext } from './params.js';
import type { Tensor } from './ir.js';

function tensor(data: Float32Array, shape: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, shape as number[]);
}

export interface StepResult {
  loss: number;
  gradNorm: number;
  extras: Record<string, Float32Array>;
}

/**
 * One training graph on one ONNX Runtime session.
 *
 * @example
 * const ts = await TrainSession.create({ store, inputs, build, optimizer: { type: 'adam' } });
 * const { loss } = await ts.step({ L, ab }, 1e-3);
 */
export class TrainSession {
  readonly store: ParamStore;
  readonly spec: TrainGraphSpec;
  readonly tg: TrainGraph;
  readonly session: ort.InferenceSession;
  /** Optimizer state by `opt.<slot>/<param>`. */
  readonly optState = new Map<string, Float32Array>();
  /** Number of steps taken (the optimizer's t). */
  stepCount = 0;
  private readonly extraNames: string[];

  private constructor(spec: TrainGraphSpec, tg: TrainGraph, session: ort.InferenceSession) {
    this.spec = spec;
    this.store = spec.store;
    this.tg = tg;
    this.session = session;
    for (const name of tg.updated) {
      const n = this.store.get(name).length;
      for (const slot of tg.slots) this.optState.set(optName(slot, name), new Float32Array(n));
    }
    const fixed = new Set(['loss', 'grad_norm']);
    this.extraNames = session.outputNames.filter((o) => !fixed.has(o) && !o.startsWith('new/'));
  }

  /** Builds the graph, initializes parameters that have no value yet (seeded), opens the session. */
  static async create(spec: TrainGraphSpec, options: SessionOptions & { seed?: number } = {}): Promise<TrainSession> {
    const tg = buildTrainGraph(spec);
    spec.store.initialize(options.seed ?? 0);
    const session = await createSession(tg.graph, options);
    return new TrainSession(spec, tg, session);
  }

  /** One whole training step: forward, backward, update, in one session.run. */
  async step(batch: Record<string, Float32Array>, lr: number): Promise<StepResult> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [k, shape] of Object.entries(this.spec.inputs)) {
      const d = batch[k];
      if (!d) throw new Error(`TrainSession.step: missing input '${k}'`);
      feeds[k] = tensor(d, shape);
    }
    this.stepCount++;
    feeds.lr = tensor(Float32Array.of(lr), []);
    feeds.step = tensor(Float32Array.of(this.stepCount), []);
    const g = this.tg.graph;
    for (const name of [...this.tg.updated, ...this.tg.frozen, ...this.tg.state]) feeds[name] = tensor(this.store.get(name), g.get(name).shape);
    for (const [name, v] of this.optState) feeds[name] = tensor(v, g.get(name).shape);
    const out = await this.session.run(feeds);
    for (const name of this.tg.updated) {
      this.store.values.set(name, out[newName(name)].data as Float32Array);
      for (const slot of this.tg.slots) this.optState.set(optName(slot, name), out[newName(optName(slot, name))].data as Float32Array);
    }
    for (const name of this.tg.state) this.store.values.set(name, out[newName(name)].data as Float32Array);
    const extras: Record<string, Float32Array> = {};
    for (const k of this.extraNames) extras[k] = out[k].data as Float32Array;
    return { loss: (out.loss.data as Float32Array)[0], gradNorm: (out.grad_norm.data as Float32Array)[0], extras };
  }

  /**
   * Everything needed to continue exactly where this session is: parameter and state values
   * of the store, optimizer slots, step count (plus any `meta` the caller adds, e.g. RNG state).
   */
  snapshot(meta: Record<string, unknown> = {}): CheckpointData {
    return { tensors: new Map([...this.store.values, ...this.optState]), meta: { ...meta, step: this.stepCount } };
  }

  /** Restores a snapshot (parameters, state, optimizer slots, step count). */
  restore(data: CheckpointData): void {
    for (const [k, v] of data.tensors) {
      if (k.startsWith('opt.')) this.optState.set(k, v);
      else this.store.values.set(k, v);
    }
    this.stepCount = Number(data.meta.step ?? 0);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** A forward graph in eval mode over the store's current parameters. */
export class EvalSession {
  readonly store: ParamStore;
  readonly session: ort.InferenceSession;
  readonly params: string[];
  readonly inputs: Record<string, readonly number[]>;
  private readonly shapes: Map<string, readonly number[]>;

  private constructor(store: ParamStore, session: ort.InferenceSession, params: string[], inputs: Record<string, readonly number[]>, shapes: Map<string, readonly number[]>) {
    this.store = store;
    this.session = session;
    this.params = params;
    this.inputs = inputs;
    this.shapes = shapes;
  }

  static async create(store: ParamStore, inputs: Record<string, readonly number[]>, build: (ctx: BuildContext, ins: Record<string, Tensor>) => Record<string, Tensor>, options: SessionOptions = {}): Promise<EvalSession> {
    const { graph, params } = buildEvalGraph(store, inputs, build);
    const shapes = new Map(params.map((p) => [p, graph.get(p).shape] as const));
    return new EvalSession(store, await createSession(graph, options), params, inputs, shapes);
  }

  async run(batch: Record<string, Float32Array>): Promise<Record<string, Float32Array>> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [k, shape] of Object.entries(this.inputs)) feeds[k] = tensor(batch[k], shape);
    for (const p of this.params) feeds[p] = tensor(this.store.get(p), this.shapes.get(p)!);
    const out = await this.session.run(feeds);
    const res: Record<string, Float32Array> = {};
    for (const k of this.session.outputNames) res[k] = out[k].data as Float32Array;
    return res;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
