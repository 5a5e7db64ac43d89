/**
 * The graph IR every part of nn/ builds on: tensors, nodes, attribute values and constants, the
 * ONNX codes of the element types, the readers of attribute values, and the shape rules the
 * builder (graph.ts), shape inference (shape-infer.ts), the VJP rules and serialization
 * (onnx-io.ts) share. It imports nothing, so graph.ts and shape-infer.ts both use it without
 * importing each other. Browser-safe.
 */

/** Element types of the tensors the graph builder emits. */
export type DType = 'float32' | 'int64' | 'bool' | 'int32';

/** A value in the graph: its unique name, static shape and element type. */
export interface Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Attribute values. Integers become INT(S) unless the attribute is known to be a float. */
export type AttrValue = number | number[] | string | string[] | { tensor: ConstTensor };

/** Constant tensor data (initializers and Constant attributes). */
export interface ConstTensor {
  dtype: DType;
  shape: number[];
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array;
}

/** One ONNX node: op type, unique name, input and output tensor names ('' for an omitted optional input), attributes. */
export interface Node {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  domain?: string;
  /** What emitted the node when not the model itself: the op whose VJP rule did, or 'optimizer' (for profiles; not serialized). */
  origin?: string;
}

/** Attributes ONNX defines as FLOAT / FLOATS for the ops used here. */
export const FLOAT_ATTRS = new Set([
  'alpha', 'beta', 'epsilon', 'momentum', 'gamma', 'cubic_coeff_a', 'extrapolation_value', 'bias', 'lambd', 'value_float',
  'value_floats', 'min', 'max', 'seed', 'mean', 'scale', 'high', 'low',
]);

/** ONNX TensorProto.DataType numbers for the dtypes used here. */
export const ONNX_DTYPE: Record<DType, number> = { float32: 1, int32: 6, int64: 7, bool: 9 };
/** The dtype of an ONNX TensorProto.DataType number (those of ONNX_DTYPE). */
export const DTYPE_FROM_ONNX: Record<number, DType> = { 1: 'float32', 6: 'int32', 7: 'int64', 9: 'bool' };

/** What shape inference needs of a graph: the values of its constant (initializer) tensors. */
export interface ConstantSource {
  /** The values of a constant tensor, or undefined when it is not a constant. */
  constValues(t: Tensor | string): number[] | undefined;
}

/**
 * An INTS attribute (a single INT is promoted), or the fallback.
 *
 * @example
 * const strides = getIntsAttr(node.attrs.strides, [1, 1]);
 */
export function getIntsAttr(v: AttrValue | undefined, fallback: number[]): number[] {
  if (v === undefined) return fallback;
  if (Array.isArray(v)) return v as number[];
  if (typeof v === 'number') return [v];
  throw new Error(`expected an int list attribute, got ${JSON.stringify(v)}`);
}

/**
 * A numeric (INT or FLOAT) attribute, or the fallback.
 *
 * @example
 * const eps = getNumberAttr(node.attrs.epsilon, 1e-5);
 */
export function getNumberAttr(v: AttrValue | undefined, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}

/**
 * A STRING attribute, or the fallback.
 *
 * @example
 * const mode = getStringAttr(node.attrs.mode, 'constant');
 */
export function getStringAttr(v: AttrValue | undefined, fallback: string): string {
  return typeof v === 'string' ? v : fallback;
}

/** An axis attribute counted from the end (-1 = last) made non-negative. */
export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Shape of broadcasting two shapes (numpy rules). */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    out.push(da === 1 ? db : da);
  }
  return out;
}
