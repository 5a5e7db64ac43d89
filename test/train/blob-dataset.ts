/**
 * A small prepared dataset for training tests: 32x32 images of random smooth blobs whose chroma
 * is a fixed function of their lightness, so a colorizer can learn it and the gray baseline cannot.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { labToSrgb8 } from '../../src/color/lab.js';
import { Rng } from '../../src/nn/params.js';
import { prepareDataset } from '../../src/train/dataset.js';

/** The lightness range of the blobs and their chroma as a function of L*. */
export interface BlobColoring {
  /** L* = lo + span * min(1, blob value). */
  lo: number;
  span: number;
  chroma: (L: number) => [number, number];
}

/** Writes one 32x32 blob image (seeded) as a PNG. */
export async function writeBlobImage(file: string, seed: number, coloring: BlobColoring): Promise<void> {
  const S = 32, rng = new Rng(seed);
  const blobs = Array.from({ length: 4 }, () => ({ x: rng.next() * S, y: rng.next() * S, r: 4 + rng.next() * 10, v: rng.next() }));
  const lab = new Float32Array(S * S * 3);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    let v = 0.2;
    for (const b of blobs) v += b.v * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (b.r * b.r));
    const L = coloring.lo + coloring.span * Math.min(1, v);
    const [a, bb] = coloring.chroma(L);
    const i = (y * S + x) * 3;
    lab[i] = L;
    lab[i + 1] = a;
    lab[i + 2] = bb;
  }
  mkdirSync(dirname(file), { recursive: true });
  await sharp(labToSrgb8(lab), { raw: { width: S, height: S, channels: 3 } }).png().toFile(file);
}

/** Writes `train` + `val` blob images under dir/src and prepares them into dir/ds (32x32); returns dir/ds. */
export async function prepareBlobDataset(dir: string, train: number, val: number, coloring: BlobColoring): Promise<string> {
  for (let k = 0; k < train; k++) await writeBlobImage(join(dir, 'src', 'train', `t${k}.png`), k + 1, coloring);
  for (let k = 0; k < val; k++) await writeBlobImage(join(dir, 'src', 'val', `v${k}.png`), 100 + k, coloring);
  const data = join(dir, 'ds');
  await prepareDataset(join(dir, 'src'), data, { size: 32, fit: 'fill' });
  return data;
}
