/**
 * One compressed frame to samples: picks the decoder of the transfer syntax's pixel encoding.
 * One decoder per file in this folder, each backed by a maintained library: libjpeg-turbo
 * (jpeg-baseline.ts), DCMTK's IJG via dcmjs-codecs (jpeg12.ts), jpeg-lossless-decoder-js
 * (jpeg-lossless.ts), CharLS (jpeg-ls.ts), OpenJPEG (jpeg2000.ts), OpenJPH (htj2k.ts); RLE
 * (rle.ts) and deflated frames (deflate-frame.ts) decode to native bytes instead. The
 * WebAssembly modules are loaded once, on first use. Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../../errors.js';
import type { PixelEncoding } from '../transfer-syntax.js';
import { decodeHtj2k } from './htj2k.js';
import { decodeJpeg2000 } from './jpeg2000.js';
import { decodeJpegBaseline } from './jpeg-baseline.js';
import { decodeJpegLossless } from './jpeg-lossless.js';
import { decodeJpegLs } from './jpeg-ls.js';
import type { DecodedFrame, FrameSpec } from './types.js';

/**
 * Decodes one frame of an image codec (JPEG family, JPEG-LS, JPEG 2000, HTJ2K). RLE and deflated
 * frames decode to native bytes instead (see `decodeRleFrame`, `inflateFrame`).
 *
 * @example
 * const f = await decodeCompressedFrame('jpeg-ls', fragmentBytes, spec);
 */
export async function decodeCompressedFrame(
  encoding: PixelEncoding,
  data: Uint8Array,
  spec: FrameSpec,
  file?: string,
): Promise<DecodedFrame> {
  switch (encoding) {
    case 'jpeg-baseline':
    case 'jpeg-extended':
      return decodeJpegBaseline(data, spec, file);
    case 'jpeg-lossless':
      return decodeJpegLossless(data, spec, file);
    case 'jpeg-ls':
      return decodeJpegLs(data, file);
    case 'jpeg-2000':
      return decodeJpeg2000(data, file);
    case 'htj2k':
      return decodeHtj2k(data, file);
    default:
      throw new MedcolorError('ERR_DICOM_TRANSFER_SYNTAX', `no decoder for pixel encoding '${encoding}'`, { file });
  }
}
