/**
 * medcolor's training engine: graph builder, autodiff, optimizers, export (browser-safe parts).
 * Importing this module registers every VJP rule.
 */
import './vjp/core.js';
import './vjp/conv.js';
import './vjp/extra.js';

export * from './graph.js';
export * from './autodiff.js';
export * from './ops.js';
export * from './onnx-io.js';
export { convWeightGrad, setConvWeightGradMethod } from './vjp/conv.js';
