/**
 * 12-bit JPEG (Extended, process 4) frames, decoded by dcmjs-codecs (DCMTK's IJG libraries in
 * WebAssembly). Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../../errors.js';
import { describeCodecError } from './codec-error.js';
import type { DecodedFrame, FrameSpec } from './types.js';

let dcmjsCodecs: Promise<typeof import('dcmjs-codecs')> | undefined;

/**
 * 12-bit JPEG (Extended, process 4): libjpeg-turbo's 8-bit build cannot decode it, so these
 * streams go to dcmjs-codecs, a WebAssembly build of DCMTK's IJG 8/12/16-bit libraries.
 */
export async function decodeJpeg12(data: Uint8Array, spec: FrameSpec, precision: number, file?: string): Promise<DecodedFrame> {
  dcmjsCodecs ??= import('dcmjs-codecs').then(async (m) => {
    const mod = ((m as unknown as { default?: typeof m }).default ?? m) as typeof m;
    await mod.NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false });
    return mod;
  });
  const { NativeCodecs, Context } = await dcmjsCodecs;
  let decoded: Uint8Array | undefined;
  try {
    const ctx = new Context({
      width: spec.columns,
      height: spec.rows,
      bitsAllocated: 16,
      bitsStored: precision,
      samplesPerPixel: spec.samplesPerPixel,
      pixelRepresentation: 0,
      planarConfiguration: 0,
      photometricInterpretation: spec.samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2',
      encodedBuffer: data,
    });
    decoded = NativeCodecs.decodeJpeg(ctx, { convertColorspaceToRgb: spec.samplesPerPixel === 3 }).getDecodedBuffer();
  } catch (e) {
    throw new MedcolorError('ERR_DICOM_DECODE', `12-bit JPEG decoder failed: ${describeCodecError(e)}`, { file, cause: e });
  }
  const n = spec.rows * spec.columns * spec.samplesPerPixel;
  if (!decoded || decoded.length < 2 * n) {
    throw new MedcolorError('ERR_DICOM_DECODE', `12-bit JPEG decoded to ${decoded?.length ?? 0} bytes; expected ${2 * n}`, { file });
  }
  const samples = new Uint16Array(decoded.slice(0, 2 * n).buffer);
  return {
    width: spec.columns,
    height: spec.rows,
    components: spec.samplesPerPixel,
    samples,
    bitsPerSample: precision,
    signed: false,
    colorConverted: spec.samplesPerPixel === 3,
  };
}
