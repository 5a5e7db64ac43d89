/**
 * Thin, typed access to a dicom-parser DataSet: parsing with typed errors, numbers from DS/IS
 * strings, multi-valued attributes, sequence items, LUTs. Browser-safe: no Node built-ins.
 */
import * as dicomParserNs from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { MedcolorError } from '../../errors.js';

// dicom-parser is a UMD bundle: under Node ESM its API sits on `default`; bundlers may hoist it.
export const dicomParser = ((dicomParserNs as unknown as { default?: typeof dicomParserNs }).default ??
  dicomParserNs) as typeof dicomParserNs;

export type { DataSet, Element };

/** Inflates a Deflated Explicit VR Little Endian dataset with pako (browser and Node alike). */
function inflater(pako: typeof import('pako'), bytes: Uint8Array, position: number): Uint8Array {
  const inflated = pako.inflateRaw(bytes.subarray(position));
  const full = new Uint8Array(position + inflated.length);
  full.set(bytes.subarray(0, position));
  full.set(inflated, position);
  return full;
}

let pakoModule: typeof import('pako') | undefined;
/** Loads pako once (needed before parsing deflated datasets). */
export async function preparePako(): Promise<void> {
  pakoModule ??= await import('pako');
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && 'exception' in e) return String((e as { exception: unknown }).exception);
  return String(e);
}

/** True when `bytes` carries the DICM marker of a Part 10 file at offset 128. */
export function hasDicomPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/**
 * True when `bytes` start like a Part 10 file stripped of its 128-byte preamble and "DICM": with
 * an explicit-VR element of the file meta group (0002,xxxx), e.g. pydicom-data's JLSL_RGB_*.dcm.
 */
function startsWithFileMeta(bytes: Uint8Array): boolean {
  const upper = (b: number) => b >= 0x41 && b <= 0x5a;
  return bytes.length >= 8 && bytes[0] === 0x02 && bytes[1] === 0x00 && bytes[3] === 0x00 && upper(bytes[4]) && upper(bytes[5]);
}

/**
 * Parses a DICOM Part 10 file (also one without its preamble, which is given one back; or a bare
 * Implicit VR Little Endian dataset without preamble). `headerOnly` stops before the pixel data.
 *
 * @example
 * const ds = parseDataSet(bytes, { file: 'ct.dcm' });
 */
export function parseDataSet(bytes: Uint8Array, options: { file?: string; headerOnly?: boolean } = {}): DataSet {
  const { file } = options;
  if (!hasDicomPreamble(bytes) && startsWithFileMeta(bytes)) {
    // dicom-parser reads the file meta only after a preamble (found by test/fuzz: such files were
    // refused as "not a DICOM file"). Element offsets then refer to ds.byteArray, the new buffer.
    const withPreamble = new Uint8Array(132 + bytes.length);
    withPreamble.set([0x44, 0x49, 0x43, 0x4d], 128);
    withPreamble.set(bytes, 132);
    bytes = withPreamble;
  }
  const opts: Record<string, unknown> = {};
  if (options.headerOnly) opts.untilTag = 'x7fe00010';
  if (pakoModule) {
    const p = pakoModule;
    opts.inflater = (b: Uint8Array, pos: number) => inflater(p, b, pos);
  }
  if (!hasDicomPreamble(bytes)) {
    // No Part 10 header: dicom-parser then needs a transfer syntax to assume.
    opts.TransferSyntaxUID = '1.2.840.10008.1.2';
  }
  try {
    const ds = dicomParser.parseDicom(bytes, opts as never);
    if (!hasDicomPreamble(bytes)) {
      // Without a preamble anything parses as "implicit VR": insist on recognizable image/SOP elements.
      const keys = Object.keys(ds.elements);
      const plausible = keys.some((k) => k.startsWith('x0008') || k.startsWith('x0028') || k === 'x7fe00010');
      if (!plausible) {
        throw new MedcolorError('ERR_DICOM_PARSE', 'not a DICOM file: no DICM preamble at byte 128 and no recognizable DICOM elements', { file });
      }
    }
    return ds;
  } catch (e) {
    if (e instanceof MedcolorError) throw e;
    const text = errorText(e);
    // Some writers label an Implicit VR dataset as Explicit VR Little Endian; read it as it is.
    const implicit = hasDicomPreamble(bytes) ? parseMislabeledImplicit(bytes, options.headerOnly) : undefined;
    if (implicit) return implicit;
    if (/missing required meta header attribute 0002,0010/.test(text)) {
      throw new MedcolorError(
        'ERR_DICOM_TRANSFER_SYNTAX',
        'the file meta information has no Transfer Syntax UID (0002,0010); expected one of the DICOM transfer syntaxes',
        { file, cause: e },
      );
    }
    if (/deflate/i.test(text) && !pakoModule) {
      throw new MedcolorError('ERR_DICOM_PARSE', 'deflated dataset found before pako was loaded (call preparePako())', {
        file,
        cause: e,
      });
    }
    if (/buffer overrun|cannot be greater than/.test(text)) {
      throw new MedcolorError('ERR_DICOM_TRUNCATED', `the file ends inside a data element (truncated or corrupt): ${text}`, {
        file,
        cause: e,
      });
    }
    throw new MedcolorError('ERR_DICOM_PARSE', `not a readable DICOM file: ${text}`, { file, cause: e });
  }
}

