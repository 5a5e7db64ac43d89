/**
 * Serialization of graphs to ONNX ModelProto bytes (protobufjs with the official onnx.proto
 * schema, as compiled by the `onnx-proto` package), and import of existing ONNX models into
 * a Graph (for frozen feature networks).
 */
import onnxProto from 'onnx-proto';
import type { Graph } from './graph.js';
import type { AttrValue, ConstTensor, Node, Tensor } from './ir.js';
import { DTYPE_FROM_ONNX, FLOAT_ATTRS, ONNX_DTYPE } from './ir.js';

const { onnx } = onnxProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

const AT = onnx.AttributeProto.AttributeType;

function tensorProto(name: string, c: ConstTensor): ITensorProto {
  const buf = c.data;
  return {
    name,
    dataType: ONNX_DTYPE[c.dtype],
    dims: c.shape,
    rawData: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
  };
}

/**
 * Attribute types of imported nodes, by node: a number does not say whether it was an INT or
 * a FLOAT (e.g. Dropout's INT `seed` vs RandomNormal's FLOAT `seed`, or a float attribute
 * whose name FLOAT_ATTRS does not list), so import remembers and serialization obeys.
 */
const IMPORTED_ATTR_TYPES = new WeakMap<Node, Map<string, number>>();

function attrProto(name: string, v: AttrValue, type?: number): IAttributeProto {
  if (typeof v === 'string') return { name, type: AT.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    const isFloat = type !== undefined ? type === AT.FLOAT : FLOAT_ATTRS.has(name);
    return isFloat ? { name, type: AT.FLOAT, f: v } : { name, type: AT.INT, i: v };
  }
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'string') {
      return { name, type: AT.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    }
    const isFloat = type !== undefined ? type === AT.FLOATS : FLOAT_ATTRS.has(name);
    return isFloat ? { name, type: AT.FLOATS, floats: v as number[] } : { name, type: AT.INTS, ints: v as number[] };
  }
  return { name, type: AT.TENSOR, t: tensorProto('', v.tensor) };
}

function valueInfo(t: Tensor, dynamicBatch = false): IValueInfoProto {
  return {
    name: t.name,
    type: { tensorType: { elemType: ONNX_DTYPE[t.dtype], shape: { dim: t.shape.map((d, i) => (dynamicBatch && i === 0 ? { dimParam: 'N' } : { dimValue: d })) } } },
  };
}

/** Options for `serializeModel`. */
export interface SerializeOptions {
  /** Producer name written into the model (default 'medcolor'). */
  producer?: string;
  /** Also write value_info for every intermediate tensor (default false). */
  valueInfo?: boolean;
  /**
   * Write dimension 0 of every graph input and output as the symbolic dimension 'N', so the
   * model accepts any batch size (the graph itself must not depend on it).
   */
  dynamicBatch?: boolean;
}

/**
 * Encodes a graph as ONNX ModelProto bytes (IR version 8, the graph's opset).
 *
 * @example
 * const bytes = serializeModel(g);
 * const session = await ort.InferenceSession.create(bytes);
 */
export function serializeModel(g: Graph, options: SerializeOptions = {}): Uint8Array {
  // Only initializers that are not graph inputs and are actually used.
  const used = new Set<string>();
  for (const n of g.nodes) for (const i of n.inputs) used.add(i);
  for (const o of g.outputs) used.add(o.name);
  const inputNames = new Set(g.inputs.map((t) => t.name));
  const initializer: ITensorProto[] = [];
  for (const [name, c] of g.initializers) if (used.has(name) && !inputNames.has(name)) initializer.push(tensorProto(name, c));
  const nodes = g.nodes.map((n: Node) => ({
    name: n.name,
    opType: n.op,
    domain: n.domain ?? '',
    input: n.inputs,
    output: n.outputs,
    attribute: Object.entries(n.attrs).map(([k, v]) => attrProto(k, v, IMPORTED_ATTR_TYPES.get(n)?.get(k))),
  }));
  const outNames = new Set(g.outputs.map((t) => t.name));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: options.producer ?? 'medcolor',
    opsetImport: [{ domain: '', version: g.opset }],
    metadataProps: [...g.metadata].map(([key, value]) => ({ key, value })),
    graph: {
      name: g.name,
      node: nodes,
      initializer,
      input: g.inputs.map((t) => valueInfo(t, options.dynamicBatch)),
      output: g.outputs.map((t) => valueInfo(t, options.dynamicBatch)),
      valueInfo: options.valueInfo
        ? [...g.tensors.values()].filter((t) => !inputNames.has(t.name) && !outNames.has(t.name) && !g.initializers.has(t.name)).map((t) => valueInfo(t))
        : [],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function constFromProto(t: ITensorProto): ConstTensor {
  const dtype = DTYPE_FROM_ONNX[t.dataType ?? 1];
  if (!dtype) throw new Error(`tensor '${t.name}': data type ${t.dataType} is not supported`);
  const shape = (t.dims ?? []).map((d) => Number(d));
  const raw = t.rawData && t.rawData.length ? t.rawData : undefined;
  const copy = raw ? new Uint8Array(raw).buffer : undefined;
  switch (dtype) {
    case 'float32':
      return { dtype, shape, data: copy ? new Float32Array(copy) : Float32Array.from(t.floatData ?? []) };
    case 'int64':
      return { dtype, shape, data: copy ? new BigInt64Array(copy) : BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(v.toString()))) };
    case 'int32':
      return { dtype, shape, data: copy ? new Int32Array(copy) : Int32Array.from(t.int32Data ?? []) };
    case 'bool':
      return { dtype, shape, data: copy ? new Uint8Array(copy) : Uint8Array.from(t.int32Data ?? []) };
  }
  throw new Error('unreachable');
}

