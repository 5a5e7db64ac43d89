import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/model-loader.js';
import { createModelMethod } from '../../src/methods/model.js';
import { readModelMetadata } from '../../src/nn/onnx-io.js';
import { evaluateFiles } from '../../src/pipeline/evaluate-files.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const modelsDir = join(root, 'models');
const color = resolve(root, '../shared/data/color');
/** The val folder each shipped model is scored on (its model card's table). */
const VAL: Record<string, string> = {
  endoscopy: 'endoscopy-kvasir/val',
  blood: 'blood-bccd/val',
  fundus: 'fundus-drive/val',
  natural: 'natural/val',
};
const shipped = readdirSync(modelsDir).filter((f) => f.endsWith('.onnx')).map((f) => f.replace(/\.onnx$/, ''));

describe('shipped models', () => {
  it('each has a model card and honours the model contract', () => {
    expect(shipped.length).toBeGreaterThan(0);
    for (const name of shipped) {
      expect(existsSync(join(modelsDir, `${name}.md`))).toBe(true);
      const meta = readModelMetadata(new Uint8Array(readFileSync(join(modelsDir, `${name}.onnx`))));
      expect(meta.get('medcolor.name')).toBe(name);
      expect(meta.get('medcolor.ab_scale')).toBe('110');
      expect(meta.get('medcolor.l_norm')).toBe('L/50-1');
      expect(Number(meta.get('medcolor.input_size'))).toBe(256);
    }
  });

  for (const name of shipped) {
    const val = VAL[name] ? join(color, VAL[name]) : '';
    it.skipIf(!val || !existsSync(val))(`${name}: beats the gray baseline clearly on its val split (first 8 images, 256x256)`, async () => {
      const files = readdirSync(val).filter((f) => /\.(jpe?g|png|tiff?)$/i.test(f)).sort().slice(0, 8).map((f) => join(val, f));
      const s = await evaluateFiles(files, createModelMethod(await loadModel(name)), { evalSize: 256 });
      expect(s.n).toBe(files.length);
      expect(s.mean.psnr).toBeGreaterThan(s.baseline.gray.psnr + 2);
      expect(s.mean.deltaE2000).toBeLessThan(s.baseline.gray.deltaE2000 * 0.75);
    });
  }
});
