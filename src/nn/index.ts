/**
 * medcolor's training engine: graph builder, autodiff, optimizers, export (browser-safe parts).
 * Importing this module registers every VJP rule.
 */
import './vjp/index.js';

export * from './graph.js';
export { broadcastShapes, FLOAT_ATTRS, type AttrValue, type ConstTensor, type DType, type Node, type Tensor } from './ir.js';
export * from './autodiff.js';
export * from './ops.js';
export * from './onnx-io.js';
export { convWeightGrad, setConvWeightGradMethod } from './vjp/conv.js';
