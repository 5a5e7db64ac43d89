/**
 * JPEG Lossless (process 14, with any predictor) frames, decoded by jpeg-lossless-decoder-js.
 * Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../../errors.js';
import { describeCodecError } from './codec-error.js';
import { readJpegPrecision } from './jpeg-markers.js';
import type { DecodedFrame, FrameSpec } from './types.js';

/** Decodes one JPEG Lossless frame. */
export async function decodeJpegLossless(data: Uint8Array, spec: FrameSpec, file?: string): Promise<DecodedFrame> {
  const { Decoder } = await import('jpeg-lossless-decoder-js');
  const bytesPerSample = spec.bitsAllocated <= 8 ? 1 : 2;
  let out: ArrayLike<number> & { buffer: ArrayBufferLike };
  try {
    const copy = data.slice(); // the decoder takes an ArrayBuffer and reads from offset 0
    out = new Decoder().decode(copy.buffer, 0, copy.length, bytesPerSample) as unknown as typeof out;
  } catch (e) {
    throw new MedcolorError('ERR_DICOM_DECODE', `JPEG lossless decoder failed: ${describeCodecError(e)}`, {
      file,
      cause: e,
    });
  }
  const n = spec.rows * spec.columns * spec.samplesPerPixel;
  // Checked before the buffer is made (found by test/fuzz: Rows = Columns = 65535 allocated 8 GiB
  // for a 400x512 stream before this check refused it).
  if (out.length < n) {
    throw new MedcolorError('ERR_DICOM_DECODE', `JPEG lossless stream decoded to ${out.length} samples, expected ${n}`, {
      file,
    });
  }
  const samples = bytesPerSample === 1 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) samples[i] = out[i];
  return {
    width: spec.columns,
    height: spec.rows,
    components: spec.samplesPerPixel,
    samples,
    bitsPerSample: readJpegPrecision(data) || spec.bitsAllocated,
    signed: false,
    colorConverted: false,
  };
}
