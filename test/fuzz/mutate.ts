/**
 * Seeded mutations of real input files for fuzzing the readers: bit flips, byte overwrites,
 * truncation, duplicated and deleted chunks, every size field claiming its largest value at once,
 * and extreme integers written into the header fields that size allocations (DICOM rows/columns/bits/frames and element lengths, NIfTI dims/datatype/
 * vox_offset, PNG IHDR and chunk lengths, JPEG SOF dimensions and segment lengths). The same
 * seed gives the same cases, so a finding can be replayed by its case number.
 */
import { crc32 } from 'node:zlib';
import { Rng } from '../../src/random.js';

export type SeedFormat = 'dicom' | 'nifti' | 'raster';

/** One header field worth pushing to extremes. */
export interface HeaderField {
  name: string;
  offset: number;
  /** Bytes; 'ascii' fields (DICOM IS/DS strings) are overwritten with digits in their own width. */
  size: 1 | 2 | 4 | 8 | 'ascii';
  littleEndian: boolean;
  float?: boolean;
  /** PNG: the chunk whose CRC to recompute after writing (so the decoder sees the value, not a CRC error). */
  pngChunk?: { start: number; length: number };
  asciiWidth?: number;
  /** For fields that state a size (rows, columns, frames, dims, width, height): the largest value it can say. */
  hugeValue?: number;
}

/** A real file to mutate. */
export interface FuzzSeed {
  name: string;
  format: SeedFormat;
  bytes: Uint8Array;
  fields: HeaderField[];
  /** NIfTI seeds are kept decompressed; a mutated case is gzipped again this often (0..1). */
  gzipRate?: number;
  /** DICOM: frames in the unmutated file (cases of seeds with many frames read one frame, to stay quick). */
  frames?: number;
}

/** One generated input: the mutated bytes and what was done to the seed. */
export interface FuzzCase {
  index: number;
  seed: FuzzSeed;
  bytes: Uint8Array;
  mutations: string[];
  gzip: boolean;
}

const EXTREME_INTS = [0, 1, 2, 3, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, -1, -2];
const EXTREME_FLOATS = [0, -0, 1e-30, -1, 1e30, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 2 ** 31, 2 ** 53];
const EXTREME_ASCII = ['0', '-1', '1', '65535', '2147483647', '4294967296', '1e308', 'NaN', '99999999999', '-2147483648', ' ', ''];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

function writeField(out: Uint8Array, f: HeaderField, rng: Rng): string {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (f.size === 'ascii') {
    const width = f.asciiWidth ?? 2;
    const s = pick(rng, EXTREME_ASCII).slice(0, width).padEnd(width, ' ');
    for (let i = 0; i < width && f.offset + i < out.length; i++) out[f.offset + i] = s.charCodeAt(i);
    return `${f.name}="${s.trim()}"`;
  }
  if (f.offset + f.size > out.length) return `${f.name} (past the end)`;
  let label: string;
  if (f.float) {
    const v = pick(rng, EXTREME_FLOATS);
    if (f.size === 4) dv.setFloat32(f.offset, v, f.littleEndian);
    else dv.setFloat64(f.offset, v, f.littleEndian);
    label = String(v);
  } else {
    const v = pick(rng, EXTREME_INTS);
    if (f.size === 1) dv.setUint8(f.offset, v & 0xff);
    else if (f.size === 2) dv.setUint16(f.offset, v & 0xffff, f.littleEndian);
    else if (f.size === 4) dv.setUint32(f.offset, v >>> 0, f.littleEndian);
    else dv.setBigInt64(f.offset, BigInt(v), f.littleEndian);
    label = String(v);
  }
  if (f.pngChunk) {
    const { start, length } = f.pngChunk; // start = offset of the chunk's type
    if (start + 4 + length + 4 <= out.length) dv.setUint32(start + 4 + length, crc32(out.subarray(start, start + 4 + length)), false);
  }
  return `${f.name}=${label}`;
}

