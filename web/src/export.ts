/**
 * Downloads: the colorized frame as PNG, every frame as one DICOM Secondary Capture, a volume
 * as NIfTI RGB24: the library's encoders (`encodeOutputs`, the provenance the CLI writes), PNG
 * through the canvas.
 */
import { colorizeImage, encodeOutputs, type ColorizationMethod, type ColorizeOptions, type RgbImage } from '../../src/browser.js';
import type { ExportReply, MethodSpec } from './protocol.js';
import type { OpenedInput } from './read-input.js';
import { encodePngInBrowser } from './raster-decoder.js';

const stem = (name: string) => name.replace(/\.(nii\.gz|[A-Za-z0-9]+)$/, '');

/** Encodes the colorized `frame` (PNG) or every frame (DICOM, NIfTI) of an input. */
export async function encodeExport(
  f: OpenedInput,
  frame: number,
  format: 'png' | 'dcm' | 'nii',
  method: ColorizationMethod,
  spec: MethodSpec,
  options: ColorizeOptions,
  onProgress: (done: number, total: number) => void,
): Promise<ExportReply> {
  const provenance = { method: spec.method, model: spec.method === 'model' ? spec.model : undefined };
  const which = format === 'png' ? [frame] : f.frames.map((_, i) => i);
  const rgb: RgbImage[] = [];
  for (const [k, i] of which.entries()) {
    onProgress(k, which.length);
    rgb.push((await colorizeImage(f.frames[i], method, options)).rgb);
  }
  const [out] = await encodeOutputs(rgb, f.input, { format, provenance, encodePng: encodePngInBrowser, first: format === 'png' ? frame : 0 });
  const label = spec.method === 'model' ? `model-${spec.model}` : spec.method;
  const bytes = out.bytes.slice().buffer as ArrayBuffer;
  return { name: `${stem(f.name)}-${label}${out.suffix}`, mime: out.contentType, bytes };
}
