/**
 * PALETTE COLOR lookup tables (PS3.3 C.7.6.3.1.5-6 and C.7.9): the three descriptors, plain or
 * segmented table data, and the 8-bit-in-16 quirk of some writers. Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../errors.js';
import { getUint16, getWords, readLut, type DataSet } from './dataset.js';
import { formatTag, TAG } from './tags.js';

/** Expands a Segmented Palette Color LUT (PS3.3 C.7.9.2) to a plain table. */
function expandSegmentedLut(words: Uint16Array, entries: number, file?: string): Uint16Array {
  const out: number[] = [];
  const run = (seg: Uint16Array, depth: number) => {
    let i = 0;
    while (i + 1 < seg.length) {
      const op = seg[i], len = seg[i + 1];
      if (op === 0) {
        for (let k = 0; k < len; k++) out.push(seg[i + 2 + k]);
        i += 2 + len;
      } else if (op === 1) {
        const y0 = out.length > 0 ? out[out.length - 1] : 0;
        const y1 = seg[i + 2];
        for (let k = 1; k <= len; k++) out.push(Math.round(y0 + ((y1 - y0) * k) / len));
        i += 3;
      } else if (op === 2) {
        if (depth > 0) throw new MedcolorError('ERR_DICOM_INVALID_VALUE', 'nested indirect segment in a segmented palette', { file });
        const offset = seg[i + 2] | (seg[i + 3] << 16);
        // Copy `len` segments starting at word offset `offset` of the whole LUT.
        let j = offset;
        for (let s = 0; s < len && j + 1 < words.length; s++) {
          const sop = words[j], slen = words[j + 1];
          const size = sop === 0 ? 2 + slen : sop === 1 ? 3 : 4;
          run(words.subarray(j, j + size), depth + 1);
          j += size;
        }
        i += 4;
      } else {
        throw new MedcolorError('ERR_DICOM_INVALID_VALUE', `segmented palette has an unknown opcode ${op}`, { file });
      }
    }
  };
  run(words, 0);
  const table = new Uint16Array(entries);
  for (let i = 0; i < entries; i++) table[i] = out[Math.min(i, out.length - 1)] ?? 0;
  return table;
}

/** The red, green and blue tables of a palette, the first index they map, and their full-scale value. */
export interface Palette {
  tables: [Uint16Array, Uint16Array, Uint16Array];
  firstMapped: number;
  max: number;
}

/** Reads the palette of a PALETTE COLOR image; throws when a descriptor or its data is missing. */
export function readPalette(ds: DataSet, file?: string): Palette {
  const tables: Uint16Array[] = [];
  let firstMapped = 0;
  let bits = 16;
  const descs = [TAG.redDescriptor, TAG.greenDescriptor, TAG.blueDescriptor];
  const datas = [TAG.redData, TAG.greenData, TAG.blueData];
  const segs = [TAG.redSegmented, TAG.greenSegmented, TAG.blueSegmented];
  for (let c = 0; c < 3; c++) {
    const entriesRaw = getUint16(ds, descs[c], 0);
    if (entriesRaw === undefined) {
      throw new MedcolorError('ERR_DICOM_MISSING_ATTRIBUTE', `PALETTE COLOR image without palette descriptor ${formatTag(descs[c])}`, { file });
    }
    const entries = entriesRaw === 0 ? 65536 : entriesRaw;
    firstMapped = getUint16(ds, descs[c], 1) ?? 0;
    bits = getUint16(ds, descs[c], 2) ?? 16;
    if (ds.elements[datas[c]]) {
      const lut = readLut(ds, descs[c], datas[c], false, file)!;
      tables.push(lut.data);
    } else if (ds.elements[segs[c]]) {
      tables.push(expandSegmentedLut(getWords(ds, segs[c]), entries, file));
    } else {
      throw new MedcolorError('ERR_DICOM_MISSING_ATTRIBUTE', `PALETTE COLOR image without palette data ${formatTag(datas[c])}`, { file });
    }
  }
  // Some writers declare 16 bits but store 8-bit values.
  let peak = 0;
  for (const t of tables) for (let i = 0; i < t.length; i++) if (t[i] > peak) peak = t[i];
  const max = bits === 8 || peak < 256 ? 255 : 65535;
  return { tables: tables as Palette['tables'], firstMapped, max };
}