/**
 * Re-reads a Part 10 file whose meta names an explicit VR little endian syntax but whose dataset is encoded
 * with implicit VRs (the first element has no valid VR). Returns undefined when that is not the case.
 */
function parseMislabeledImplicit(bytes: Uint8Array, headerOnly?: boolean): DataSet | undefined {
  const dp = dicomParser as unknown as {
    readPart10Header(b: Uint8Array): DataSet;
    ByteStream: new (parser: unknown, b: Uint8Array, position: number) => unknown;
    DataSet: new (parser: unknown, b: Uint8Array, elements: Record<string, Element>) => DataSet;
    parseDicomDataSetImplicit(ds: DataSet, stream: unknown, max: number, options?: { untilTag?: string }): void;
    findEndOfEncapsulatedElement(stream: unknown, el: Element, warnings: string[]): void;
    littleEndianByteArrayParser: unknown;
  };
  try {
    const meta = dp.readPart10Header(bytes);
    const ts = meta.string('x00020010')?.replace(/\0/g, '').trim();
    if (!ts || ts === '1.2.840.10008.1.2' || ts === '1.2.840.10008.1.2.2' || ts === '1.2.840.10008.1.2.1.99') return undefined;
    let end = 132;
    for (const el of Object.values(meta.elements)) end = Math.max(end, el.dataOffset + el.length);
    // An explicit VR element has two uppercase letters after its tag.
    const isLetter = (c: number) => c >= 0x41 && c <= 0x5a;
    if (isLetter(bytes[end + 4]) && isLetter(bytes[end + 5])) return undefined;
    const stream = new dp.ByteStream(dp.littleEndianByteArrayParser, bytes, end);
    const ds = new dp.DataSet(dp.littleEndianByteArrayParser, bytes, { ...meta.elements });
    dp.parseDicomDataSetImplicit(ds, stream, bytes.length, headerOnly ? { untilTag: 'x7fe00010' } : undefined);
    const px = ds.elements.x7fe00010;
    if (px && px.hadUndefinedLength && !px.fragments) {
      // The implicit reader does not know encapsulated pixel data: find its fragments.
      const pxStream = new dp.ByteStream(dp.littleEndianByteArrayParser, bytes, px.dataOffset) as { position: number };
      px.encapsulatedPixelData = true;
      dp.findEndOfEncapsulatedElement(pxStream, px, ds.warnings ?? []);
    }
    return ds;
  } catch {
    return undefined;
  }
}

/** Trimmed string value `index` of a tag, or undefined when absent or empty. */
export function getString(ds: DataSet, tag: string, index?: number): string | undefined {
  const el = ds.elements[tag];
  if (!el || el.length === 0) return undefined;
  const s = ds.string(tag, index);
  if (s === undefined) return undefined;
  const t = s.replace(/\0/g, '').trim();
  return t === '' ? undefined : t;
}