function attrFromProto(a: IAttributeProto): AttrValue {
  switch (a.type) {
    case AT.FLOAT: return a.f ?? 0;
    case AT.INT: return Number(a.i ?? 0);
    case AT.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case AT.FLOATS: return [...(a.floats ?? [])];
    case AT.INTS: return (a.ints ?? []).map((v) => Number(v));
    case AT.STRINGS: return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    case AT.TENSOR: return { tensor: constFromProto(a.t!) };
  }
  throw new Error(`attribute '${a.name}': type ${a.type} is not supported`);
}

/** Result of importing a model: the mapping from the model's tensor names to graph tensors. */
export interface ImportResult {
  outputs: Tensor[];
  /** Every imported tensor by its original name. */
  values: Map<string, Tensor>;
  /** The model's metadata_props (as methods/model.ts readOnnxMetadata returns them). */
  metadata: Record<string, string>;
}

/**
 * Imports an ONNX model into graph `g`: its initializers become constants (frozen weights),
 * its inputs are bound to the given tensors (by position or name), and its nodes are added
 * with fresh names. Differentiating through the imported part then works like any other
 * part of the graph (only ops with VJP rules can be differentiated).
 *
 * @example
 * const [features] = importModel(g, vggBytes, { input: rgb }).outputs;
 */
export function importModel(g: Graph, bytes: Uint8Array, bind: Record<string, Tensor> | Tensor[], prefix = 'imp'): ImportResult {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const opset = Number((model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? g.opset);
  const values = new Map<string, Tensor>();
  const inits = new Set((graph.initializer ?? []).map((t) => t.name!));
  for (const t of graph.initializer ?? []) values.set(t.name!, g.constant(constFromProto(t), `${prefix}_w`));
  const realInputs = (graph.input ?? []).filter((i) => !inits.has(i.name!));
  realInputs.forEach((inp, k) => {
    const t = Array.isArray(bind) ? bind[k] : bind[inp.name!];
    if (!t) throw new Error(`importModel: no tensor bound to input '${inp.name}'`);
    values.set(inp.name!, t);
  });
  for (const n of graph.node ?? []) {
    if (n.domain && n.domain !== 'ai.onnx') throw new Error(`importModel: op domain '${n.domain}' is not supported`);
    if (n.opType === 'Constant') {
      values.set(n.output![0], g.constant(constantValue(n.attribute ?? [], n.name ?? ''), `${prefix}_c`));
      continue;
    }
    const attrs: Record<string, AttrValue> = {};
    const types = new Map<string, number>();
    for (const a of n.attribute ?? []) {
      attrs[a.name!] = attrFromProto(a);
      types.set(a.name!, a.type!);
    }
    const ins = (n.input ?? []).map((name) => (name ? values.get(name) : undefined));
    ins.forEach((t, i) => {
      if (!t && n.input![i]) throw new Error(`importModel: input '${n.input![i]}' of node '${n.name}' is unknown`);
    });
    if (opset < 13 && (n.opType === 'Softmax' || n.opType === 'LogSoftmax')) {
      // Before opset 13 these normalize over all axes from `axis` (default 1) on, as if the
      // input were flattened to 2-D there; opset 13 normalizes over one axis.
      const x = ins[0]!;
      const r = x.shape.length;
      const axis = (((attrs.axis as number | undefined) ?? 1) + r) % r;
      let y: Tensor;
      if (axis === r - 1) {
        y = g.op1(n.opType, [x], { axis }, `${prefix}_${n.opType.toLowerCase()}`);
      } else {
        const lead = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
        const flat = g.op1('Reshape', [x, g.ints([lead, -1])], {}, `${prefix}_flat`);
        const s2 = g.op1(n.opType, [flat], { axis: 1 }, `${prefix}_${n.opType.toLowerCase()}`);
        y = g.op1('Reshape', [s2, g.ints(x.shape)], {}, `${prefix}_unflat`);
      }
      values.set(n.output![0], y);
      continue;
    }
    const up = upgradeNode(g, n.opType!, ins, attrs, types, opset, n.name ?? '');
    const nOut = n.output!.length;
    const outs = g.op(n.opType!, up.inputs, up.attrs, nOut, `${prefix}_${n.opType!.toLowerCase()}`);
    IMPORTED_ATTR_TYPES.set(g.nodes[g.nodes.length - 1], types);
    n.output!.forEach((name, i) => {
      if (name) values.set(name, outs[i]);
    });
  }
  const outputs = (graph.output ?? []).map((o) => values.get(o.name!)!);
  const metadata = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key!, p.value!]));
  return { outputs, values, metadata };
}

