/**
 * One frame's samples, whatever the transfer syntax: native pixel data is read in place;
 * encapsulated pixel data is split into frames and each frame goes to its decoder (RLE, deflate,
 * or an image codec of codecs/). Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../errors.js';
import { decodeCompressedFrame } from './codecs/decode-compressed-frame.js';
import { inflateFrame } from './codecs/deflate-frame.js';
import { decodeRleFrame } from './codecs/rle.js';
import type { DecodedFrame } from './codecs/types.js';
import type { DataSet } from './dataset.js';
import { groupFragments } from './encapsulated-frames.js';
import { maskAndSign, planarToInterleaved, readNativeSamples } from './native-samples.js';
import type { PixelSpec } from './pixel-spec.js';

/** A frame's samples as float64, interleaved per pixel, plus the photometric they are in. */
export interface FrameSamples {
  values: Float64Array;
  photometric: string;
  /** Largest possible sample value (for scaling color samples). */
  maxValue: number;
}

function decodedToValues(frame: DecodedFrame): Float64Array {
  const out = new Float64Array(frame.samples.length);
  for (let i = 0; i < out.length; i++) out[i] = frame.samples[i];
  return out;
}

/** Decodes frame `index` (0-based) to interleaved samples (masked and sign-extended integers, or floats). */
export async function decodeFrameSamples(ds: DataSet, spec: PixelSpec, index: number, file?: string): Promise<FrameSamples> {
  const el = ds.elements[spec.pixelTag!];
  const pixels = spec.rows * spec.columns;
  const bytes = ds.byteArray as Uint8Array;
  const maxValue = spec.kind === 'integer' ? 2 ** spec.bitsStored - 1 : 1;
  const shift = spec.highBit + 1 - spec.bitsStored;
  let photometric = spec.photometric;
  let values: Float64Array;
  const encoding = spec.ts.encoding;
  if (encoding === 'native' || !el.encapsulatedPixelData) {
    if (el.encapsulatedPixelData) {
      throw new MedcolorError('ERR_DICOM_FRAGMENTS', 'pixel data is encapsulated but the transfer syntax is a native one', { file });
    }
    const ybr422 = spec.samplesPerPixel === 3 && (photometric === 'YBR_FULL_422' || photometric === 'YBR_PARTIAL_422');
    const frameBits = ybr422 ? pixels * 2 * 8 : pixels * spec.samplesPerPixel * spec.bitsAllocated;
    const startBits = el.dataOffset * 8 + index * frameBits;
    const available = Math.min(el.length, bytes.length - el.dataOffset) * 8;
    if ((index + 1) * frameBits > available) {
      throw new MedcolorError(
        'ERR_DICOM_TRUNCATED',
        `pixel data holds ${Math.floor(available / 8)} bytes; frame ${index} needs bytes up to ${Math.ceil(((index + 1) * frameBits) / 8)} ` +
          `(${spec.rows}x${spec.columns}x${spec.samplesPerPixel}, ${spec.bitsAllocated} bits, ${spec.frameCount} frame(s))`,
        { file },
      );
    }
    // 8-bit samples in an OW element of a big endian dataset are stored as swapped 16-bit words.
    const swap8 = !spec.ts.littleEndian && spec.bitsAllocated === 8 && el.vr === 'OW';
    values = readNativeSamples(bytes, startBits, spec, spec.ts.littleEndian, swap8);
    if (ybr422) photometric = 'YBR_FULL';
    else if (spec.samplesPerPixel === 3 && spec.planarConfiguration === 1) values = planarToInterleaved(values, pixels, 3);
    if (spec.kind === 'integer' && spec.bitsAllocated > 1) maskAndSign(values, spec.bitsStored, shift, spec.signed, spec.bitsAllocated);
    return { values, photometric, maxValue };
  }
  const frames = groupFragments(ds, el, spec, file);
  if (index >= frames.length) {
    throw new MedcolorError('ERR_DICOM_FRAME', `frame ${index} does not exist; the file has ${frames.length}`, { file });
  }
  const data = frames[index];
  if (encoding === 'rle' || encoding === 'deflate-frame') {
    const native =
      encoding === 'rle'
        ? decodeRleFrame(data, spec, file)
        : await inflateFrame(data, file);
    const need = Math.ceil((pixels * spec.samplesPerPixel * spec.bitsAllocated) / 8);
    if (native.length < need) {
      throw new MedcolorError('ERR_DICOM_TRUNCATED', `frame ${index} decoded to ${native.length} bytes; expected ${need}`, { file });
    }
    values = readNativeSamples(native, 0, { ...spec, photometric: 'RGB' }, true, false);
    // RLE frames are always color-by-plane internally but decoded here to interleaved;
    // deflated frames keep the dataset's PlanarConfiguration.
    if (encoding === 'deflate-frame' && spec.samplesPerPixel === 3 && spec.planarConfiguration === 1) {
      values = planarToInterleaved(values, pixels, 3);
    }
    if (spec.kind === 'integer' && spec.bitsAllocated > 1) maskAndSign(values, spec.bitsStored, shift, spec.signed, spec.bitsAllocated);
    return { values, photometric, maxValue };
  }
  const decoded = await decodeCompressedFrame(encoding, data, spec, file);
  if (decoded.width !== spec.columns || decoded.height !== spec.rows || decoded.components !== spec.samplesPerPixel) {
    throw new MedcolorError(
      'ERR_DICOM_DECODE',
      `codestream is ${decoded.width}x${decoded.height}x${decoded.components}; the header says ` +
        `${spec.columns}x${spec.rows}x${spec.samplesPerPixel}`,
      { file },
    );
  }
  values = decodedToValues(decoded);
  if (spec.samplesPerPixel === 3 && decoded.colorConverted) photometric = 'RGB';
  const sampleBits = decoded.bitsPerSample <= 8 ? 8 : 16;
  maskAndSign(values, Math.min(spec.bitsStored, sampleBits), 0, spec.signed, sampleBits);
  return { values, photometric, maxValue };
}
