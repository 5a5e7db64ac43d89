import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labToSrgb8 } from '../../src/color/lab.js';
import { createSession, ort } from '../../src/nn/runtime.js';
import { parseErrorTable } from '../../src/methods/error-table.js';
import { readOnnxMetadata } from '../../src/methods/model.js';
import { parseDomainDescriptor } from '../../src/models/domain.js';
import { openDataset } from '../../src/train/dataset.js';
import { setupTraining, trainColorizer, trainStep, type TrainOptions } from '../../src/train/trainer.js';
import { prepareBlobDataset, type BlobColoring } from './blob-dataset.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'medcolor-trainer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Chroma a fixed function of lightness: dark blue, bright orange (t = -1 dark .. +1 bright). */
const coloring: BlobColoring = { lo: 20, span: 60, chroma: (L) => [25 * ((L - 50) / 30), 40 * ((L - 50) / 30)] };

let data = '';
beforeAll(async () => {
  data = await prepareBlobDataset(tmp, 24, 8, coloring);
});

/** PSNR of the gray baseline on the val split (L kept, a*=b*=0), from the stored records. */
function grayBaselinePsnr(): number {
  const ds = openDataset(data);
  let sum = 0;
  for (let i = 0; i < ds.splits.val.count; i++) {
    const { L, ab } = ds.read('val', i);
    const n = L.length;
    const truth = new Float32Array(3 * n), gray = new Float32Array(3 * n);
    for (let p = 0; p < n; p++) {
      truth[3 * p] = gray[3 * p] = L[p];
      truth[3 * p + 1] = ab[p];
      truth[3 * p + 2] = ab[n + p];
    }
    const a = labToSrgb8(truth), b = labToSrgb8(gray);
    let se = 0;
    for (let k = 0; k < a.length; k++) se += (a[k] - b[k]) ** 2;
    sum += 10 * Math.log10((255 * 255) / (se / a.length));
  }
  ds.close();
  return sum / 8;
}

const base = (out: string): TrainOptions => ({
  data, out, epochs: 40, batch: 8, lr: 5e-3, crop: 32, warmup: 3, valBatch: 4,
  unet: { base: 8, depth: 2, globalContext: true }, seed: 1,
});

describe('trainStep', () => {
  it('feeds normalized crops of the records with the warm-up learning rate, the same for the same seed', async () => {
    const steps = async (out: string) => {
      const run = await setupTraining({ ...base(join(tmp, out)), crop: 16, stepsPerEpoch: 3 });
      const got = [];
      for (let k = 0; k < 3; k++) got.push(await trainStep(run));
      expect(run.ts.stepCount).toBe(3);
      await run.ts.release();
      await run.ev.release();
      return got;
    };
    const a = await steps('step-a'), b = await steps('step-b');
    a.forEach((r, k) => {
      expect(r.feeds.L.length).toBe(8 * 16 * 16);
      expect(r.feeds.ab.length).toBe(2 * 8 * 16 * 16);
      // L* 20..80 of the blobs is L/50 - 1 in -0.6..0.6; chroma within 40 of 110.
      expect(Math.min(...r.feeds.L)).toBeGreaterThan(-0.62);
      expect(Math.max(...r.feeds.L)).toBeLessThan(0.62);
      expect(Math.max(...r.feeds.ab.map(Math.abs))).toBeLessThan(0.5);
      expect(r.lr).toBeCloseTo((5e-3 * (k + 1)) / 3, 10);
      expect(r.batchMs).toBeGreaterThanOrEqual(0);
      expect(r.stepMs).toBeGreaterThan(0);
      expect(Number.isFinite(r.result.loss)).toBe(true);
      expect(b[k].feeds.L).toEqual(r.feeds.L);
      expect(b[k].result.loss).toBe(r.result.loss);
    });
    // Different crops each step.
    expect(a[1].feeds.L).not.toEqual(a[0].feeds.L);
  });
});

