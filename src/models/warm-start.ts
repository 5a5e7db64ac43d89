/**
 * Warm start from an exported colorizer: the weights of a shipped `.onnx` model (BatchNorm
 * folded into its convolutions) loaded into the parameters of a U-Net built without BatchNorm
 * (`batchNorm: false`), whose convolutions have the same layout. Input channels the exported
 * model does not have (the hint planes of a hint-taking model) get zero weights, so the warm
 * model with no hints computes exactly what the exported one computes.
 */
import onnxProto from 'onnx-proto';
import { MedcolorError } from '../errors.js';
import type { ParamStore } from '../nn/params.js';

/** Parameter name in a BatchNorm-free U-Net for an initializer name of an exported model. */
function paramNameOf(initializer: string): string | undefined {
  const m = /^(.+?)_(folded_weight|folded_bias|weight|bias)_\d+$/.exec(initializer);
  if (!m) return undefined;
  // Layer names are dot-separated, with a few underscores of their own (hint_gate).
  const prefix = m[1].replace(/_/g, '.').replace(/\bhint\.gate\b/, 'hint_gate');
  if (m[2] === 'folded_weight') return `${prefix}.conv.weight`;
  if (m[2] === 'folded_bias') return `${prefix}.conv.bias`;
  return `${prefix}.${m[2]}`;
}

/**
 * Copies an exported model's weights into `store` (whose parameters are already declared by
 * building the network). Every trainable parameter must be found with the same shape, except
 * that a convolution may have more input channels than the exported one (they start at zero)
 * and that parameters under the `fresh` prefixes may be missing (they start at zero).
 * Returns the number of parameters loaded from the model.
 *
 * @example
 * const n = loadExportedWeights(store, readFileSync('models/natural.onnx'), 'models/natural.onnx');
 */
export function loadExportedWeights(store: ParamStore, bytes: Uint8Array, file?: string, options: { fresh?: string[] } = {}): number {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const found = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const t of model.graph?.initializer ?? []) {
    const name = paramNameOf(t.name ?? '');
    if (!name || (t.dataType ?? 1) !== 1) continue;
    const raw = t.rawData && t.rawData.length ? new Float32Array(new Uint8Array(t.rawData).buffer) : Float32Array.from(t.floatData ?? []);
    found.set(name, { dims: (t.dims ?? []).map(Number), data: raw });
  }
  let loaded = 0;
  for (const spec of store.trainable()) {
    const src = found.get(spec.name);
    if (!src && options.fresh?.some((p) => spec.name.startsWith(p))) {
      // A layer the exported model does not have (e.g. hint_gate.): it starts at zero.
      store.values.set(spec.name, new Float32Array(spec.shape.reduce((a, b) => a * b, 1)));
      continue;
    }
    if (!src) {
      throw new MedcolorError('ERR_MODEL_CONTRACT', `warm start: the model has no weights for '${spec.name}' [${spec.shape}]; expected an exported U-Net of the same architecture (medcolor.architecture)`, { file });
    }
    const want = spec.shape, have = src.dims;
    const sameButInputs = want.length === 4 && have.length === 4 && want[0] === have[0] && want[2] === have[2] && want[3] === have[3] && want[1] >= have[1];
    if (want.join() === have.join()) {
      store.values.set(spec.name, new Float32Array(src.data));
    } else if (sameButInputs) {
      // [out, in, k, k]: copy the first `have[1]` input channels, the new ones stay zero.
      const v = new Float32Array(want.reduce((a, b) => a * b, 1));
      const kk = want[2] * want[3];
      for (let o = 0; o < want[0]; o++) {
        for (let i = 0; i < have[1]; i++) v.set(src.data.subarray((o * have[1] + i) * kk, (o * have[1] + i + 1) * kk), (o * want[1] + i) * kk);
      }
      store.values.set(spec.name, v);
    } else {
      throw new MedcolorError('ERR_MODEL_CONTRACT', `warm start: '${spec.name}' is [${have}] in the model; the network needs [${want}]`, { file });
    }
    loaded++;
  }
  return loaded;
}