/** The value of a Constant node, whichever of its value attributes it uses. */
function constantValue(attributes: IAttributeProto[], node: string): ConstTensor {
  const a = attributes[0];
  if (!a) throw new Error(`importModel: Constant node '${node}' has no value`);
  const v = attrFromProto(a);
  switch (a.name) {
    case 'value':
      return (v as { tensor: ConstTensor }).tensor;
    case 'value_float':
      return { dtype: 'float32', shape: [], data: Float32Array.of(v as number) };
    case 'value_floats':
      return { dtype: 'float32', shape: [(v as number[]).length], data: Float32Array.from(v as number[]) };
    case 'value_int':
      return { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(v as number)) };
    case 'value_ints':
      return { dtype: 'int64', shape: [(v as number[]).length], data: BigInt64Array.from((v as number[]).map((x) => BigInt(x))) };
  }
  throw new Error(`importModel: Constant node '${node}': attribute '${a.name}' is not supported; supported: value, value_float(s), value_int(s)`);
}

const REDUCE_ATTR_AXES = new Set(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceL2', 'ReduceProd', 'ReduceSumSquare', 'ReduceL1', 'ReduceLogSum', 'ReduceLogSumExp']);

/**
 * Rewrites a node of another opset into its opset-17 form (the graph builder's): attributes
 * that became inputs in opset 13 (Squeeze/Unsqueeze/ReduceSum axes, Split sizes) or earlier
 * (Pad, Slice, Clip), and inputs that became attributes' replacements in opset 18 (Reduce*
 * axes, Split num_outputs, Pad axes).
 */
function upgradeNode(
  g: Graph,
  op: string,
  ins: (Tensor | undefined)[],
  attrs: Record<string, AttrValue>,
  types: Map<string, number>,
  opset: number,
  node: string,
): { inputs: (Tensor | undefined)[]; attrs: Record<string, AttrValue> } {
  const inputs = [...ins];
  const take = (name: string): AttrValue | undefined => {
    const v = attrs[name];
    delete attrs[name];
    types.delete(name);
    return v;
  };
  const floatScalar = (v: number) => g.scalar(v);
  if (opset < 13) {
    if ((op === 'Squeeze' || op === 'Unsqueeze' || op === 'ReduceSum') && attrs.axes !== undefined) inputs[1] = g.ints(take('axes') as number[]);
    if (op === 'Split' && attrs.split !== undefined) inputs[1] = g.ints(take('split') as number[]);
  }
  if (opset < 11) {
    if (op === 'Pad' && attrs.pads !== undefined) {
      inputs[1] = g.ints(take('pads') as number[]);
      const value = take('value');
      if (value !== undefined) inputs[2] = floatScalar(value as number);
    }
    if (op === 'Clip' && (attrs.min !== undefined || attrs.max !== undefined)) {
      const lo = take('min');
      const hi = take('max');
      inputs[1] = lo !== undefined ? floatScalar(lo as number) : undefined;
      inputs[2] = hi !== undefined ? floatScalar(hi as number) : undefined;
    }
    if (op === 'Resize' && inputs.length === 2) {
      // Resize-10: (X, scales) with asymmetric coordinates.
      inputs.splice(1, 0, undefined);
      attrs.coordinate_transformation_mode ??= 'asymmetric';
      if ((attrs.mode ?? 'nearest') === 'nearest') attrs.nearest_mode ??= 'floor';
    }
  }
  if (opset < 10 && op === 'Slice' && attrs.starts !== undefined) {
    inputs[1] = g.ints(take('starts') as number[]);
    inputs[2] = g.ints(take('ends') as number[]);
    const axes = take('axes');
    if (axes !== undefined) inputs[3] = g.ints(axes as number[]);
  }
  if (opset >= 18) {
    if (REDUCE_ATTR_AXES.has(op) && inputs[1]) {
      const axes = g.constValues(inputs[1]);
      if (!axes) throw new Error(`importModel: node '${node}' (${op}): axes must be a constant`);
      attrs.axes = axes;
      inputs.length = 1;
    }
    if (op === 'Split') take('num_outputs');
    if (op === 'Pad' && inputs[3]) {
      const axes = g.constValues(inputs[3]);
      const pads = inputs[1] ? g.constValues(inputs[1]) : undefined;
      if (!axes || !pads) throw new Error(`importModel: node '${node}' (Pad): pads and axes must be constants`);
      const r = inputs[0]!.shape.length;
      const full = new Array<number>(2 * r).fill(0);
      axes.forEach((a0, i) => {
        const a = a0 < 0 ? a0 + r : a0;
        full[a] = pads[i];
        full[a + r] = pads[i + axes.length];
      });
      inputs[1] = g.ints(full);
      inputs.length = 3;
    }
  }
  while (inputs.length && inputs[inputs.length - 1] === undefined) inputs.pop();
  return { inputs, attrs };
}
