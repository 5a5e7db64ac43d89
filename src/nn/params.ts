/**
 * Named parameters, seeded initialization and the build context that models are written against.
 */
import type { Graph } from './graph.js';
import type { Tensor } from './ir.js';

/** How a parameter is initialized. */
export type InitKind = 'he' | 'xavier' | 'zeros' | 'ones' | 'normal';

export interface ParamSpec {
  name: string;
  shape: number[];
  init: InitKind;
  /** Fan-in / fan-out for He and Xavier. */
  fanIn: number;
  fanOut: number;
  /** False for state that is updated by the forward pass, not the optimizer (BN running stats). */
  trainable: boolean;
  /** Standard deviation for 'normal'. */
  std?: number;
}

export { Rng } from '../random.js';
import { Rng } from '../random.js';

/** The values of a model's parameters and state, by name. */
export class ParamStore {
  readonly specs = new Map<string, ParamSpec>();
  readonly values = new Map<string, Float32Array>();

  /** Declares a parameter (idempotent for the same name and shape). */
  declare(spec: ParamSpec): void {
    const old = this.specs.get(spec.name);
    if (old) {
      if (old.shape.join() !== spec.shape.join()) throw new Error(`parameter '${spec.name}' declared with shapes [${old.shape}] and [${spec.shape}]`);
      return;
    }
    this.specs.set(spec.name, spec);
  }

  /**
   * Initializes every declared parameter that has no value yet, in declaration order, from
   * one seeded stream: He (normal, std sqrt(2/fanIn)), Xavier (uniform, limit sqrt(6/(fanIn+fanOut))).
   */
  initialize(seed: number): void {
    const rng = new Rng(seed);
    for (const s of this.specs.values()) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(n);
      switch (s.init) {
        case 'he': {
          const std = Math.sqrt(2 / s.fanIn);
          for (let i = 0; i < n; i++) v[i] = rng.normal() * std;
          break;
        }
        case 'xavier': {
          const lim = Math.sqrt(6 / (s.fanIn + s.fanOut));
          for (let i = 0; i < n; i++) v[i] = (rng.next() * 2 - 1) * lim;
          break;
        }
        case 'normal':
          for (let i = 0; i < n; i++) v[i] = rng.normal() * (s.std ?? 0.02);
          break;
        case 'ones':
          v.fill(1);
          break;
        case 'zeros':
          break;
      }
      if (!this.values.has(s.name)) this.values.set(s.name, v);
    }
  }

  trainable(): ParamSpec[] {
    return [...this.specs.values()].filter((s) => s.trainable);
  }
  state(): ParamSpec[] {
    return [...this.specs.values()].filter((s) => !s.trainable);
  }
  get(name: string): Float32Array {
    const v = this.values.get(name);
    if (!v) throw new Error(`parameter '${name}' has no value (initialize() or load a checkpoint first)`);
    return v;
  }
  /** Number of trainable scalars. */
  count(): number {
    return this.trainable().reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  }
}

export type BuildMode = 'train' | 'eval' | 'export';

/**
 * What a model function builds against. In 'train' and 'eval' mode parameters are graph
 * inputs fed from the store at each run (so training and evaluation graphs share them); in
 * 'export' mode they are constants holding the current values (BatchNorm folded by the layers).
 */
export class BuildContext {
  readonly g: Graph;
  readonly mode: BuildMode;
  readonly store: ParamStore;
  /** New values of non-trainable state produced by the forward pass (train mode). */
  readonly stateUpdates = new Map<string, Tensor>();
  private readonly bound = new Map<string, Tensor>();

  constructor(g: Graph, mode: BuildMode, store: ParamStore) {
    this.g = g;
    this.mode = mode;
    this.store = store;
  }

  /** A parameter tensor (declared in the store on first use). */
  param(spec: ParamSpec): Tensor {
    this.store.declare(spec);
    const have = this.bound.get(spec.name);
    if (have) return have;
    let t: Tensor;
    if (this.mode === 'export') {
      t = this.g.constant({ dtype: 'float32', shape: spec.shape, data: this.store.get(spec.name) }, spec.name.replace(/[^A-Za-z0-9_]/g, '_'));
    } else {
      t = this.g.input(spec.name, spec.shape);
    }
    this.bound.set(spec.name, t);
    return t;
  }

  /** A constant computed from parameter values (export mode only, e.g. folded weights). */
  folded(name: string, shape: number[], data: Float32Array): Tensor {
    return this.g.constant({ dtype: 'float32', shape, data }, name.replace(/[^A-Za-z0-9_]/g, '_'));
  }

  /** Parameters bound as graph inputs, by name. */
  boundParams(): Map<string, Tensor> {
    return this.bound;
  }
}
