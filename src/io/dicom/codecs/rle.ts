/**
 * RLE Lossless (1.2.840.10008.1.2.5) frame decoder, PS3.5 Annex G. No maintained standalone npm
 * decoder exists (dcmjs only handles single-segment segmentation frames), and the scheme is
 * small: a 64-byte header of up to 15 segment offsets, each segment PackBits-coded, one segment
 * per byte plane (most significant byte first) per sample. Browser-safe.
 */
import { MedcolorError } from '../../../errors.js';
import type { FrameSpec } from './types.js';

/** Decodes one PackBits segment into `out` (stride `stride`, starting at `start`); returns bytes written. */
function unpackSegment(src: Uint8Array, begin: number, end: number, out: Uint8Array, start: number, stride: number, count: number): number {
  let i = begin;
  let o = 0;
  while (i < end && o < count) {
    const n = src[i++];
    if (n < 128) {
      // literal run of n + 1 bytes
      const len = Math.min(n + 1, count - o, end - i);
      for (let k = 0; k < len; k++) out[start + (o + k) * stride] = src[i + k];
      i += n + 1;
      o += len;
    } else if (n > 128) {
      // replicate the next byte 257 - n times
      const len = Math.min(257 - n, count - o);
      const v = src[i++];
      for (let k = 0; k < len; k++) out[start + (o + k) * stride] = v;
      o += len;
    }
    // n === 128 is a no-op
  }
  return o;
}

/**
 * PackBits turns 2 bytes into at most 128 (a replicate run): a segment of `length` bytes cannot
 * give more than this many. Checked before the output is allocated (found by test/fuzz: Rows =
 * Columns = 65535 on a 512x512 RLE frame asked for an 8 GiB buffer and threw a RangeError).
 */
function checkSegmentCanFill(s: number, length: number, needed: number, file?: string): void {
  const most = Math.ceil(length / 2) * 128;
  if (needed > most) {
    throw new MedcolorError('ERR_DICOM_DECODE', `RLE segment ${s} has ${length} bytes, which decode to at most ${most}; the header's size needs ${needed}`, { file });
  }
}

/**
 * Decodes one RLE Lossless frame to native bytes: samples interleaved by pixel, each sample
 * little-endian (as Explicit VR Little Endian would store it); for BitsAllocated 1 the packed
 * bit plane (ceil(rows*columns/8) bytes).
 *
 * @example
 * const bytes = decodeRleFrame(fragment, { rows: 64, columns: 64, samplesPerPixel: 1, bitsAllocated: 16 });
 * const values = new Int16Array(bytes.buffer);
 */
export function decodeRleFrame(data: Uint8Array, spec: FrameSpec, file?: string): Uint8Array {
  if (data.length < 64) {
    throw new MedcolorError('ERR_DICOM_DECODE', `RLE frame is ${data.length} bytes; expected at least the 64-byte header`, {
      file,
    });
  }
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const nSegments = dv.getUint32(0, true);
  const pixels = spec.rows * spec.columns;
  if (spec.bitsAllocated === 1) {
    // Segmentation-style bit planes: one segment of packed bits.
    const count = Math.ceil((pixels * spec.samplesPerPixel) / 8);
    if (nSegments !== 1) {
      throw new MedcolorError('ERR_DICOM_DECODE', `RLE frame with 1-bit samples has ${nSegments} segments; expected 1`, {
        file,
      });
    }
    const begin = dv.getUint32(4, true);
    checkSegmentCanFill(0, data.length - Math.min(begin, data.length), count, file);
    const out = new Uint8Array(count);
    // A segment shorter than the frame is refused as the byte-plane segments are (found by
    // test/fuzz: a 510x510 1-bit frame whose Rows said 65535 "decoded" to 33 M zero pixels).
    const written = unpackSegment(data, begin, data.length, out, 0, 1, count);
    if (written < count) {
      throw new MedcolorError('ERR_DICOM_DECODE', `RLE segment 0 decoded to ${written} bytes; expected ${count} (${spec.rows}x${spec.columns} 1-bit samples)`, { file });
    }
    return out;
  }
  const bytesPerSample = spec.bitsAllocated / 8;
  if (!Number.isInteger(bytesPerSample) || bytesPerSample < 1 || bytesPerSample > 4) {
    throw new MedcolorError('ERR_DICOM_DECODE', `RLE with BitsAllocated ${spec.bitsAllocated} is not supported; expected 1, 8, 16 or 32`, {
      file,
    });
  }
  const expected = bytesPerSample * spec.samplesPerPixel;
  if (nSegments !== expected || nSegments > 15) {
    throw new MedcolorError(
      'ERR_DICOM_DECODE',
      `RLE frame has ${nSegments} segments; expected ${expected} (${spec.samplesPerPixel} samples x ${bytesPerSample} bytes)`,
      { file },
    );
  }
  const segments: [number, number][] = [];
  for (let s = 0; s < nSegments; s++) {
    const begin = dv.getUint32(4 + 4 * s, true);
    const end = s + 1 < nSegments ? dv.getUint32(8 + 4 * s, true) : data.length;
    if (begin < 64 || begin > data.length || end < begin) {
      throw new MedcolorError('ERR_DICOM_DECODE', `RLE segment ${s} has an invalid offset ${begin}`, { file });
    }
    checkSegmentCanFill(s, Math.min(end, data.length) - begin, pixels, file);
    segments.push([begin, end]);
  }
  const out = new Uint8Array(pixels * expected);
  const pixelStride = expected;
  for (let s = 0; s < nSegments; s++) {
    const [begin, end] = segments[s];
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample); // segments run MSB first
    const written = unpackSegment(data, begin, Math.min(end, data.length), out, sample * bytesPerSample + byteInSample, pixelStride, pixels);
    if (written < pixels) {
      throw new MedcolorError('ERR_DICOM_DECODE', `RLE segment ${s} decoded to ${written} bytes; expected ${pixels}`, { file });
    }
  }
  return out;
}
