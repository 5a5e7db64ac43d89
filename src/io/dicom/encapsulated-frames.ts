/**
 * Encapsulated pixel data (PS3.5 A.4) split into frames: by the Basic Offset Table, one fragment
 * per frame, or, without a usable table, at each fragment that opens a codestream.
 * Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../errors.js';
import type { DataSet, Element } from './dataset.js';
import type { PixelSpec } from './pixel-spec.js';

/** Groups the fragments of encapsulated pixel data into frames (one byte array per frame). */
export function groupFragments(ds: DataSet, el: Element, spec: PixelSpec, file?: string): Uint8Array[] {
  const frags = el.fragments ?? [];
  const bytes = ds.byteArray as Uint8Array;
  const view = (f: { position: number; length: number }) => bytes.subarray(f.position, f.position + f.length);
  if (frags.length === 0) {
    throw new MedcolorError('ERR_DICOM_FRAGMENTS', 'encapsulated pixel data has no fragments', { file });
  }
  for (const f of frags) {
    if (f.position + f.length > bytes.length) {
      throw new MedcolorError('ERR_DICOM_TRUNCATED', `pixel data fragment ends at byte ${f.position + f.length}, past the end of the file (${bytes.length})`, {
        file,
      });
    }
  }
  const concat = (list: typeof frags) => {
    if (list.length === 1) return view(list[0]);
    const total = list.reduce((a, f) => a + f.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const f of list) {
      out.set(view(f), o);
      o += f.length;
    }
    return out;
  };
  const n = spec.frameCount;
  if (n === 1) return [concat(frags)];
  const bot = el.basicOffsetTable ?? [];
  if (bot.length === n) {
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const lo = bot[i];
      const hi = i + 1 < n ? bot[i + 1] : Infinity;
      out.push(concat(frags.filter((f) => f.offset >= lo && f.offset < hi)));
    }
    return out;
  }
  if (frags.length === n) return frags.map((f) => view(f));
  // No usable offset table: a frame starts at each fragment that opens a codestream
  // (JPEG SOI FFD8 for JPEG and JPEG-LS, SOC FF4F for JPEG 2000 and HTJ2K).
  if (spec.ts.encoding !== 'rle' && spec.ts.encoding !== 'deflate-frame') {
    const groups: (typeof frags)[] = [];
    for (const f of frags) {
      const b = view(f);
      const starts = b.length >= 2 && b[0] === 0xff && (b[1] === 0xd8 || b[1] === 0x4f);
      if (starts || groups.length === 0) groups.push([f]);
      else groups[groups.length - 1].push(f);
    }
    if (groups.length === n) return groups.map(concat);
  }
  throw new MedcolorError(
    'ERR_DICOM_FRAGMENTS',
    `cannot split ${frags.length} pixel data fragments into ${n} frames (no usable Basic Offset Table)`,
    { file },
  );
}
