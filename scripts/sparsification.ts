/**
 * The sparsification check of the models' confidence maps (docs/trust.md): for each shipped
 * model, every image of its val split (prepared records, 256x256, as `medcolor eval --size 256`),
 * colorized with the confidence map; per-pixel CIEDE2000 between the 8-bit sRGB output and the
 * truth; the sparsification curve against the oracle (metrics/sparsification.ts), averaged over
 * the images. Prints a markdown table; --json FILE also writes the curves.
 *
 *   npx tsx scripts/sparsification.ts PREPARED_ROOT [--models blood,fundus] [--limit N] [--json FILE] [--estimate table|flip]
 *
 * --estimate flip: the mirrored predictions' agreement alone (exp(-spread / 4)), ignoring the
 * model's medcolor.confidence table (what was tried first; docs/trust.md).
 *   PREPARED_ROOT holds endoscopy-kvasir/, blood-bccd/, fundus-drive/, natural/ (medcolor prepare)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deltaE2000Map } from '../src/color/ciede2000.js';
import { lAbToSrgb8, srgb8ToLab } from '../src/color/lab.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { getModelsDir, listShippedModels, loadModel } from '../src/io/model-loader.js';
import { createModelMethod } from '../src/methods/model.js';
import { computeSparsification, meanSparsification, type Sparsification } from '../src/metrics/sparsification.js';
import { colorizeL } from '../src/pipeline/colorize.js';
import { openDataset } from '../src/train/dataset.js';

/** The val split each model is scored on (as test/models/shipped.test.ts). */
export const MODEL_SPLITS: Record<string, string> = {
  endoscopy: 'endoscopy-kvasir', blood: 'blood-bccd', 'blood-hints': 'blood-bccd', 'blood-vivid': 'blood-bccd', fundus: 'fundus-drive', natural: 'natural',
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { models: { type: 'string' }, limit: { type: 'string' }, json: { type: 'string' }, estimate: { type: 'string' } },
});
const [prepared] = positionals;
if (!prepared) {
  console.error('usage: sparsification PREPARED_ROOT [--models a,b] [--limit N] [--json FILE]');
  process.exit(2);
}
const names = values.models ? values.models.split(',') : listShippedModels(getModelsDir()).filter((n) => n in MODEL_SPLITS);
const limit = values.limit ? Number(values.limit) : Infinity;
const rows: Record<string, Sparsification & { images: number; split: string }> = {};
console.log('| model | val split | images | dE2000 of the most confident half | of the least confident half | AUSE | AUSE of a random order |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const name of names) {
  const split = MODEL_SPLITS[name];
  const model = await loadModel(name);
  const method = createModelMethod(values.estimate === 'flip' ? { ...model, errorTable: undefined } : model);
  const ds = openDataset(join(prepared, split));
  const n = Math.min(limit, ds.splits.val.count);
  const per: Sparsification[] = [];
  for (let i = 0; i < n; i++) {
    const { L, ab } = ds.read('val', i);
    const hw = ds.size * ds.size;
    const truthAb = new Float32Array(2 * hw);
    for (let p = 0; p < hw; p++) {
      truthAb[2 * p] = ab[p];
      truthAb[2 * p + 1] = ab[hw + p];
    }
    const out = await colorizeL({ width: ds.size, height: ds.size, data: L }, method, { size: ds.size, methodOptions: { confidence: true } });
    const error = deltaE2000Map(srgb8ToLab(out.rgb.data), srgb8ToLab(lAbToSrgb8(L, truthAb)));
    per.push(computeSparsification(out.confidence!, error));
  }
  ds.close();
  const s = meanSparsification(per);
  rows[name] = { ...s, images: n, split };
  const f = (v: number) => v.toFixed(2);
  console.log(`| ${name} | ${split}/val | ${n} | ${f(s.confidentHalf)} | ${f(s.unsureHalf)} | ${f(s.ause)} | ${f(s.auseRandom)} |`);
}
if (values.json) await writeFileAtomic(values.json, JSON.stringify(rows, null, 1));
