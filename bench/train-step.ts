/**
 * Training-step and inference benchmark of the benchmark U-Net (shared/reference/README.md),
 * medcolor (ONNX Runtime) beside PyTorch measured in the same run.
 * Usage: npx tsx bench/train-step.ts [--reps 8] [--no-reference] [--wgrad gemm|conv]
 *        npm run bench:train -- --real [...]: the trainer on real data instead (bench/train-real.ts)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import '../src/nn/index.js';
import { setConvWeightGradMethod } from '../src/nn/index.js';
import { mseLoss } from '../src/nn/losses.js';
import { BuildContext, ParamStore } from '../src/nn/params.js';
import { createSession, ort } from '../src/nn/runtime.js';
import { TrainSession } from '../src/nn/session.js';
import { Graph } from '../src/nn/graph.js';
import { unetForward } from '../src/models/unet.js';
import { benchArg as arg, benchArgs as args, median } from './lib/bench-args.js';

if (args.includes('--real')) {
  // The trainer on real data beside PyTorch (bench/train-real.ts), in a process of its own.
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'train-real.ts'), ...args], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const reps = Number(arg('--reps', '8'));
const base = Number(arg('--base', '32'));
const batch = Number(arg('--batch', '16'));
const trainSize = Number(arg('--train-size', '64'));
const inferSize = Number(arg('--infer-size', '256'));
if (arg('--wgrad', 'gemm') === 'conv') setConvWeightGradMethod('conv');


async function medcolorFigures() {
  const store = new ParamStore();
  const ts = await TrainSession.create({
    store,
    inputs: { L: [batch, 1, trainSize, trainSize], ab: [batch, 2, trainSize, trainSize] },
    build: (ctx, ins) => ({ loss: mseLoss(ctx.g, unetForward(ctx, ins.L, { base }), ins.ab) }),
    optimizer: { type: 'adam' },
  }, { seed: 0 });
  const n = batch * trainSize * trainSize;
  const L = Float32Array.from({ length: n }, () => Math.random());
  const ab = Float32Array.from({ length: 2 * n }, () => Math.random() - 0.5);
  const times: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const t = performance.now();
    await ts.step({ L, ab }, 1e-3);
    times.push(performance.now() - t);
  }
  const trainMs = median(times.slice(2));
  await ts.release(); // its thread pool and memory arena are not part of the inference figure
  // Inference: the exported (BN-folded) graph at 1 x 1 x S x S.
  const g = new Graph('infer');
  const x = g.input('L', [1, 1, inferSize, inferSize]);
  const ctx = new BuildContext(g, 'export', store);
  g.output(unetForward(ctx, x, { base }), 'ab');
  const s = await createSession(g);
  const xi = new ort.Tensor('float32', Float32Array.from({ length: inferSize * inferSize }, () => Math.random()), [1, 1, inferSize, inferSize]);
  const ti: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const t = performance.now();
    await s.run({ L: xi });
    ti.push(performance.now() - t);
  }
  return { params: store.count(), trainMs, inferMs: median(ti.slice(2)), peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

function pytorchFigures(): { train_step_ms: number; infer_ms: number; engine: string } | string {
  if (args.includes('--no-reference')) return 'skipped (--no-reference)';
  const ref = resolve(import.meta.dirname, '../../shared/reference/run-reference');
  if (!existsSync(ref)) return `reference script not found at ${ref}`;
  try {
    const out = execFileSync(ref, ['--base', String(base), '--batch', String(batch), '--train-size', String(trainSize), '--infer-size', String(inferSize), '--reps', String(reps)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return JSON.parse(out.trim().split('\n').pop()!);
  } catch (e) {
    return `reference failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

function memoryAt128(): string {
  if (args.includes('--no-memory')) return 'skipped';
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'train-memory.ts'), '--batch', String(batch), '--size', '128', '--base', String(base)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    return `${r.peakRssMiB} MiB peak resident for a training step at batch ${r.batch}, 128x128 (limit 4096 MiB: ${r.peakRssMiB < 4096 ? 'within' : 'OVER'}), ${r.stepMs} ms/step`;
  } catch (e) {
    return `memory run failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

const m = await medcolorFigures();
console.log(`memory: ${memoryAt128()}`);
console.log(`medcolor (onnxruntime-node ${ort.env.versions?.common ?? ''}): params=${m.params} train-step=${m.trainMs.toFixed(1)} ms (batch ${batch} at ${trainSize}x${trainSize}) inference=${m.inferMs.toFixed(1)} ms (${inferSize}x${inferSize}) peak RSS=${m.peakRssMiB.toFixed(0)} MiB`);
const r = pytorchFigures();
if (typeof r === 'string') {
  console.log(`ratio train-step medcolor/pytorch=n/a inference medcolor/pytorch=n/a (PyTorch reference could not run: ${r})`);
} else {
  console.log(`${r.engine}: train-step=${r.train_step_ms} ms inference=${r.infer_ms} ms`);
  console.log(`ratio train-step medcolor/pytorch=${(m.trainMs / r.train_step_ms).toFixed(2)} inference medcolor/pytorch=${(m.inferMs / r.infer_ms).toFixed(2)}`);
}
