/**
 * Writes `metadata_props` entries into an ONNX model file in place (Node): decodes the
 * ModelProto (protobufjs with the official schema, `onnx-proto`), sets or replaces the entries,
 * re-encodes and replaces the file atomically. The graph and weights are kept as they are.
 */
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { MedcolorError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

/**
 * Returns the bytes of an ONNX model with `entries` set in its metadata_props (an existing key
 * is replaced, the others kept in their order).
 *
 * @example
 * const out = setOnnxMetadata(bytes, { 'medcolor.domain': JSON.stringify(domain) });
 */
export function setOnnxMetadata(bytes: Uint8Array, entries: Record<string, string>, file?: string): Uint8Array {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnxProto.onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new MedcolorError('ERR_MODEL_FORMAT', `not a valid ONNX (protobuf) file: ${(e as Error).message}`, { file, cause: e });
  }
  const props = (model.metadataProps ?? []).filter((p) => !(p.key! in entries));
  for (const [key, value] of Object.entries(entries)) props.push(onnxProto.onnx.StringStringEntryProto.create({ key, value }));
  model.metadataProps = props;
  return onnxProto.onnx.ModelProto.encode(model).finish();
}

/**
 * Sets metadata_props entries of the ONNX file at `path`, replacing the file atomically.
 *
 * @example
 * await writeOnnxMetadata('models/fundus.onnx', { 'medcolor.domain': json });
 */
export async function writeOnnxMetadata(path: string, entries: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, setOnnxMetadata(new Uint8Array(readFileSync(path)), entries, path));
}
