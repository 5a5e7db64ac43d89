/**
 * Downloads: the colorized frame as PNG, the colorized frames as DICOM Secondary Capture, a
 * colorized volume as NIfTI RGB24 (the library's writers, from bytes).
 */
import { colorizeImage, MedcolorError, type ColorizationMethod, type ColorizeOptions } from '../../src/browser.js';
import type { ExportReply, MethodSpec } from './protocol.js';
import type { OpenedInput } from './read-input.js';

const stem = (name: string) => name.replace(/\.(nii\.gz|[A-Za-z0-9]+)$/, '');

/** Encodes the colorized result of `frame` (or of every frame) as a download. */
export async function encodeExport(
  f: OpenedInput,
  frame: number,
  format: 'png' | 'dcm' | 'nii',
  method: ColorizationMethod,
  spec: MethodSpec,
  options: ColorizeOptions,
  onProgress: (done: number, total: number) => void,
): Promise<ExportReply> {
  const label = spec.method === 'model' ? spec.model : spec.method;
  if (format === 'png') {
    const { rgb } = await colorizeImage(f.frames[frame], method, options);
    const canvas = new OffscreenCanvas(rgb.width, rgb.height);
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(rgb.width, rgb.height);
    for (let i = 0, n = rgb.width * rgb.height; i < n; i++) {
      img.data[4 * i] = rgb.data[3 * i];
      img.data[4 * i + 1] = rgb.data[3 * i + 1];
      img.data[4 * i + 2] = rgb.data[3 * i + 2];
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    const suffix = f.frames.length > 1 ? `-${frame + 1}` : '';
    return { name: `${stem(f.name)}${suffix}-${label}.png`, mime: 'image/png', bytes: await blob.arrayBuffer() };
  }
  void onProgress;
  throw new MedcolorError('ERR_USAGE', `${format} export is not available yet`);
}
