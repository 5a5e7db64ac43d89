/**
 * Evaluates every classical method on the `val` splits of ../shared/data/color/* at 256x256 (the
 * convention of shared/data/README.md: each image resized to 256x256 with sharp's cubic kernel,
 * as src/pipeline/evaluate-files.ts reads it), against the gray baseline, and prints a markdown
 * table per split: PSNR (8-bit RGB, peak 255) / SSIM / CIEDE2000 / colorfulness (Hasler-
 * Suesstrunk of the result) / colorfulness gap, each the mean over the split's images.
 *
 *   npx tsx scripts/eval-methods.ts [--datasets endoscopy-kvasir,blood-bccd] [--limit N] [--out results.json]
 *
 * Rules:
 * - Gray input: L* of the 256x256 truth; the output keeps that L* and takes the method's a*b*.
 * - transfer, welsh and kmeans-reference take one fixed color reference per split: the first file
 *   of the split's sorted `train` list (byte order of file names), resized to 256x256.
 * - kmeans-palette: automatic K (silhouette, 2..8), hot-iron palette; lut: hot-iron, preserve.
 *   (Pseudo-color baselines: they are not meant to match natural colors.)
 * - scribble: K = 1, 5, 10, 30, 100 simulated strokes per image from the ground truth
 *   (simulateHints in src/methods/hints.ts: seeded Gaussian centers, 1..9 px square
 *   patches with the mean true a*b*; seed = the image's index in the sorted val list).
 * - ct-tissue needs Hounsfield units and is not applicable to these photographs.
 */
import { existsSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lAbToSrgb8, srgb8ToL, srgb8ToLab } from '../src/color/lab.js';
import type { RgbImage } from '../src/image/types.js';
import { getMethod } from '../src/methods/registry.js';
import { simulateHints } from '../src/methods/hints.js';
import type { MethodOptions } from '../src/methods/types.js';
import { computeReport } from '../src/metrics/report.js';
import { readRasterRgb } from '../src/io/raster.js';

const args = process.argv.slice(2);
const arg = (k: string, d: string): string => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../shared/data/color');
const SIZE = 256;
const LIMIT = Number(arg('--limit', '0'));
const OUT = arg('--out', '');
const IMAGE_RE = /\.(jpe?g|png|tiff?|webp|bmp)$/i;

const KEYS = ['psnr', 'ssim', 'deltaE2000', 'colorfulness', 'colorfulnessGap'] as const;
type Row = Record<(typeof KEYS)[number], number>;

interface Variant { label: string; method: string; options: (ctx: { ref: RgbImage; truthAb: Float32Array; index: number }) => MethodOptions }

const VARIANTS: Variant[] = [
  { label: 'gray', method: 'gray', options: () => ({}) },
  { label: 'lut (hot-iron, preserve)', method: 'lut', options: () => ({ palette: 'hot-iron', mode: 'preserve' }) },
  { label: 'kmeans (auto K, palette)', method: 'kmeans', options: () => ({ seed: 1 }) },
  { label: 'kmeans (auto K, reference)', method: 'kmeans', options: ({ ref }) => ({ reference: ref, seed: 1 }) },
  { label: 'transfer (Reinhard)', method: 'transfer', options: ({ ref }) => ({ reference: ref }) },
  { label: 'welsh (200 samples)', method: 'welsh', options: ({ ref }) => ({ reference: ref, seed: 1 }) },
  ...[1, 5, 10, 30, 100].map((k): Variant => ({
    label: `scribble (K = ${k})`, method: 'scribble',
    options: ({ truthAb, index }) => ({ strokes: simulateHints(truthAb, SIZE, SIZE, { count: k, seed: index + 1 }) }),
  })),
];

function listImages(dir: string): string[] {
  return readdirSync(dir).filter((f) => IMAGE_RE.test(f)).sort();
}

async function main(): Promise<void> {
  if (!existsSync(root)) {
    console.error(`no data at ${root}: nothing to evaluate`);
    process.exit(1);
  }
  const wanted = arg('--datasets', '');
  const datasets = readdirSync(root).filter((d) => existsSync(path.join(root, d, 'val')) && (!wanted || wanted.split(',').includes(d))).sort();
  const all: Record<string, { n: number; reference: string; rows: Record<string, Row>; ms: Record<string, number> }> = {};
  for (const ds of datasets) {
    const trainFiles = listImages(path.join(root, ds, 'train'));
    let valFiles = listImages(path.join(root, ds, 'val'));
    if (LIMIT > 0) valFiles = valFiles.slice(0, LIMIT);
    const refFile = path.join(root, ds, 'train', trainFiles[0]);
    const ref = await readRasterRgb(refFile, { size: SIZE });
    const sums: Record<string, Row> = {};
    const ms: Record<string, number> = {};
    for (const v of VARIANTS) { sums[v.label] = { psnr: 0, ssim: 0, deltaE2000: 0, colorfulness: 0, colorfulnessGap: 0 }; ms[v.label] = 0; }
    for (let index = 0; index < valFiles.length; index++) {
      const truth = await readRasterRgb(path.join(root, ds, 'val', valFiles[index]), { size: SIZE });
      const L = srgb8ToL(truth.data);
      const lab = srgb8ToLab(truth.data);
      const truthAb = new Float32Array(2 * SIZE * SIZE);
      for (let i = 0; i < SIZE * SIZE; i++) { truthAb[2 * i] = lab[3 * i + 1]; truthAb[2 * i + 1] = lab[3 * i + 2]; }
      for (const v of VARIANTS) {
        const t0 = performance.now();
        const r = await getMethod(v.method).colorize({ width: SIZE, height: SIZE, L }, v.options({ ref, truthAb, index }));
        ms[v.label] += performance.now() - t0;
        const result: RgbImage = { width: SIZE, height: SIZE, data: lAbToSrgb8(r.L ?? L, r.ab) };
        const rep = computeReport(result, truth);
        for (const k of KEYS) sums[v.label][k] += Number.isFinite(rep[k]) ? rep[k] : 100;
      }
      process.stderr.write(`\r${ds}: ${index + 1}/${valFiles.length}`);
    }
    process.stderr.write('\n');
    const n = valFiles.length;
    for (const v of VARIANTS) { for (const k of KEYS) sums[v.label][k] /= n; ms[v.label] /= n; }
    all[ds] = { n, reference: `train/${trainFiles[0]}`, rows: sums, ms };
    console.log(`\n### ${ds}/val (${n} images, 256x256; reference ${ds}/train/${trainFiles[0]})\n`);
    console.log('| method | PSNR dB | SSIM | CIEDE2000 | colorfulness | colorfulness gap | ms/image |');
    console.log('|---|---|---|---|---|---|---|');
    for (const v of VARIANTS) {
      const r = sums[v.label];
      console.log(`| ${v.label} | ${r.psnr.toFixed(2)} | ${r.ssim.toFixed(3)} | ${r.deltaE2000.toFixed(2)} | ${r.colorfulness.toFixed(1)} | ${r.colorfulnessGap.toFixed(1)} | ${ms[v.label].toFixed(0)} |`);
    }
  }
  if (OUT) {
    const tmp = `${OUT}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(all, null, 2));
    renameSync(tmp, OUT);
  }
}

await main();
