/**
 * Export of a plain inference ONNX model: parameters become initializers, BatchNorm is folded
 * into the preceding convolutions (by the layers, in 'export' mode), and metadata_props say
 * what the model expects and returns and how it was trained.
 */
import { Graph } from './graph.js';
import type { Tensor } from './ir.js';
import { serializeModel } from './onnx-io.js';
import { BuildContext, type ParamStore } from './params.js';

/**
 * Builds and serializes the inference graph of a model.
 *
 * @example
 * const bytes = exportInferenceModel(store, { L: [1, 1, 256, 256] }, (ctx, i) => ({ ab: unetForward(ctx, i.L) }), { 'medcolor.ab_scale': '110' });
 */
export function exportInferenceModel(
  store: ParamStore,
  inputs: Record<string, readonly number[]>,
  build: (ctx: BuildContext, ins: Record<string, Tensor>) => Record<string, Tensor>,
  metadata: Record<string, string> = {},
  name = 'medcolor_model',
  options: { dynamicBatch?: boolean } = {},
): Uint8Array {
  const g = new Graph(name);
  const ins: Record<string, Tensor> = {};
  for (const [k, shape] of Object.entries(inputs)) ins[k] = g.input(k, shape);
  const ctx = new BuildContext(g, 'export', store);
  for (const [k, t] of Object.entries(build(ctx, ins))) g.output(t, k);
  for (const [k, v] of Object.entries(metadata)) g.metadata.set(k, v);
  return serializeModel(g, { dynamicBatch: options.dynamicBatch });
}
