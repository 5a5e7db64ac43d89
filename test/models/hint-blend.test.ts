import { describe, expect, it } from 'vitest';
import { blendHints } from '../../src/models/hint-blend.js';
import { Graph } from '../../src/nn/graph.js';
import '../../src/nn/index.js';
import { BuildContext, ParamStore } from '../../src/nn/params.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { serializeModel } from '../../src/nn/onnx-io.js';

const S = 64;

/** Runs the blend alone: prediction 0 everywhere, zero gate weights (the warm-start state). */
async function runBlend(bilateral: boolean, L: Float32Array, hint: { x: number; y: number; a: number }): Promise<Float32Array> {
  const g = new Graph('blend');
  const store = new ParamStore();
  const ctx = new BuildContext(g, 'export', store);
  const ins = { pred: g.input('pred', [1, 2, S, S]), feat: g.input('feat', [1, 4, S, S]), hab: g.input('hab', [1, 2, S, S]), mask: g.input('mask', [1, 1, S, S]), L: g.input('L', [1, 1, S, S]) };
  // Declare the gate's parameters, give them zeros, then build in export mode.
  const decl = new BuildContext(new Graph('d'), 'eval', store);
  blendHints(decl, decl.g.input('pred', [1, 2, S, S]), decl.g.input('feat', [1, 4, S, S]), decl.g.input('hab', [1, 2, S, S]), decl.g.input('mask', [1, 1, S, S]), bilateral ? decl.g.input('L', [1, 1, S, S]) : undefined);
  store.initialize(1);
  for (const [k, v] of store.values) store.values.set(k, new Float32Array(v.length));
  g.output(blendHints(ctx, ins.pred, ins.feat, ins.hab, ins.mask, bilateral ? ins.L : undefined), 'ab');
  const sess = await createSession(serializeModel(g));
  const hab = new Float32Array(2 * S * S), mask = new Float32Array(S * S);
  const p = hint.y * S + hint.x;
  mask[p] = 1; hab[p] = hint.a;
  const t = (d: Float32Array, shape: number[]) => new ort.Tensor('float32', d, shape);
  const feeds: Record<string, ort.Tensor> = { pred: t(new Float32Array(2 * S * S), [1, 2, S, S]), feat: t(new Float32Array(4 * S * S), [1, 4, S, S]), hab: t(hab, [1, 2, S, S]), mask: t(mask, [1, 1, S, S]) };
  feeds.L = t(L, [1, 1, S, S]); // an unused graph input in the spatial case
  return (await sess.run(feeds)).ab.data as Float32Array;
}

describe('hint blend', () => {
  // Left half dark (L = -0.6), right half bright (L = 0.6); one hint at (28, 32) on the dark side.
  const L = Float32Array.from({ length: S * S }, (_, i) => (i % S < 32 ? -0.6 : 0.6));
  const hint = { x: 28, y: 32, a: 0.4 };

  it('spatial: spreads the hint around it, across the lightness edge too, and not far away', async () => {
    const ab = await runBlend(false, L, hint);
    expect(ab[32 * S + 28]).toBeGreaterThan(0.15); // at the hint: half of 0.4 by the near gate, plus some of the far
    expect(ab[32 * S + 36]).toBeGreaterThan(0.01); // 8 px away, across the edge
    expect(Math.abs(ab[0])).toBeLessThan(ab[32 * S + 36]);
  });

  it('bilateral: the same near the hint on its side, almost nothing across the lightness edge', async () => {
    const spatial = await runBlend(false, L, hint);
    const ab = await runBlend(true, L, hint);
    expect(ab[32 * S + 28]).toBeCloseTo(spatial[32 * S + 28], 2);
    expect(ab[32 * S + 22]).toBeGreaterThan(0.5 * spatial[32 * S + 22]); // 6 px away, same side
    expect(Math.abs(ab[32 * S + 36])).toBeLessThan(0.02 * spatial[32 * S + 36]); // across the edge
    // b* of the hint is 0: stays 0.
    expect(Math.abs(ab[S * S + 32 * S + 28])).toBeLessThan(1e-6);
  });
});