/** Makes every size field of the header claim its largest value at once (a header claiming 2^31 rows, ...). */
function claimHugeSize(bytes: Uint8Array, seed: FuzzSeed): [Uint8Array, string] {
  const out = bytes.slice();
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const said: string[] = [];
  for (const f of seed.fields) {
    if (f.hugeValue === undefined) continue;
    if (f.size === 'ascii') {
      const text = String(f.hugeValue).slice(0, f.asciiWidth ?? 2).padEnd(f.asciiWidth ?? 2, ' ');
      for (let i = 0; i < text.length && f.offset + i < out.length; i++) out[f.offset + i] = text.charCodeAt(i);
    } else if (f.offset + f.size <= out.length) {
      if (f.size === 1) dv.setUint8(f.offset, f.hugeValue);
      else if (f.size === 2) dv.setUint16(f.offset, f.hugeValue, f.littleEndian);
      else if (f.size === 4) dv.setUint32(f.offset, f.hugeValue, f.littleEndian);
      else dv.setBigInt64(f.offset, BigInt(f.hugeValue), f.littleEndian);
      if (f.pngChunk) {
        const { start, length } = f.pngChunk;
        if (start + 4 + length + 4 <= out.length) dv.setUint32(start + 4 + length, crc32(out.subarray(start, start + 4 + length)), false);
      }
    }
    said.push(`${f.name}=${f.hugeValue}`);
  }
  return [out, `huge size ${said.join(' ')}`];
}

/** Applies one random mutation to `bytes` (returns a new array) and says what it did. */
function mutateOnce(bytes: Uint8Array, seed: FuzzSeed, rng: Rng): [Uint8Array, string] {
  const n = bytes.length;
  const kind = rng.next();
  if (kind < 0.06 && seed.fields.some((f) => f.hugeValue !== undefined)) return claimHugeSize(bytes, seed);
  if (kind < 0.3 && seed.fields.length) {
    const out = bytes.slice();
    return [out, `extreme ${writeField(out, pick(rng, seed.fields), rng)}`];
  }
  if (kind < 0.5) {
    const out = bytes.slice();
    const flips = 1 + rng.int(8);
    // Half of the flips land in the first 4 KiB, where the headers are.
    for (let i = 0; i < flips; i++) {
      const at = rng.next() < 0.5 ? rng.int(Math.min(n, 4096)) : rng.int(n);
      out[at] ^= 1 << rng.int(8);
    }
    return [out, `${flips} bit flips`];
  }
  if (kind < 0.6) {
    const out = bytes.slice();
    const at = rng.int(n), len = 1 + rng.int(16);
    const value = pick(rng, [0x00, 0xff, -1]);
    for (let i = at; i < Math.min(n, at + len); i++) out[i] = value < 0 ? rng.int(256) : value;
    return [out, `${len} bytes at ${at} set to ${value < 0 ? 'random' : value}`];
  }
  if (kind < 0.78) {
    const cut = rng.next() < 0.3 ? rng.int(Math.min(n, 2048)) : rng.int(n);
    return [bytes.slice(0, cut), `truncated to ${cut} of ${n} bytes`];
  }
  if (kind < 0.92) {
    const a = rng.int(n), len = 1 + rng.int(Math.min(4096, n - a));
    const at = rng.int(n + 1);
    const out = new Uint8Array(n + len);
    out.set(bytes.subarray(0, at));
    out.set(bytes.subarray(a, a + len), at);
    out.set(bytes.subarray(at), at + len);
    return [out, `duplicated ${len} bytes from ${a} at ${at}`];
  }
  const a = rng.int(n), len = 1 + rng.int(Math.min(4096, n - a));
  const out = new Uint8Array(n - len);
  out.set(bytes.subarray(0, a));
  out.set(bytes.subarray(a + len), a);
  return [out, `deleted ${len} bytes at ${a}`];
}

/**
 * `count` cases over the seeds (round robin), 1-3 mutations each, from one seed number.
 *
 * @example
 * for (const c of generateCases(seeds, 300, 1)) await check(c);
 */
