/**
 * Training-batch assembly speed: makeBatch (16 records of 256x256, random 224 crops and flips)
 * beside a plain copy of the same bytes measured in the same run.
 * Usage: npx tsx bench/dataset.ts
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRng } from '../src/random.js';
import { makeBatch, openDataset, prepareDataset } from '../src/train/dataset.js';
import { computePsnr, computeSsim } from '../src/metrics/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-bench-ds-'));
try {
  const src = join(tmp, 'src');
  mkdirSync(src);
  const rand = createRng(3);
  for (let k = 0; k < 16; k++) {
    const px = Buffer.from(Array.from({ length: 300 * 260 * 3 }, () => Math.floor(rand() * 256)));
    await sharp(px, { raw: { width: 300, height: 260, channels: 3 } }).png().toFile(join(src, `c${k}.png`));
  }
  await prepareDataset(src, join(tmp, 'ds'), { size: 256, split: [1, 0, 0] });
  const ds = openDataset(join(tmp, 'ds'));
  const idx = [...Array(16).keys()];
  const med = (f: () => void, reps = 9) => {
    f();
    const t: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      f();
      t.push(performance.now() - t0);
    }
    return t.sort((a, b) => a - b)[reps >> 1];
  };
  const batch = med(() => makeBatch(ds, 'train', idx, { crop: 224, flip: true, rng: createRng(1) }));
  // Reference: reading the same records raw and copying their bytes (no conversion, no crop).
  const sink = new Uint8Array(16 * 256 * 256 * 6);
  const copy = med(() => {
    for (let k = 0; k < 16; k++) {
      const r = ds.readRaw('train', k);
      sink.set(new Uint8Array(r.L.buffer, 0, 256 * 256 * 6), k * 256 * 256 * 6);
    }
  });
  ds.close();
  console.log(`makeBatch 16 x 256 (crop 224, flips): ${batch.toFixed(1)} ms; raw read + copy of the same records: ${copy.toFixed(1)} ms; ratio ${(batch / copy).toFixed(2)}`);
  // Metrics on a 512x512 RGB pair: SSIM beside one PSNR pass over the same pixels.
  const a = { width: 512, height: 512, data: Uint8Array.from({ length: 512 * 512 * 3 }, () => Math.floor(rand() * 256)) };
  const b = { ...a, data: a.data.map((v) => Math.min(255, v + Math.floor(rand() * 8))) };
  const ssim = med(() => computeSsim(a, b));
  const psnr = med(() => computePsnr(a, b));
  console.log(`SSIM 512x512 RGB: ${ssim.toFixed(1)} ms; PSNR of the same pair: ${psnr.toFixed(1)} ms; ratio ${(ssim / psnr).toFixed(1)}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
