/**
 * What the training profile (bench/train-profile.ts) relies on: every node of a training graph
 * says what emitted it (the forward model, the VJP rule of an op, the gradient sums, the
 * optimizer), and ORT's profiler, switched on by `profilePrefix`, names its kernels after
 * those nodes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/nn/index.js';
import { convBnAct, conv2d } from '../../src/nn/layers.js';
import { mseLoss } from '../../src/nn/losses.js';
import { ParamStore } from '../../src/nn/params.js';
import { TrainSession } from '../../src/nn/session.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-profile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('training-graph profile', () => {
  it('tags nodes by origin and ORT reports kernel times under the same node names', async () => {
    const prefix = join(tmp, 'p');
    const ts = await TrainSession.create({
      store: new ParamStore(),
      inputs: { x: [2, 1, 8, 8], y: [2, 2, 8, 8] },
      build: (ctx, ins) => {
        const h = convBnAct(ctx, 'a', ins.x, { out: 4 });
        // h is used twice: its gradient is a sum of two contributions.
        const y = conv2d(ctx, 'b', ctx.g.op1('Add', [h, h]), { out: 2, k: 1 });
        return { loss: mseLoss(ctx.g, y, ins.y) };
      },
      optimizer: { type: 'adam' },
    }, { seed: 1, profilePrefix: prefix });
    const nodes = ts.tg.graph.nodes;
    const origins = new Set(nodes.map((n) => n.origin ?? 'forward'));
    for (const o of ['forward', 'Conv', 'BatchNormalization', 'Relu', 'gradient sum', 'optimizer']) expect(origins.has(o)).toBe(true);
    // The forward pass has no origin; every Adam update (one Sqrt of v per parameter) is the optimizer's.
    const convs = nodes.filter((n) => n.op === 'Conv' && !n.origin);
    expect(convs.length).toBe(2);
    const sqrtOpt = nodes.filter((n) => n.op === 'Sqrt' && n.origin === 'optimizer');
    expect(sqrtOpt.length).toBeGreaterThanOrEqual(ts.tg.updated.length);
    // The Conv rule's weight gradient nodes carry its op.
    expect(nodes.some((n) => n.name.startsWith('n_wgrad') && n.origin === 'Conv')).toBe(true);

    const x = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i));
    const y = Float32Array.from({ length: 256 }, (_, i) => Math.cos(i));
    await ts.step({ x, y }, 1e-3);
    ts.session.endProfiling();
    const files = readdirSync(tmp).filter((f) => f.startsWith('p'));
    expect(files.length).toBe(1);
    const events = JSON.parse(readFileSync(join(tmp, files[0]), 'utf8')) as { cat: string; name: string; dur: number }[];
    const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
    expect(kernels.length).toBeGreaterThan(20);
    const byName = new Set(nodes.map((n) => n.name));
    const known = kernels.filter((e) => byName.has(e.name.slice(0, -'_kernel_time'.length)));
    // ORT may fuse a few nodes under new names; nearly all kernels map back to a node.
    expect(known.length / kernels.length).toBeGreaterThan(0.9);
    await ts.release();
  });
});
