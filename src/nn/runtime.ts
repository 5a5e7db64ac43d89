/**
 * Node edge of the training engine: ONNX Runtime sessions (onnxruntime-node) for graphs.
 */
import * as ort from 'onnxruntime-node';
import type { Graph } from './graph.js';
import { serializeModel } from './onnx-io.js';

/** Options for `createSession`. */
export interface SessionOptions {
  /** Intra-op threads (default: all cores, i.e. 0 lets ORT decide). */
  threads?: number;
  /** Write the optimized graph here (to inspect what ORT's optimizer did). */
  optimizedModelPath?: string;
  /** Graph optimization level (default 'all'). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Let idle worker threads spin (default true, ORT's default; false helps on shared machines). */
  spinning?: boolean;
  /** Profile every run (ORT's profiler): the JSON trace goes to `PREFIX_<date>.json` when `endProfiling()` is called. */
  profilePrefix?: string;
}

/**
 * Creates an ONNX Runtime session for a graph.
 *
 * @example
 * const s = await createSession(g);
 * const out = await s.run({ x: new ort.Tensor('float32', data, [1, 3]) });
 */
export async function createSession(g: Graph | Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const bytes = g instanceof Uint8Array ? g : serializeModel(g);
  return ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: options.optimization ?? 'all',
    intraOpNumThreads: options.threads ?? 0,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Spinning worker threads waste the CPU when other work shares the cores; training turns it off.
    ...(options.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    ...(options.optimizedModelPath ? { optimizedModelFilePath: options.optimizedModelPath } : {}),
    ...(options.profilePrefix ? { enableProfiling: true, profileFilePrefix: options.profilePrefix } : {}),
  });
}

export { ort };
