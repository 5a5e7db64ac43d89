/**
 * Per-pixel lookup in a table indexed by an integer image's sample values: the last step of
 * every computation done once per distinct value (grayToL's L*, the pipeline's colors of a
 * per-value method). Browser-safe.
 */

/**
 * Writes `table[channels * (data[i] - lo) + c]` to `out[channels * i + c]` for every pixel i and
 * channel c < channels. `data` holds integers in lo .. lo + table.length / channels - 1 (as
 * `grayToLByValue` guarantees); returns `out`.
 *
 * @example
 * const rgb = lookupByValue(gray.data, lo, rgbOfValue, 3, new Uint8Array(3 * gray.data.length));
 */
export function lookupByValue<T extends Float32Array | Uint8Array>(data: Float32Array, lo: number, table: T, channels: number, out: T): T {
  const n = data.length;
  // `| 0` keeps the index a small integer, so the loads are plain typed-array reads (a float
  // index, even an integral one, takes V8's slow keyed-load path).
  if (channels === 1) {
    for (let i = 0; i < n; i++) out[i] = table[(data[i] - lo) | 0];
  } else if (channels === 2) {
    for (let i = 0; i < n; i++) {
      const k = ((data[i] - lo) | 0) << 1;
      out[2 * i] = table[k];
      out[2 * i + 1] = table[k + 1];
    }
  } else if (channels === 3 && out instanceof Uint8Array && LITTLE_ENDIAN && out.byteOffset % 4 === 0) {
    lookupBytes3(data, lo, table as Uint8Array, out);
  } else if (channels === 3) {
    for (let i = 0; i < n; i++) {
      const k = 3 * ((data[i] - lo) | 0), o = 3 * i;
      out[o] = table[k];
      out[o + 1] = table[k + 1];
      out[o + 2] = table[k + 2];
    }
  } else {
    for (let i = 0; i < n; i++) {
      const k = channels * ((data[i] - lo) | 0);
      for (let c = 0; c < channels; c++) out[channels * i + c] = table[k + c];
    }
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The 3-byte case (8-bit RGB) four pixels at a time: each value's three bytes packed in one
 * word, four pixels written as three 32-bit words (about 2.5x faster than byte stores).
 */
function lookupBytes3(data: Float32Array, lo: number, table: Uint8Array, out: Uint8Array): void {
  const packed = new Uint32Array(table.length / 3);
  for (let k = 0; k < packed.length; k++) packed[k] = table[3 * k] | (table[3 * k + 1] << 8) | (table[3 * k + 2] << 16);
  const n = data.length, n4 = n & ~3;
  const words = new Uint32Array(out.buffer, out.byteOffset, (3 * n4) / 4);
  for (let i = 0, w = 0; i < n4; i += 4, w += 3) {
    const p0 = packed[(data[i] - lo) | 0], p1 = packed[(data[i + 1] - lo) | 0];
    const p2 = packed[(data[i + 2] - lo) | 0], p3 = packed[(data[i + 3] - lo) | 0];
    words[w] = p0 | (p1 << 24);
    words[w + 1] = (p1 >>> 8) | (p2 << 16);
    words[w + 2] = (p2 >>> 16) | (p3 << 8);
  }
  for (let i = n4; i < n; i++) {
    const p = packed[(data[i] - lo) | 0];
    out[3 * i] = p & 255;
    out[3 * i + 1] = (p >>> 8) & 255;
    out[3 * i + 2] = p >>> 16;
  }
}
