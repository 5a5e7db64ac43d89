/**
 * Native (uncompressed) pixel samples: reading them out of bytes in any bit depth and byte order
 * (1-bit packed, 8/16/32-bit integers, float and double, YBR_*_422 pairs), and keeping only the
 * BitsStored bits with their sign. Also used for RLE and deflated frames, which decode to native
 * bytes. Planar samples (RRR..GGG..BBB..) are rearranged to interleaved ones here too. Browser-safe: no Node built-ins.
 */
import type { DecodedFrame } from './codecs/types.js';
import type { PixelSpec } from './pixel-spec.js';

/** Reads native (uncompressed) samples; `bitOffset` is where the frame starts, in bits. */
export function readNativeSamples(
  bytes: Uint8Array,
  bitOffset: number,
  spec: PixelSpec,
  littleEndian: boolean,
  swap8: boolean,
): Float64Array {
  const pixels = spec.rows * spec.columns;
  const ybr422 = spec.photometric === 'YBR_FULL_422' || spec.photometric === 'YBR_PARTIAL_422';
  const n = pixels * spec.samplesPerPixel;
  const out = new Float64Array(n);
  const byteOffset = bitOffset >> 3;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (spec.bitsAllocated === 1) {
    for (let i = 0; i < n; i++) {
      const b = bitOffset + i;
      out[i] = (bytes[b >> 3] >> (b & 7)) & 1;
    }
    return out;
  }
  if (spec.kind === 'float32' || spec.kind === 'float64') {
    const step = spec.kind === 'float32' ? 4 : 8;
    for (let i = 0; i < n; i++) {
      out[i] = step === 4 ? dv.getFloat32(byteOffset + 4 * i, littleEndian) : dv.getFloat64(byteOffset + 8 * i, littleEndian);
    }
    return out;
  }
  if (spec.bitsAllocated === 8 && ybr422 && spec.samplesPerPixel === 3) {
    // Y1 Y2 Cb Cr per pair of pixels: expand to full YCbCr.
    for (let p = 0; p < pixels; p += 2) {
      const o = byteOffset + 2 * p;
      const y1 = bytes[o], y2 = bytes[o + 1], cb = bytes[o + 2], cr = bytes[o + 3];
      out[3 * p] = y1;
      out[3 * p + 1] = cb;
      out[3 * p + 2] = cr;
      if (p + 1 < pixels) {
        out[3 * p + 3] = y2;
        out[3 * p + 4] = cb;
        out[3 * p + 5] = cr;
      }
    }
    return out;
  }
  if (spec.bitsAllocated === 8) {
    for (let i = 0; i < n; i++) out[i] = bytes[byteOffset + (swap8 ? i ^ 1 : i)];
  } else if (spec.bitsAllocated === 16) {
    for (let i = 0; i < n; i++) out[i] = dv.getUint16(byteOffset + 2 * i, littleEndian);
  } else if (spec.bitsAllocated === 32) {
    for (let i = 0; i < n; i++) out[i] = dv.getUint32(byteOffset + 4 * i, littleEndian);
  }
  return out;
}

/**
 * Keeps the BitsStored bits at HighBit and sign-extends them when PixelRepresentation is 1
 * (PS3.5 8.1.1: bits outside BitsStored may hold overlays and must be ignored).
 * `shift` is 0 for codec output, whose samples are already aligned.
 */
export function maskAndSign(values: Float64Array, bitsStored: number, shift: number, signed: boolean, bitsAllocated: number): void {
  const full = bitsStored >= bitsAllocated && shift === 0;
  const range = 2 ** bitsStored;
  const half = range / 2;
  const div = 2 ** shift;
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    if (v < 0) v += 2 ** bitsAllocated; // codec output already signed: back to two's complement
    if (!full) v = Math.floor(v / div) % range;
    if (signed && v >= half) v -= range;
    values[i] = v;
  }
}

/** Rearranges planar samples (RRR..GGG..BBB..) into interleaved (RGBRGB..). */
export function planarToInterleaved<T extends DecodedFrame['samples'] | Float64Array | Float32Array>(src: T, pixels: number, components: number): T {
  const out = new (src.constructor as { new (n: number): T })(pixels * components);
  for (let c = 0; c < components; c++) {
    const base = c * pixels;
    for (let i = 0; i < pixels; i++) out[i * components + c] = src[base + i];
  }
  return out;
}