export function* generateCases(seeds: FuzzSeed[], count: number, rngSeed: number): Generator<FuzzCase> {
  const rng = new Rng(rngSeed);
  for (let index = 0; index < count; index++) {
    const seed = seeds[index % seeds.length];
    let bytes = seed.bytes;
    const mutations: string[] = [];
    const k = 1 + rng.int(3);
    for (let i = 0; i < k && bytes.length > 0; i++) {
      const [next, what] = mutateOnce(bytes, seed, rng);
      bytes = next;
      mutations.push(what);
    }
    const gzip = rng.next() < (seed.gzipRate ?? 0);
    yield { index, seed, bytes, mutations, gzip };
  }
}

// ---- header fields of each format ------------------------------------------------------------

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
/** DICOM attributes that size the pixel buffer or change how it is read. */
const DICOM_TAGS: [number, number, string][] = [
  [0x0028, 0x0002, 'SamplesPerPixel'],
  [0x0028, 0x0006, 'PlanarConfiguration'],
  [0x0028, 0x0008, 'NumberOfFrames'],
  [0x0028, 0x0010, 'Rows'],
  [0x0028, 0x0011, 'Columns'],
  [0x0028, 0x0100, 'BitsAllocated'],
  [0x0028, 0x0101, 'BitsStored'],
  [0x0028, 0x0102, 'HighBit'],
  [0x0028, 0x0103, 'PixelRepresentation'],
  [0x0028, 0x1050, 'WindowCenter'],
  [0x0028, 0x1051, 'WindowWidth'],
  [0x0028, 0x1052, 'RescaleIntercept'],
  [0x0028, 0x1053, 'RescaleSlope'],
  [0x0028, 0x3002, 'LUTDescriptor'],
  [0x0002, 0x0000, 'FileMetaGroupLength'],
  [0x7fe0, 0x0010, 'PixelData'],
  [0xfffe, 0xe000, 'Item'],
];

function isUpper(b: number): boolean {
  return b >= 0x41 && b <= 0x5a;
}

/** Value and length fields of the DICOM attributes above, wherever their tags occur (LE and BE). */
export function dicomFields(bytes: Uint8Array, limit = 64): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const [group, element, name] of DICOM_TAGS) {
    for (const le of [true, false]) {
      const t = le
        ? [group & 0xff, group >> 8, element & 0xff, element >> 8]
        : [group >> 8, group & 0xff, element >> 8, element & 0xff];
      let hits = 0;
      for (let p = 0; p + 12 <= bytes.length && hits < (name === 'Item' ? 8 : 2); p++) {
        if (bytes[p] !== t[0] || bytes[p + 1] !== t[1] || bytes[p + 2] !== t[2] || bytes[p + 3] !== t[3]) continue;
        hits++;
        const explicit = isUpper(bytes[p + 4]) && isUpper(bytes[p + 5]) && group !== 0xfffe;
        const vr = explicit ? String.fromCharCode(bytes[p + 4], bytes[p + 5]) : '';
        let lengthAt: number, lengthSize: 2 | 4, valueAt: number;
        if (group === 0xfffe) [lengthAt, lengthSize, valueAt] = [p + 4, 4, p + 8];
        else if (!explicit) [lengthAt, lengthSize, valueAt] = [p + 4, 4, p + 8];
        else if (LONG_VRS.has(vr)) [lengthAt, lengthSize, valueAt] = [p + 8, 4, p + 12];
        else [lengthAt, lengthSize, valueAt] = [p + 6, 2, p + 8];
        fields.push({ name: `${name}.length`, offset: lengthAt, size: lengthSize, littleEndian: le });
        if (name === 'PixelData' || name === 'Item') continue;
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const len = lengthSize === 2 ? dv.getUint16(lengthAt, le) : dv.getUint32(lengthAt, le);
        if (vr === 'IS' || vr === 'DS' || (!explicit && /Number|Window|Rescale/.test(name))) {
          const hugeValue = name === 'NumberOfFrames' ? 2147483647 : undefined;
          fields.push({ name, offset: valueAt, size: 'ascii', littleEndian: le, asciiWidth: Math.min(Math.max(len, 1), 16), hugeValue });
        } else if (len >= 2) {
          const hugeValue = name === 'Rows' || name === 'Columns' ? 0xffff : undefined;
          fields.push({ name, offset: valueAt, size: len >= 4 && name === 'FileMetaGroupLength' ? 4 : 2, littleEndian: le, hugeValue });
        }
      }
    }
  }
  return fields.slice(0, limit);
}

