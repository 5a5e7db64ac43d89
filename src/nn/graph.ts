/**
 * A small typed graph builder that emits ONNX. Every op added gets its output shapes inferred
 * at build time (see shape-infer.ts), so model code, autodiff and export can rely on static
 * shapes. Shapes are fully static: a graph is built for one batch size and image size. The
 * types it is made of (Tensor, Node, AttrValue, ...) are in ir.ts.
 *
 * @example
 * const g = new Graph('tiny');
 * const x = g.input('x', [1, 3]);
 * const w = g.input('w', [3, 2]);
 * const y = g.op('MatMul', [x, w])[0];
 * g.output(y, 'y');
 * const bytes = serializeModel(g); // see onnx-io.ts
 */
import type { AttrValue, ConstTensor, DType, Node, Tensor } from './ir.js';
import { shapeSize } from './ir.js';
import { inferShapes } from './shape-infer.js';

let graphCounter = 0;

export class Graph {
  readonly name: string;
  readonly nodes: Node[] = [];
  readonly inputs: Tensor[] = [];
  readonly outputs: Tensor[] = [];
  /** Constant tensors (ONNX initializers). */
  readonly initializers = new Map<string, ConstTensor>();
  /** Every tensor by name. */
  readonly tensors = new Map<string, Tensor>();
  /** Model metadata_props written on export. */
  readonly metadata = new Map<string, string>();
  opset = 17;
  private counter = 0;
  private readonly prefix: string;

  constructor(name = 'graph') {
    this.name = name;
    this.prefix = `t${graphCounter++}_`;
  }

  /** A fresh unique name with a readable stem. */
  uniqueName(stem: string): string {
    let name = `${stem}_${this.counter++}`;
    while (this.tensors.has(name)) name = `${stem}_${this.counter++}`;
    return name;
  }

  private register(t: Tensor): Tensor {
    if (this.tensors.has(t.name)) throw new Error(`tensor name '${t.name}' already used in graph '${this.name}'`);
    this.tensors.set(t.name, t);
    return t;
  }

  /** Declares a graph input. */
  input(name: string, shape: readonly number[], dtype: DType = 'float32'): Tensor {
    const t = this.register({ name, shape: [...shape], dtype });
    this.inputs.push(t);
    return t;
  }

  /** Marks a tensor as a graph output, under a new name if given (adds an Identity). */
  output(t: Tensor, name?: string): Tensor {
    let out = t;
    if (name && name !== t.name) {
      out = this.register({ name, shape: t.shape, dtype: t.dtype });
      this.nodes.push({ op: 'Identity', name: `node_${name}`, inputs: [t.name], outputs: [name], attrs: {} });
    }
    this.outputs.push(out);
    return out;
  }

  /** Adds a constant (an initializer). */
  constant(data: ConstTensor, stem = 'const'): Tensor {
    const name = this.uniqueName(stem);
    const t = this.register({ name, shape: [...data.shape], dtype: data.dtype });
    this.initializers.set(name, data);
    return t;
  }

  /** A float32 constant: a scalar, or data with a shape. */
  scalar(value: number, stem = 'c'): Tensor {
    return this.constant({ dtype: 'float32', shape: [], data: Float32Array.of(value) }, stem);
  }

  /** An int64 1-D constant (shapes, axes, pads, starts, ...). Cached by value. */
  ints(values: readonly number[], stem = 'i'): Tensor {
    const key = `__ints:${values.join(',')}`;
    const cached = this.intCache.get(key);
    if (cached) return cached;
    const t = this.constant(
      { dtype: 'int64', shape: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) },
      stem,
    );
    this.intCache.set(key, t);
    return t;
  }
  private readonly intCache = new Map<string, Tensor>();

  /** The integer values of a constant int64 tensor (for shape inference), or undefined. */
  constValues(t: Tensor | string): number[] | undefined {
    const name = typeof t === 'string' ? t : t.name;
    const c = this.initializers.get(name);
    if (!c) return undefined;
    if (c.data instanceof BigInt64Array) return Array.from(c.data, (v) => Number(v));
    return Array.from(c.data as Float32Array);
  }

  /**
   * Adds one node and returns its outputs, with inferred shapes.
   * `nOut` is the number of outputs; optional inputs may be passed as undefined (written as '').
   */
  op(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, nOut = 1, stem?: string): Tensor[] {
    const ins = inputs.map((t) => t?.name ?? '');
    const inTensors = inputs.map((t) => (t ? this.tensors.get(t.name) ?? t : undefined));
    const infos = inferShapes(this, op, inTensors, attrs, nOut);
    const base = stem ?? op.toLowerCase();
    const outs = infos.map((info, k) => this.register({ name: this.uniqueName(`${base}${nOut > 1 ? `_o${k}` : ''}`), ...info }));
    this.nodes.push({ op, name: this.uniqueName(`n_${base}`), inputs: ins, outputs: outs.map((o) => o.name), attrs });
    return outs;
  }

  /** Single-output convenience form of `op`. */
  op1(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, stem?: string): Tensor {
    return this.op(op, inputs, attrs, 1, stem)[0];
  }

  /** The node that produces a tensor, if any. */
  producer(name: string): Node | undefined {
    if (!this.producerIndex || this.producerIndexSize !== this.nodes.length) {
      this.producerIndex = new Map();
      for (const n of this.nodes) for (const o of n.outputs) this.producerIndex.set(o, n);
      this.producerIndexSize = this.nodes.length;
    }
    return this.producerIndex.get(name);
  }
  private producerIndex?: Map<string, Node>;
  private producerIndexSize = -1;

  get(name: string): Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`no tensor '${name}' in graph '${this.name}'`);
    return t;
  }

  /** Number of elements of a tensor. */
  static size(t: Tensor | readonly number[]): number {
    return shapeSize(Array.isArray(t) ? (t as number[]) : (t as Tensor).shape);
  }

  get id(): string {
    return this.prefix;
  }
}
