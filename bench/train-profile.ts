/**
 * Where a training step of the benchmark U-Net spends its time: runs steps under ONNX Runtime's
 * profiler and sums kernel time by op type, by what emitted the node (the model's forward pass,
 * the VJP rule of an op, the optimizer) and by node-name stem (e.g. `wgrad`, `dgrad`).
 * Optionally writes the graph as ORT optimized it (`--optimized FILE.onnx`).
 * Usage: npx tsx bench/train-profile.ts [--steps 4] [--batch 16] [--train-size 64] [--base 32] [--top 25] [--optimized F]
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/nn/index.js';
import { mseLoss } from '../src/nn/losses.js';
import { ParamStore } from '../src/nn/params.js';
import { TrainSession } from '../src/nn/session.js';
import { unetForward } from '../src/models/unet.js';
import { benchArg as arg } from './lib/bench-args.js';

const steps = Number(arg('--steps', '4'));
const batch = Number(arg('--batch', '16'));
const size = Number(arg('--train-size', '64'));
const base = Number(arg('--base', '32'));
const top = Number(arg('--top', '25'));
const optimized = arg('--optimized', '');
const threads = Number(arg('--threads', '0'));

const dir = tmpdir();
const prefix = join(dir, `medcolor-train-profile-${process.pid}`);
const ts = await TrainSession.create({
  store: new ParamStore(),
  inputs: { L: [batch, 1, size, size], ab: [batch, 2, size, size] },
  build: (ctx, ins) => ({ loss: mseLoss(ctx.g, unetForward(ctx, ins.L, { base }), ins.ab) }),
  optimizer: { type: 'adam' },
}, { seed: 0, threads, profilePrefix: prefix, ...(optimized ? { optimizedModelPath: optimized } : {}) });
const origin = new Map(ts.tg.graph.nodes.map((n) => [n.name, n.origin ?? 'forward'] as const));
const n = batch * size * size;
const L = Float32Array.from({ length: n }, (_, i) => (i % 97) / 97);
const ab = Float32Array.from({ length: 2 * n }, (_, i) => (i % 89) / 89 - 0.5);
const warm = 2;
for (let i = 0; i < warm + steps; i++) await ts.step({ L, ab }, 1e-3);
ts.session.endProfiling();
const file = readdirSync(dir).filter((f) => f.startsWith(`medcolor-train-profile-${process.pid}`)).map((f) => join(dir, f))[0];
interface Event { cat: string; name: string; dur: number; ts: number; args?: { op_name?: string } }
const events = JSON.parse(readFileSync(file, 'utf8')) as Event[];
rmSync(file);
const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
const measured = runs.slice(warm);
const t0 = measured[0].ts;
const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= t0);
const total = kernels.reduce((s, e) => s + e.dur, 0);
const runMs = measured.reduce((s, e) => s + e.dur, 0) / measured.length / 1000;

function table(title: string, key: (e: Event, node: string) => string): void {
  const sums = new Map<string, { us: number; count: number }>();
  for (const e of kernels) {
    const k = key(e, e.name.slice(0, -'_kernel_time'.length));
    const s = sums.get(k) ?? { us: 0, count: 0 };
    s.us += e.dur;
    s.count++;
    sums.set(k, s);
  }
  console.log(`\n${title}`);
  for (const [k, s] of [...sums].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
    console.log(`  ${k.padEnd(44)} ${(s.us / steps / 1000).toFixed(1).padStart(7)} ms/step ${((100 * s.us) / total).toFixed(1).padStart(5)}%  ${String(s.count / steps).padStart(4)} nodes`);
  }
}

console.log(`session.run ${runMs.toFixed(1)} ms/step (mean of ${steps}), kernels ${(total / steps / 1000).toFixed(1)} ms/step; batch ${batch} at ${size}x${size}, base ${base}`);
table('by op type', (e) => e.args?.op_name ?? '?');
table('by origin (forward, VJP rule of op, optimizer)', (_e, node) => origin.get(node) ?? `ORT-made (${node.replace(/_\d+.*$/, '')})`);
table('by origin and op type', (e, node) => `${origin.get(node) ?? 'ORT-made'} / ${e.args?.op_name ?? '?'}`);
table('by node stem', (_e, node) => node.replace(/_\d+$/, '').replace(/^n_/, ''));
const byName = new Map(ts.tg.graph.nodes.map((nd) => [nd.name, nd] as const));
const shapeOf = (node: string) => {
  const nd = byName.get(node);
  return nd ? `${nd.inputs.filter(Boolean).map((i) => `[${ts.tg.graph.get(i).shape}]`).join(' ')} -> [${ts.tg.graph.get(nd.outputs[0]).shape}]` : '';
};
table('by node (origin / op / stem: inputs -> output)', (e, node) => `${origin.get(node) ?? 'ORT-made'} / ${e.args?.op_name ?? '?'} / ${node.replace(/_\d+$/, '').replace(/^n_/, '')}: ${shapeOf(node)}`);
await ts.release();