/** All backslash-separated values of a string tag. */
export function getStrings(ds: DataSet, tag: string): string[] {
  const el = ds.elements[tag];
  if (!el || el.length === 0) return [];
  const s = ds.string(tag);
  if (s === undefined) return [];
  // string(tag) without an index returns the whole value including backslashes.
  return s
    .replace(/\0/g, '')
    .split('\\')
    .map((x) => x.trim());
}

/** Numbers of a DS/IS tag (all values); entries that are not numbers become NaN. */
export function getNumbers(ds: DataSet, tag: string): number[] {
  return getStrings(ds, tag)
    .filter((x) => x !== '')
    .map((x) => Number(x));
}

/** First number of a DS/IS tag, or undefined. Throws ERR_DICOM_INVALID_VALUE when it is not a number. */
export function getNumber(ds: DataSet, tag: string, name: string, file?: string): number | undefined {
  const vals = getNumbers(ds, tag);
  if (vals.length === 0) return undefined;
  if (!Number.isFinite(vals[0])) {
    throw new MedcolorError(
      'ERR_DICOM_INVALID_VALUE',
      `${name} (${tag.slice(1, 5)},${tag.slice(5)}) is '${getString(ds, tag)}'; expected a number`,
      { file },
    );
  }
  return vals[0];
}

/** A US value (16-bit unsigned), or undefined. */
export function getUint16(ds: DataSet, tag: string, index = 0): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2 * (index + 1)) return undefined;
  return ds.uint16(tag, index);
}

/** The data sets of the items of a sequence. */
export function getItems(ds: DataSet | undefined, tag: string): DataSet[] {
  const el = ds?.elements[tag];
  if (!el?.items) return [];
  return el.items.map((it) => it.dataSet).filter((d): d is DataSet => !!d);
}

/** A look-up table from a LUT Descriptor + LUT Data pair (Modality/VOI LUT Sequence item, palette). */
export interface RawLut {
  /** Number of entries (0 in the descriptor means 65536). */
  entries: number;
  /** First stored value mapped (signed when the pixel data is signed). */
  firstMapped: number;
  /** Bits per entry from the descriptor. */
  bits: number;
  data: Uint16Array;
}

/**
 * Reads a LUT Descriptor (3 values) and its LUT Data. Handles 8-bit entries packed into bytes
 * and 16-bit entries, in either byte order.
 */
export function readLut(
  ds: DataSet,
  descriptorTag: string,
  dataTag: string,
  signedFirst: boolean,
  file?: string,
): RawLut | undefined {
  const d = ds.elements[descriptorTag];
  const dataEl = ds.elements[dataTag];
  if (!d || !dataEl || d.length < 6) return undefined;
  const entriesRaw = ds.uint16(descriptorTag, 0) ?? 0;
  let firstMapped = ds.uint16(descriptorTag, 1) ?? 0;
  if (signedFirst && firstMapped >= 0x8000) firstMapped -= 0x10000;
  const bits = ds.uint16(descriptorTag, 2) ?? 16;
  const entries = entriesRaw === 0 ? 65536 : entriesRaw;
  const data = new Uint16Array(entries);
  const parser = ds.byteArrayParser;
  if (dataEl.length >= 2 * entries) {
    for (let i = 0; i < entries; i++) data[i] = parser.readUint16(ds.byteArray, dataEl.dataOffset + 2 * i);
  } else if (dataEl.length >= entries && bits <= 8) {
    for (let i = 0; i < entries; i++) data[i] = ds.byteArray[dataEl.dataOffset + i];
  } else {
    throw new MedcolorError(
      'ERR_DICOM_INVALID_VALUE',
      `LUT data (${dataTag}) has ${dataEl.length} bytes; the descriptor says ${entries} entries of ${bits} bits`,
      { file },
    );
  }
  return { entries, firstMapped, bits, data };
}

/** Raw 16-bit words of an element (US/OW), in the dataset's byte order. */
export function getWords(ds: DataSet, tag: string): Uint16Array {
  const el = ds.elements[tag];
  if (!el) return new Uint16Array(0);
  const n = Math.floor(el.length / 2);
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = ds.byteArrayParser.readUint16(ds.byteArray, el.dataOffset + 2 * i);
  return out;
}
