/**
 * What users feel of training speed: medcolor's own trainer (setupTraining + trainStep: the
 * shipped colorizer configuration, real prepared records, random crops and flips in the loop)
 * for a fixed number of steps, beside PyTorch training the same network on the same batches
 * (bench/pytorch/train_colorizer.py, run in the venv of shared/reference/run-reference), in the
 * same run. Reports images/s, the step and data-loading times, and peak memory of both.
 *
 * Usage: npm run bench:train -- --real [--data PREPARED_DIR] [--steps 20] [--base 16] [--depth 4]
 *        [--no-global] [--batch 16] [--crop 128] [--no-reference]
 * Without --data it prepares ../shared/data/color/blood-bccd (256x256) once into the temp folder.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { prepareDataset } from '../src/train/dataset.js';
import { setupTraining, trainStep } from '../src/train/trainer.js';
import { benchArg as arg, benchArgs as args, median } from './lib/bench-args.js';

const steps = Number(arg('--steps', '20'));
const warmup = 2;
const base = Number(arg('--base', '16'));
const depth = Number(arg('--depth', '4'));
const globalContext = !args.includes('--no-global');
const batch = Number(arg('--batch', '16'));
const crop = Number(arg('--crop', '128'));
const shared = resolve(import.meta.dirname, '../../shared');

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

/** The prepared dataset: --data, or blood-bccd prepared once into the temp folder. */
async function dataset(): Promise<string> {
  const given = arg('--data', '');
  if (given) return given;
  const src = join(shared, 'data/color/blood-bccd');
  if (!existsSync(src)) throw new Error(`no --data given and ${src} is absent: pass a prepared dataset (medcolor prepare)`);
  const out = join(tmpdir(), 'medcolor-bench-real', 'blood-bccd-256');
  if (!existsSync(join(out, 'manifest.json'))) await prepareDataset(src, out, { size: 256 });
  return out;
}

/** The python of shared/reference/run-reference's venv (made by that script on first use). */
function referencePython(): string | undefined {
  const runRef = join(shared, 'reference/run-reference');
  if (!existsSync(runRef)) return undefined;
  execFileSync(runRef, ['--help'], { stdio: 'ignore' });
  const venv = process.env.REFERENCE_VENV ?? join(process.env.TMPDIR ?? '/tmp', 'medcolor-reference-venv');
  const py = join(venv, 'bin/python');
  return existsSync(py) ? py : undefined;
}

const data = await dataset();
const work = mkdtempSync(join(tmpdir(), 'medcolor-bench-real-'));
try {
  const unet = { base, depth, globalContext };
  const run = await setupTraining({ data, out: join(work, 'run'), batch, crop, unet, epochs: 1, stepsPerEpoch: steps + warmup, seed: 0 });
  const batchFile = join(work, 'batches.f32');
  const fd = openSync(batchFile, 'w');
  const lrs: number[] = [], batchMs: number[] = [], stepMs: number[] = [];
  for (let k = 0; k < steps + warmup; k++) {
    const r = await trainStep(run);
    lrs.push(r.lr);
    batchMs.push(r.batchMs);
    stepMs.push(r.stepMs);
    for (const plane of [r.feeds.L, r.feeds.ab]) writeSync(fd, new Uint8Array(plane.buffer, plane.byteOffset, plane.byteLength));
  }
  closeSync(fd);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  const timedMs = sum(batchMs.slice(warmup)) + sum(stepMs.slice(warmup));
  const ours = {
    stepMs: median(stepMs.slice(warmup)), batchMs: median(batchMs.slice(warmup)),
    imagesPerSecond: (steps * batch) / (timedMs / 1000), stepImagesPerSecond: (steps * batch) / (sum(stepMs.slice(warmup)) / 1000),
  };
  await run.ts.release();
  await run.ev.release();
  console.log(`config: U-Net base ${base}, depth ${depth}, global branch ${globalContext ? 'yes' : 'no'}, BatchNorm, batch ${batch}, ${crop}x${crop} crops + flips from ${data} (${run.datasets[0].splits.train.count} train records), ${steps} timed steps after ${warmup}, params ${run.store.count()}`);
  console.log(`medcolor (trainer, onnxruntime-node): ${ours.imagesPerSecond.toFixed(1)} images/s with data loading (step ${ours.stepMs.toFixed(0)} ms + batch ${ours.batchMs.toFixed(1)} ms, median), ${ours.stepImagesPerSecond.toFixed(1)} images/s in the steps alone, peak RSS ${peakMiB.toFixed(0)} MiB`);
  const py = args.includes('--no-reference') ? undefined : referencePython();
  if (!py) {
    console.log('pytorch: not measured (--no-reference, or shared/reference/run-reference could not make its venv); ratio n/a');
  } else {
    const metaFile = join(work, 'meta.json');
    writeFileSync(metaFile, JSON.stringify({ base, depth, globalContext, batchNorm: true, batch, crop, lrs, warmup }));
    const out = execFileSync(py, [join(import.meta.dirname, 'pytorch/train_colorizer.py'), '--batches', batchFile, '--meta', metaFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { engine: string; params: number; step_ms: number; end_to_end_ms: number; timed_seconds: number; peak_rss_mib: number; first_loss: number; last_loss: number };
    if (r.params !== run.store.count()) throw new Error(`the PyTorch twin has ${r.params} parameters, medcolor's network ${run.store.count()}: not the same network`);
    const theirIps = (steps * batch) / r.timed_seconds;
    console.log(`${r.engine} (same batches, same network, ${r.params} params): ${theirIps.toFixed(1)} images/s (step ${r.step_ms} ms, median; batches read from memory), peak RSS ${r.peak_rss_mib} MiB; loss ${r.first_loss.toFixed(4)} -> ${r.last_loss.toFixed(4)}`);
    console.log(`ratio step time medcolor/pytorch=${(ours.stepMs / r.step_ms).toFixed(2)} images/s pytorch/medcolor (medcolor with its data loading)=${(theirIps / ours.imagesPerSecond).toFixed(2)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