/** NIfTI-1 / NIfTI-2 header fields (offsets from the standard headers). */
export function niftiFields(bytes: Uint8Array): HeaderField[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dv.getInt32(0, true) === 348 || dv.getInt32(0, true) === 540;
  const v2 = dv.getInt32(0, le) === 540;
  const f = (name: string, offset: number, size: 1 | 2 | 4 | 8, float = false, hugeValue?: number): HeaderField => ({ name, offset, size, littleEndian: le, float, hugeValue });
  if (!v2) {
    return [
      f('sizeof_hdr', 0, 4),
      ...Array.from({ length: 8 }, (_, i) => f(`dim[${i}]`, 40 + 2 * i, 2, false, i >= 1 && i <= 4 ? 0x7fff : undefined)),
      f('datatype', 70, 2),
      f('bitpix', 72, 2),
      f('pixdim[1]', 80, 4, true),
      f('vox_offset', 108, 4, true),
      f('scl_slope', 112, 4, true),
      f('scl_inter', 116, 4, true),
      f('cal_max', 124, 4, true),
      f('cal_min', 128, 4, true),
    ];
  }
  return [
    f('sizeof_hdr', 0, 4),
    f('datatype', 12, 2),
    f('bitpix', 14, 2),
    ...Array.from({ length: 8 }, (_, i) => f(`dim[${i}]`, 16 + 8 * i, 8, false, i >= 1 && i <= 4 ? 2 ** 31 : undefined)),
    f('vox_offset', 168, 8),
    f('scl_slope', 176, 8, true),
    f('scl_inter', 184, 8, true),
    f('cal_max', 192, 8, true),
    f('cal_min', 200, 8, true),
  ];
}

/** PNG IHDR fields and every chunk's length; JPEG SOF dimensions and segment lengths. */
export function rasterFields(bytes: Uint8Array): HeaderField[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: HeaderField[] = [];
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    for (let p = 8; p + 12 <= bytes.length && fields.length < 48; ) {
      const length = dv.getUint32(p, false);
      const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
      fields.push({ name: `${type}.length`, offset: p, size: 4, littleEndian: false });
      if (type === 'IHDR') {
        const chunk = { start: p + 4, length };
        fields.push(
          { name: 'IHDR.width', offset: p + 8, size: 4, littleEndian: false, pngChunk: chunk, hugeValue: 0x7fffffff },
          { name: 'IHDR.height', offset: p + 12, size: 4, littleEndian: false, pngChunk: chunk, hugeValue: 0x7fffffff },
          { name: 'IHDR.bitDepth', offset: p + 16, size: 1, littleEndian: false, pngChunk: chunk },
          { name: 'IHDR.colorType', offset: p + 17, size: 1, littleEndian: false, pngChunk: chunk },
          { name: 'IHDR.interlace', offset: p + 20, size: 1, littleEndian: false, pngChunk: chunk },
        );
      }
      p += 12 + length;
    }
  } else if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    for (let p = 2; p + 4 <= bytes.length && fields.length < 48; ) {
      if (bytes[p] !== 0xff) break;
      const marker = bytes[p + 1];
      if (marker === 0xd9 || marker === 0xda) {
        if (marker === 0xda) fields.push({ name: 'SOS.length', offset: p + 2, size: 2, littleEndian: false });
        break;
      }
      const name = `FF${marker.toString(16).toUpperCase()}`;
      fields.push({ name: `${name}.length`, offset: p + 2, size: 2, littleEndian: false });
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        fields.push(
          { name: `${name}.precision`, offset: p + 4, size: 1, littleEndian: false },
          { name: `${name}.height`, offset: p + 5, size: 2, littleEndian: false, hugeValue: 0xffff },
          { name: `${name}.width`, offset: p + 7, size: 2, littleEndian: false, hugeValue: 0xffff },
          { name: `${name}.components`, offset: p + 9, size: 1, littleEndian: false },
        );
      }
      p += 2 + dv.getUint16(p + 2, false);
    }
  }
  return fields;
}
