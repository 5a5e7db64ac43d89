/**
 * Measures how much a colorizer's colors flicker across the slices of volumes: for every NIfTI
 * volume under a folder (default ../shared/data/nifti), the mean chroma change between adjacent
 * slices beside the mean change of L* between them (pipeline/slice-consistency.ts
 * measureSliceFlicker; pixels where both slices are background, L* <= 5, are left out), for the
 * colors as colorized slice by slice ("before") and after smoothChromaAcrossSlices ("after",
 * what `medcolor colorize --consistent-slices` writes).
 *
 *   npx tsx scripts/measure-slice-flicker.ts [DIR] [--model NAME] [--slices 32] [--json OUT.json]
 *
 * --slices: the middle N slices of each volume (all: 0).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { recombineToSrgb8 } from '../src/color/recombine.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { loadModel } from '../src/io/model-loader.js';
import { readGrayInput } from '../src/io/read-any.js';
import { createModelMethod } from '../src/methods/model.js';
import { colorizeImages } from '../src/pipeline/colorize.js';
import { measureSliceFlicker, smoothChromaAcrossSlices, type SliceFlicker } from '../src/pipeline/slice-consistency.js';

const { positionals, values: a } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string', default: 'natural' }, slices: { type: 'string', default: '32' }, json: { type: 'string' } },
});
const dir = positionals[0] ?? join(import.meta.dirname, '../../shared/data/nifti');
const files: string[] = [];
const walk = (d: string): void => {
  for (const f of readdirSync(d).sort()) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.nii(\.gz)?$/.test(f)) files.push(p);
  }
};
walk(dir);
const method = createModelMethod(await loadModel(a.model!));
const want = Number(a.slices);
const rows: { file: string; slices: number; size: string; before: SliceFlicker; after: SliceFlicker }[] = [];
for (const file of files) {
  const input = await readGrayInput(file);
  let frames = input.frames;
  if (want > 0 && frames.length > want) frames = frames.slice(Math.floor((frames.length - want) / 2), Math.floor((frames.length - want) / 2) + want);
  if (frames.length < 2) continue;
  const outs = [];
  for (let s = 0; s < frames.length; s += 8) outs.push(...await colorizeImages(frames.slice(s, s + 8), method));
  const { width, height } = outs[0].L;
  const before = measureSliceFlicker(outs.map((o) => o.L), outs.map((o) => o.ab));
  const smoothed = smoothChromaAcrossSlices(outs.map((o) => o.L.data), outs.map((o) => o.ab), width, height);
  // The chroma as written: after the gamut fit of the recombination.
  const written = outs.map((o, t) => recombineToSrgb8(o.L.data, width, height, smoothed[t], width, height).ab);
  const after = measureSliceFlicker(outs.map((o) => o.L), written);
  rows.push({ file: file.replace(/^.*shared\//, 'shared/'), slices: frames.length, size: `${width}x${height}`, before, after });
  console.log(`${rows.at(-1)!.file} (${frames.length} slices ${width}x${height}): chroma change ${before.chromaChange.toFixed(3)} -> ${after.chromaChange.toFixed(3)}, ` +
    `L* change ${before.lightnessChange.toFixed(3)}, ratio ${before.ratio.toFixed(3)} -> ${after.ratio.toFixed(3)}`);
}
const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / Math.max(1, rows.length);
console.log(`mean over ${rows.length} volumes (model ${a.model}): chroma change ${mean((r) => r.before.chromaChange).toFixed(3)} -> ${mean((r) => r.after.chromaChange).toFixed(3)}, ` +
  `L* change ${mean((r) => r.before.lightnessChange).toFixed(3)}, ratio ${mean((r) => r.before.ratio).toFixed(3)} -> ${mean((r) => r.after.ratio).toFixed(3)}`);
if (a.json) await writeFileAtomic(a.json, JSON.stringify({ model: a.model, rows }, null, 1));