describe('trainColorizer', () => {
  it('learns a lightness-dependent coloring far better than the gray baseline, and writes its run folder', async () => {
    const out = join(tmp, 'run');
    const r = await trainColorizer(base(out));
    const gray = grayBaselinePsnr();
    expect(r.stopped).toBe('completed');
    expect(r.epochsRun).toBe(40);
    expect(r.best.psnr).toBeGreaterThan(gray + 5);
    for (const f of ['log.jsonl', 'curves.svg', 'curves.png', 'last.ckpt', 'best.ckpt', 'model.onnx']) expect(existsSync(join(out, f))).toBe(true);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.filter((l) => l.type === 'epoch')).toHaveLength(40);
    // The exported model honours the contract and reproduces the best validation score's behaviour.
    const bytes = new Uint8Array(readFileSync(join(out, 'model.onnx')));
    const meta = readOnnxMetadata(bytes);
    expect(meta['medcolor.ab_scale']).toBe('110');
    expect(meta['medcolor.input_size']).toBe('32');
    // What the model knows of its data: its domain (out-of-domain warning) and its error table (confidence map).
    const opened = openDataset(data);
    const trainCount = opened.splits.train.count;
    opened.close();
    expect(parseDomainDescriptor(meta['medcolor.domain'])?.images).toBe(trainCount);
    const table = parseErrorTable(meta['medcolor.confidence'])!;
    expect(table.images).toBe(Math.min(64, trainCount));
    expect(table.overall).toBeGreaterThan(0);
    const s = await createSession(bytes);
    const ds = openDataset(data);
    const { L, ab } = ds.read('val', 0);
    ds.close();
    const x = Float32Array.from(L, (v) => v / 50 - 1);
    const y = (await s.run({ L: new ort.Tensor('float32', x, [1, 1, 32, 32]) })).ab.data as Float32Array;
    // Bright pixels orange (b* > 0), dark pixels blue (b* < 0), as in the data.
    let agree = 0;
    for (let p = 0; p < L.length; p++) if (Math.sign(y[L.length + p]) === Math.sign(ab[L.length + p]) || Math.abs(ab[L.length + p]) < 3) agree++;
    expect(agree / L.length).toBeGreaterThan(0.9);
  });

  it('stops cleanly when aborted (saving last.ckpt) and --resume completes the run', async () => {
    const out = join(tmp, 'run-abort');
    const ctrl = new AbortController();
    const r1 = await trainColorizer({ ...base(out), epochs: 4, signal: ctrl.signal, onProgress: (p) => { if (p.kind === 'epoch' && p.epoch === 2) ctrl.abort(); } });
    expect(r1.stopped).toBe('interrupted');
    expect(r1.epochsRun).toBe(2);
    expect(existsSync(join(out, 'last.ckpt'))).toBe(true);
    const r2 = await trainColorizer({ ...base(out), epochs: 4, resume: true });
    expect(r2.stopped).toBe('completed');
    expect(r2.epochsRun).toBe(4);
    expect(r2.steps).toBe(4 * 3); // 24 images / batch 8 = 3 steps per epoch, none repeated
    const epochs = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
  });

  it('medcolor train: Ctrl-C (SIGINT) saves and exits 130; --resume finishes; bad options exit 2', async () => {
    const out = join(tmp, 'run-cli');
    const args = ['bin/medcolor.js', 'train', '--data', data, '-o', out, '--epochs', '30', '--batch', '8', '--crop', '32', '--base', '4', '--depth', '2'];
    const first = await new Promise<{ code: number | null; err: string }>((res) => {
      const p = spawn(process.execPath, args, { cwd: root });
      let err = '';
      p.stderr.on('data', (d) => {
        err += d;
        if (/epoch 1\/30 train loss/.test(err) && !p.killed) p.kill('SIGINT');
      });
      p.on('close', (code) => res({ code, err }));
    });
    expect(first.err).toMatch(/stopping after this step/);
    expect(first.code).toBe(130);
    expect(existsSync(join(out, 'last.ckpt'))).toBe(true);
    const bad = await new Promise<number | null>((res) => {
      const p = spawn(process.execPath, ['bin/medcolor.js', 'train', '--data', data, '-o', out, '--loss', 'nope'], { cwd: root });
      p.on('close', res);
    });
    expect(bad).toBe(2);
  });
});
