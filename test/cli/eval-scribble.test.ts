import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labToSrgb8 } from '../../src/color/lab.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(join(tmpdir(), 'medcolor-eval-scribble-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  // Two regions of different lightness and color separated by a strong edge.
  for (const [k, hue] of [[0, 1], [1, -1]] as const) {
    const S = 48, lab = new Float32Array(S * S * 3);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const i = (y * S + x) * 3, left = x < S / 2;
      lab[i] = left ? 40 : 75;
      lab[i + 1] = (left ? 45 : -30) * hue;
      lab[i + 2] = left ? 20 : 50;
    }
    await sharp(labToSrgb8(lab), { raw: { width: S, height: S, channels: 3 } }).png().toFile(join(tmp, `img${k}.png`));
  }
});

describe('medcolor eval --method scribble (strokes simulated from the truth)', () => {
  it('reports one row per K, and more strokes score better', () => {
    const out = join(tmp, 'sc.json');
    execFileSync(process.execPath, ['bin/medcolor.js', 'eval', tmp, '--method', 'scribble', '--strokes', '1,60', '--json', out, '-q'], { cwd: root, stdio: 'pipe' });
    const s = JSON.parse(readFileSync(out, 'utf8'));
    expect(s.strokes.map((r: { k: number }) => r.k)).toEqual([1, 60]);
    expect(s.n).toBe(2);
    const [k1, k60] = s.strokes.map((r: { mean: { psnr: number } }) => r.mean.psnr);
    expect(k60).toBeGreaterThan(k1);
    expect(k60).toBeGreaterThan(s.baseline.gray.psnr + 10);
  });
});
