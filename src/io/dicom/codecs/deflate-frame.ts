/**
 * Deflated Image Frame Compression (1.2.840.10008.1.2.8.1), inflated with pako.
 * Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../../errors.js';
import { describeCodecError } from './codec-error.js';

/**
 * Inflates one frame of Deflated Image Frame Compression (1.2.840.10008.1.2.8.1): the result is
 * the frame's bytes in native (Explicit VR Little Endian) layout.
 */
export async function inflateFrame(data: Uint8Array, file?: string): Promise<Uint8Array> {
  const pako = await import('pako');
  try {
    return pako.inflateRaw(data);
  } catch (e) {
    throw new MedcolorError('ERR_DICOM_DECODE', `deflated frame could not be inflated: ${describeCodecError(e)}`, {
      file,
      cause: e,
    });
  }
}
