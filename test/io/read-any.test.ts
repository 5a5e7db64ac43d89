/** Format detection by content and dispatch to the DICOM, NIfTI and raster readers. */
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { detectInputFormat, readGrayInput } from '../../src/io/read-any.js';
import { daikonFile, hasSharedData, sharedData } from '../fixtures.js';

const nifti = sharedData('nifti/nibabel-debian');
const tmp = () => mkdtempSync(path.join(tmpdir(), 'medcolor-any-'));

describe('readGrayInput', () => {
  it('recognizes DICOM by its preamble whatever the name', async () => {
    const dir = tmp();
    const f = path.join(dir, 'scan.bin');
    copyFileSync(daikonFile('jpeg_baseline_8bit.dcm'), f);
    expect(await detectInputFormat(f)).toBe('dicom');
    const all = (await readGrayInput(f)).frames;
    expect(all.length).toBe(96);
    const one = (await readGrayInput(f, { frame: 95 })).frames;
    expect(one.length).toBe(1);
    expect(Array.from(one[0].data)).toEqual(Array.from(all[95].data));
  });

  it('reads a PNG (by signature) as one gray image', async () => {
    const dir = tmp();
    const f = path.join(dir, 'image.dat');
    const raw = Uint8Array.from({ length: 48 }, (_, i) => (i * 5) % 256);
    await sharp(Buffer.from(raw), { raw: { width: 4, height: 4, channels: 3 } }).png().toFile(f);
    expect(await detectInputFormat(f)).toBe('raster');
    const notices: string[] = [];
    const input = await readGrayInput(f, { onNotice: (m) => notices.push(m) });
    const [g] = input.frames;
    expect(input.notices).toEqual(notices);
    expect([g.width, g.height]).toEqual([4, 4]);
    expect(notices.length).toBe(1);
  });

  it.skipIf(!hasSharedData('nifti/nibabel-debian'))('reads NIfTI (plain, gzipped under any name) as slices', async () => {
    const dir = tmp();
    const gz = path.join(dir, 'volume.data');
    writeFileSync(gz, gzipSync(readFileSync(path.join(nifti, 'anatomical.nii'))));
    expect(await detectInputFormat(gz)).toBe('nifti');
    const slices = (await readGrayInput(gz, { axis: 'axial' })).frames;
    expect(slices.length).toBe(25);
    const [s12] = (await readGrayInput(path.join(nifti, 'anatomical.nii'), { frame: 12 })).frames;
    expect(Array.from(s12.data)).toEqual(Array.from(slices[12].data));
    await expect(readGrayInput(gz, { frame: 25 })).rejects.toMatchObject({ code: 'ERR_NIFTI_SLICE' });
  });

  it('rejects unknown content, directories and missing files with typed errors', async () => {
    const dir = tmp();
    const f = path.join(dir, 'notes.txt');
    writeFileSync(f, 'hello, not an image at all'.repeat(10));
    await expect(readGrayInput(f)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_FORMAT' });
    mkdirSync(path.join(dir, 'sub'));
    await expect(readGrayInput(path.join(dir, 'sub'))).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_FORMAT' });
    await expect(readGrayInput(path.join(dir, 'nope.dcm'))).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
  });
});
